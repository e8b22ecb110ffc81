// The Helm chart (no helm binary here: support/helm-lite.ts renders the few constructs it uses).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { Command } from 'commander';
import { REPO_ROOT } from '../../src/operator/api/generate-crds.js';
import { registerOperatorCommands } from '../../src/operator/cli.js';
import { OWNED_KINDS } from '../../src/operator/builders/cluster.js';
import { RESOURCES } from '../../src/operator/kube/resources.js';
import { renderChart } from './support/helm-chart.js';
import { validateK8s } from './support/k8s-schema.js';

const CHART = join(REPO_ROOT, 'deploy/helm/alluxio-operator');

test('Chart.yaml and values.yaml parse; the chart ships the generated CRDs', () => {
  const chart = parse(readFileSync(join(CHART, 'Chart.yaml'), 'utf8'));
  assert.equal(chart.apiVersion, 'v2');
  assert.equal(chart.name, 'alluxio-operator');
  assert.deepEqual(readdirSync(join(CHART, 'crds')).sort(), readdirSync(join(REPO_ROOT, 'deploy/crds')).sort());
});

test('rendered with defaults and with the docs\' alluxio-operator.yaml, every object validates', async () => {
  for (const overrides of [{}, { global: { image: 'registry.example.com/alluxio-ts-operator', imageTag: '0.1.0', imagePullSecrets: ['regcred'] }, operator: { replicas: 2 } }]) {
    const objs = renderChart(overrides);
    assert.deepEqual(objs.map((o) => o.kind).sort(), ['ClusterRole', 'ClusterRoleBinding', 'Deployment', 'Role', 'RoleBinding', 'ServiceAccount']);
    for (const o of objs) await validateK8s(o);
    const dep = objs.find((o) => o.kind === 'Deployment')!;
    const pod = dep.spec.template.spec;
    assert.equal(dep.metadata.namespace, 'alluxio-operator');
    assert.equal(pod.securityContext.runAsUser, 1000);
    assert.deepEqual(pod.containers[0].args, ['operator', '--leader-elect']);
    // The probes reach the operator's /healthz and /readyz on the port it listens on by default.
    const program = new Command();
    registerOperatorCommands(program);
    const healthPort = Number(program.commands.find((c) => c.name() === 'operator')!.options.find((o) => o.long === '--health-port')!.defaultValue);
    const ctr = pod.containers[0];
    assert.deepEqual(ctr.ports, [{ name: 'health', containerPort: healthPort }]);
    assert.deepEqual([ctr.livenessProbe.httpGet, ctr.readinessProbe.httpGet], [{ path: '/healthz', port: 'health' }, { path: '/readyz', port: 'health' }]);
    if (Object.keys(overrides).length) {
      assert.equal(pod.containers[0].image, 'registry.example.com/alluxio-ts-operator:0.1.0');
      assert.deepEqual(pod.imagePullSecrets, [{ name: 'regcred' }]);
      assert.equal(dep.spec.replicas, 2);
    } else {
      assert.equal(pod.containers[0].image, 'alluxio/alluxio-ts-operator:0.1.0');
      assert.equal(pod.imagePullSecrets, undefined);
    }
  }
});

test('RBAC is least privilege and covers every kind the operator touches', () => {
  const objs = renderChart();
  const rules = objs.find((o) => o.kind === 'ClusterRole')!.rules as { apiGroups: string[]; resources: string[]; verbs: string[] }[];
  for (const r of rules) {
    assert.ok(!r.verbs.includes('*') && !r.resources.includes('*') && !r.apiGroups.includes('*'), 'no wildcards');
  }
  const can = (group: string, resource: string, verb: string) => rules.some((r) => r.apiGroups.includes(group) && r.resources.includes(resource) && r.verbs.includes(verb));
  const group = (apiVersion: string) => (apiVersion.includes('/') ? apiVersion.split('/')[0]! : '');
  const plural = (apiVersion: string, kind: string) => RESOURCES.find((x) => x.apiVersion === apiVersion && x.kind === kind)!.plural;
  for (const k of [...OWNED_KINDS, { apiVersion: 'v1', kind: 'Secret' }]) {
    for (const verb of ['get', 'list', 'watch', 'patch', 'delete']) assert.ok(can(group(k.apiVersion), plural(k.apiVersion, k.kind), verb), `${verb} ${k.kind}`);
  }
  for (const r of ['alluxioclusters', 'underfilesystems', 'licenses']) {
    assert.ok(can('k8s-operator.alluxio.com', r, 'watch') && can('k8s-operator.alluxio.com', `${r}/status`, 'patch') && can('k8s-operator.alluxio.com', r, 'update'));
    assert.equal(can('k8s-operator.alluxio.com', r, 'create') || can('k8s-operator.alluxio.com', r, 'delete'), false, 'never creates or deletes user resources');
  }
  for (const [g, r] of [['', 'pods'], ['', 'events'], ['', 'nodes'], ['', 'persistentvolumes'], ['storage.k8s.io', 'storageclasses']]) {
    assert.ok(can(g!, r!, 'list'));
    assert.equal(can(g!, r!, 'delete'), false, `read-only ${r}`);
  }
  // Events for each phase change and failure (controllers/events.ts writes core/v1 Events).
  assert.ok(can('', 'events', 'create') && can('', 'events', 'patch'), 'create Events');
  const lease = objs.find((o) => o.kind === 'Role')!.rules[0];
  assert.deepEqual(lease.resources, ['leases']);
});

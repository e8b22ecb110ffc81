// Production hardening (issue 11): what every rendered pod gets, the cluster-wide policy objects,
// the generated Grafana admin Secret, per-cluster hostPaths. On the rendered objects of every
// example, validated against the Kubernetes schemas.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../src/operator/api/generate-crds.js';
import { API_VERSION } from '../../src/operator/constants.js';
import { AlluxioClusterReconciler } from '../../src/operator/controllers/alluxio-cluster-controller.js';
import type { KubeObject, ObjectRef } from '../../src/operator/kube/types.js';
import { renderCluster, renderClusterWithWarnings } from '../../src/operator/render.js';
import { validateK8s } from './support/k8s-schema.js';
import { clusterCr, healthyCluster, newApi } from './support/sim.js';

const EXAMPLES = join(REPO_ROOT, 'deploy/examples');
const examples = () => readdirSync(EXAMPLES).filter((f) => f.startsWith('alluxio-cluster')).map((f) => readFileSync(join(EXAMPLES, f), 'utf8'));
const CR = (name: string, ns: string, spec = '{fuse: {type: daemonSet}}') =>
  `apiVersion: k8s-operator.alluxio.com/v1\nkind: AlluxioCluster\nmetadata: {name: ${name}, namespace: ${ns}}\nspec: ${spec}\n`;
const workloads = (objs: KubeObject[]) => objs.filter((o) => ['StatefulSet', 'Deployment', 'DaemonSet'].includes(o.kind));
type Ctr = Record<string, any>;

test('every pod of every example: requests (no BestEffort), startupProbe, restricted securityContext, read-only root with an emptyDir /tmp, the cluster ServiceAccount without a token', async () => {
  let pods = 0;
  for (const text of examples()) {
    const objs = renderCluster(text);
    const sa = objs.find((o) => o.kind === 'ServiceAccount')!;
    assert.equal(sa.automountServiceAccountToken, false);
    for (const w of workloads(objs)) {
      const pod = w.spec.template.spec;
      const what = `${w.kind}/${w.metadata.name}`;
      pods++;
      assert.equal(pod.serviceAccountName, sa.metadata.name, what);
      assert.equal(pod.automountServiceAccountToken, false, what);
      for (const ctr of [...(pod.initContainers ?? []), ...pod.containers] as Ctr[]) {
        const r = ctr.resources ?? {};
        for (const res of ['cpu', 'memory']) {
          assert.ok(r.requests?.[res] !== undefined || r.limits?.[res] !== undefined, `${what} ${ctr.name}: ${res} request`);
        }
        if (ctr.livenessProbe) {
          assert.ok(ctr.startupProbe, `${what} ${ctr.name}: startupProbe`);
          assert.ok(ctr.startupProbe.failureThreshold * ctr.startupProbe.periodSeconds >= 300, 'five minutes to start');
        }
        const sc = ctr.securityContext ?? {};
        if (ctr.name === 'alluxio-fuse') {
          assert.equal(sc.privileged, true, 'FUSE is the one exempt container');
          continue;
        }
        assert.equal(sc.privileged, undefined, `${what} ${ctr.name}: not privileged`);
        assert.equal(sc.allowPrivilegeEscalation, false, `${what} ${ctr.name}`);
        assert.deepEqual(sc.capabilities.drop, ['ALL'], `${what} ${ctr.name}`);
        assert.deepEqual(sc.seccompProfile, { type: 'RuntimeDefault' }, `${what} ${ctr.name}`);
        assert.equal(sc.readOnlyRootFilesystem, true, `${what} ${ctr.name}: read-only root`);
        if (pod.containers.includes(ctr)) {
          const tmp = ctr.volumeMounts.find((m: Ctr) => m.mountPath === '/tmp');
          assert.ok(tmp, `${what} ${ctr.name}: /tmp`);
          assert.ok(pod.volumes.find((v: Ctr) => v.name === tmp.name).emptyDir, `${what}: /tmp is an emptyDir`);
        }
      }
    }
    for (const o of objs) await validateK8s(o);
  }
  assert.ok(pods >= 12, `${pods} pods`);
});

test('requests the spec sets are kept; a limit alone keeps Kubernetes\' request = limit (no default request above it)', () => {
  const objs = renderCluster(CR('x', 'ns', '{etcd: {resources: {limits: {memory: 128Mi}}}, worker: {resources: {requests: {cpu: "4"}}}}'));
  const ctr = (name: string) => workloads(objs).find((w) => w.metadata.name === name)!.spec.template.spec.containers[0];
  assert.deepEqual(ctr('x-etcd').resources, { limits: { memory: '128Mi' }, requests: { cpu: '100m' } });
  assert.deepEqual(ctr('x-worker').resources.requests, { cpu: '4', memory: '1Gi' });
});

test('PodDisruptionBudgets for etcd, coordinator and workers select their pods and allow one eviction at a time', () => {
  const objs = renderCluster(CR('x', 'ns'));
  const pdbs = objs.filter((o) => o.kind === 'PodDisruptionBudget');
  assert.deepEqual(pdbs.map((p) => p.metadata.name).sort(), ['x-coordinator', 'x-etcd', 'x-worker']);
  for (const p of pdbs) {
    assert.equal(p.spec.maxUnavailable, 1);
    const w = workloads(objs).find((o) => o.metadata.name === p.metadata.name)!;
    const podLabels = w.spec.template.metadata.labels;
    assert.ok(Object.entries(p.spec.selector.matchLabels).every(([k, v]) => podLabels[k] === v), `${p.metadata.name} selects its pods`);
  }
  assert.equal(renderCluster(CR('x', 'ns', '{etcd: {enabled: false}, properties: {alluxio.etcd.endpoints: "http://e:2379"}}'))
    .filter((o) => o.kind === 'PodDisruptionBudget').length, 2, 'no etcd PDB without our etcd');
});

test('NetworkPolicy: off by default; on, the cluster\'s pods talk freely, the operator reaches 19999, clients only the client ports', async () => {
  assert.equal(renderCluster(CR('x', 'ns')).some((o) => o.kind === 'NetworkPolicy'), false);
  const objs = renderCluster(CR('x', 'ns', '{networkPolicy: {enabled: true, clients: [{namespaceSelector: {matchLabels: {team: ml}}}]}}'));
  const np = objs.find((o) => o.kind === 'NetworkPolicy')!;
  await validateK8s(np);
  for (const w of workloads(objs)) {
    const l = w.spec.template.metadata.labels;
    assert.ok(Object.entries(np.spec.podSelector.matchLabels).every(([k, v]) => l[k] === v), `${w.metadata.name} is selected`);
  }
  const [internal, operator, clients] = np.spec.ingress;
  assert.equal(internal.ports, undefined, 'any port between the cluster\'s pods');
  assert.deepEqual(operator.from[0].namespaceSelector.matchLabels, { 'kubernetes.io/metadata.name': 'alluxio-operator' });
  assert.deepEqual(operator.ports, [{ protocol: 'TCP', port: 19999 }]);
  assert.deepEqual(clients.from, [{ namespaceSelector: { matchLabels: { team: 'ml' } } }]);
  const ports = clients.ports.map((p: Ctr) => p.port);
  for (const p of [28080, 29998, 19999]) assert.ok(ports.includes(p), `client port ${p}`);
  for (const p of [2379, 2380, 29999, 29997]) assert.ok(!ports.includes(p), `internal port ${p} closed to clients`);
});

test('ServiceMonitor: rendered when enabled, over one headless metrics Service per component whose port the pods expose; the operator adds it only when the CRD exists', async () => {
  assert.equal(renderCluster(CR('x', 'ns')).some((o) => o.kind === 'ServiceMonitor'), false, 'render cannot see the CRD: off unless enabled');
  const objs = renderCluster(CR('x', 'ns', '{serviceMonitor: {enabled: true, labels: {release: prom}}}'));
  const sm = objs.find((o) => o.kind === 'ServiceMonitor')!;
  assert.equal(sm.apiVersion, 'monitoring.coreos.com/v1');
  assert.equal(sm.metadata.labels!.release, 'prom');
  const svcs = objs.filter((o) => o.kind === 'Service' && Object.entries(sm.spec.selector.matchLabels).every(([k, v]) => o.metadata.labels?.[k] === v));
  assert.deepEqual(svcs.map((s) => s.metadata.name).sort(), ['x-coordinator-metrics', 'x-etcd-metrics', 'x-worker-metrics'], 'one Service per component, not the ClusterIP/headless twins');
  for (const s of svcs) {
    await validateK8s(s);
    assert.equal(s.spec.clusterIP, 'None');
    const port = s.spec.ports.find((p: Ctr) => p.name === sm.spec.endpoints[0].port);
    assert.ok(port, `${s.metadata.name} has the endpoint's port`);
    const w = workloads(objs).find((o) => Object.entries(s.spec.selector).every(([k, v]) => o.spec.template.metadata.labels[k] === v))!;
    const exposed = w.spec.template.spec.containers[0].ports.map((p: Ctr) => p.containerPort);
    assert.ok(exposed.includes(port.targetPort), `${w.metadata.name} serves metrics on ${port.targetPort}`);
  }

  const { api, clock } = newApi();
  await healthyCluster(api);
  await api.create(clusterCr('alluxio', 'alx-ns'));
  const REF: ObjectRef = { apiVersion: API_VERSION, kind: 'AlluxioCluster', namespace: 'alx-ns', name: 'alluxio' };
  const r = new AlluxioClusterReconciler({ api, clock });
  await r.reconcile(REF);
  const SM: ObjectRef = { apiVersion: 'monitoring.coreos.com/v1', kind: 'ServiceMonitor', namespace: 'alx-ns', name: 'alluxio-alluxio' };
  assert.equal(await api.get(SM), undefined, 'no CRD, no ServiceMonitor');
  await api.create({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'servicemonitors.monitoring.coreos.com' },
    spec: { group: 'monitoring.coreos.com', names: { kind: 'ServiceMonitor', plural: 'servicemonitors' }, scope: 'Namespaced', versions: [{ name: 'v1', served: true, storage: true }] } });
  await r.reconcile(REF);
  assert.ok(await api.get(SM), 'the CRD exists: ServiceMonitor applied');
  const cr = (await api.get(REF))!;
  cr.spec.serviceMonitor = { enabled: false };
  await api.update(cr);
  await r.reconcile(REF);
  assert.equal(await api.get(SM), undefined, 'turned off: pruned');
});

test('Grafana: admin password from a Secret the operator generates once (render leaves it to the user, with a command)', async () => {
  const r = renderClusterWithWarnings(CR('x', 'ns'));
  const g = workloads(r.objects).find((o) => o.metadata.name === 'x-grafana')!.spec.template.spec.containers[0];
  const env = Object.fromEntries(g.env.map((e: Ctr) => [e.name, e]));
  assert.deepEqual(env.GF_SECURITY_ADMIN_PASSWORD.valueFrom, { secretKeyRef: { name: 'x-grafana-admin', key: 'admin-password' } });
  assert.ok(r.warnings.some((w) => w.includes('create secret generic x-grafana-admin')), r.warnings.join('\n'));

  const { api, clock } = newApi();
  await healthyCluster(api);
  await api.create(clusterCr('alluxio', 'alx-ns'));
  const REF: ObjectRef = { apiVersion: API_VERSION, kind: 'AlluxioCluster', namespace: 'alx-ns', name: 'alluxio' };
  const rec = new AlluxioClusterReconciler({ api, clock });
  await rec.reconcile(REF);
  const SECRET: ObjectRef = { apiVersion: 'v1', kind: 'Secret', namespace: 'alx-ns', name: 'alluxio-grafana-admin' };
  const s1 = (await api.get(SECRET))!;
  const pw = Buffer.from(s1.data['admin-password'], 'base64').toString();
  assert.match(pw, /^[0-9a-f]{32}$/);
  assert.notEqual(pw, 'admin');
  await rec.reconcile(REF);
  assert.equal((await api.get(SECRET))!.metadata.resourceVersion, s1.metadata.resourceVersion, 'never rewritten');
  const texts = JSON.stringify([(await api.get(REF))!.status, (await api.list('v1', 'Event', { namespace: 'alx-ns' })).items]);
  assert.ok(!texts.includes(pw));
});

test('hostPaths: two clusters (same name in two namespaces, two names in one) on one node share no directory; a path the user sets is kept', () => {
  const hostPaths = (yaml: string) => new Set(workloads(renderCluster(yaml)).flatMap((w) => w.spec.template.spec.volumes)
    .filter((v: Ctr) => v.hostPath && v.hostPath.type !== 'CharDevice').map((v: Ctr) => v.hostPath.path as string));
  const a = hostPaths(CR('alluxio', 'team-a'));
  const b = hostPaths(CR('alluxio', 'team-b'));
  const c = hostPaths(CR('other', 'team-a'));
  assert.ok(a.size >= 5, [...a].join(' '));
  for (const p of a) {
    assert.ok(p.startsWith('/mnt/alluxio/team-a/alluxio/'), p);
    assert.ok(!b.has(p) && !c.has(p), `${p} is shared`);
    for (const q of [...b, ...c]) assert.ok(!q.startsWith(`${p}/`) && !p.startsWith(`${q}/`), `${p} and ${q} nest`);
  }
  assert.ok(a.has('/mnt/alluxio/team-a/alluxio/pagestore'));
  assert.ok(a.has('/mnt/alluxio/team-a/alluxio/coordinator/metastore'), 'coordinator and worker of one cluster on one node do not share the metastore');
  assert.ok(hostPaths(CR('x', 'ns', '{worker: {pagestore: {hostPath: /data/cache}}}')).has('/data/cache'));
});

// The operator chart's values.schema.json and NOTES.txt, the documented CRD upgrade path, and the
// image the pods run (Node 22, and every binary the rendered FUSE commands call).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { REPO_ROOT } from '../../src/operator/api/generate-crds.js';
import { renderCluster } from '../../src/operator/render.js';
import { CHART, renderChart } from './support/helm-chart.js';
import { deepMerge, renderTemplate } from './support/helm-lite.js';

const values = () => parse(readFileSync(join(CHART, 'values.yaml'), 'utf8')) as Record<string, unknown>;
const validator = () => new Ajv({ allErrors: true, strict: false }).compile(JSON.parse(readFileSync(join(CHART, 'values.schema.json'), 'utf8')));

test('values.schema.json accepts values.yaml and the docs\' values, and refuses a misspelt or mistyped value with its path', () => {
  const check = validator();
  assert.ok(check(values()), JSON.stringify(check.errors));
  const md = readFileSync(join(REPO_ROOT, 'docs/kubernetes.md'), 'utf8');
  const helmBlocks = [...md.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => parse(m[1]!)).filter((d) => d && d.global && !d.apiVersion);
  assert.ok(helmBlocks.length >= 1);
  for (const b of helmBlocks) assert.ok(check(deepMerge(values(), b)), JSON.stringify(check.errors));
  const bad: [Record<string, unknown>, string][] = [
    [{ operator: { replica: 2 } }, 'replica'],
    [{ operator: { replicas: 'two' } }, '/operator/replicas'],
    [{ global: { imagePullPolicy: 'Sometimes' } }, '/global/imagePullPolicy'],
    [{ operator: { resources: { limits: { memory: '512MB' } } } }, '/operator/resources/limits/memory'],
  ];
  for (const [override, where] of bad) {
    assert.equal(check(deepMerge(values(), override)), false, JSON.stringify(override));
    assert.ok(JSON.stringify(check.errors).includes(where), `${where}: ${JSON.stringify(check.errors)}`);
  }
});

test('NOTES.txt renders and says how to upgrade the CRDs; docs/kubernetes.md documents it with a path that exists', () => {
  const notes = renderTemplate(readFileSync(join(CHART, 'templates/NOTES.txt'), 'utf8'), { Values: values(), Release: { Name: 'operator', Namespace: 'alluxio-operator' } });
  assert.match(notes, /namespace alluxio-operator/);
  assert.match(notes, /kubectl apply --server-side --force-conflicts -f deploy\/helm\/alluxio-operator\/crds\//);
  const md = readFileSync(join(REPO_ROOT, 'docs/kubernetes.md'), 'utf8');
  const section = md.slice(md.indexOf('## Upgrading the CRDs'));
  assert.ok(md.includes('## Upgrading the CRDs'));
  const dir = /kubectl apply --server-side --force-conflicts -f (\S+)/.exec(section)![1]!;
  // Every CRD the operator serves (deploy/crds, generated) is in the documented directory.
  assert.deepEqual(readdirSync(join(REPO_ROOT, dir)).sort(), readdirSync(join(REPO_ROOT, 'deploy/crds')).sort());
  assert.ok(readdirSync(join(REPO_ROOT, dir)).includes('loads.yaml'));
  assert.match(section, /helm upgrade` does not upgrade CRDs/);
});

test('the image: Node 22, and it installs every program the rendered FUSE pod runs', () => {
  const df = readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8');
  const froms = [...df.matchAll(/^FROM (node:\S+)/gm)].map((m) => m[1]!);
  assert.ok(froms.length >= 2 && froms.every((f) => f.startsWith('node:22-')), froms.join(', '));
  // The runtime stage's packages (the build stage installs its compiler first).
  const apt = /apt-get install -y --no-install-recommends ([^\\\n]+)/.exec(df.slice(df.indexOf(' AS runtime')))![1]!.split(/\s+/);
  const ds = renderCluster('apiVersion: k8s-operator.alluxio.com/v1\nkind: AlluxioCluster\nmetadata: {name: x}\nspec: {fuse: {type: daemonSet}}\n')
    .find((o) => o.kind === 'DaemonSet')!;
  const ctr = ds.spec.template.spec.containers[0];
  const text = [ctr.command, ctr.lifecycle.preStop.exec.command, ctr.livenessProbe.exec.command, ctr.readinessProbe.exec.command].flat().join(' ');
  // program → the Debian package that ships it (the rest are in the base image: coreutils, util-linux, dash).
  const needs: Record<string, string> = { '/usr/bin/tini': 'tini', umount: 'mount' };
  for (const [prog, pkg] of Object.entries(needs)) {
    assert.ok(text.includes(prog), `the pod runs ${prog}`);
    assert.ok(apt.includes(pkg), `the image installs ${pkg} for ${prog}`);
  }
  assert.ok(existsSync(join(REPO_ROOT, 'deploy/helm/alluxio-operator/values.schema.json')));
});

test('the operator pod itself: requests, and the same restricted securityContext as the cluster\'s pods', () => {
  const dep = renderChart().find((o) => o.kind === 'Deployment')!;
  const ctr = dep.spec.template.spec.containers[0];
  assert.ok(ctr.resources.requests.cpu && ctr.resources.requests.memory);
  assert.deepEqual(ctr.securityContext, { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } });
});

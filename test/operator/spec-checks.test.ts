// Cluster names and spec.properties are checked before anything is rendered: `k8s render`
// refuses them, the CRD (root CEL rules) refuses bad names, and the operator reports a bad
// property as SpecValid=False naming the key. On the in-memory Kubernetes API (no API server
// on these machines), which applies the CRD's CEL rules and validates built-in names as a
// real server does (test/operator/support/server-rules.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { API_VERSION, CONDITION } from '../../src/operator/constants.js';
import { AlluxioClusterReconciler } from '../../src/operator/controllers/alluxio-cluster-controller.js';
import { renderClusterWithWarnings } from '../../src/operator/render.js';
import { KubeApiError } from '../../src/operator/kube/types.js';
import { clusterCr, healthyCluster, newApi } from './support/sim.js';

const NS = 'alx-ns';
const yaml = (name: string, props: Record<string, string> = {}) => `apiVersion: ${API_VERSION}
kind: AlluxioCluster
metadata:
  name: "${name}"
  namespace: ${NS}
spec:
  properties:
${Object.entries(props).map(([k, v]) => `    ${k}: "${v}"`).join('\n') || '    {}'}
`.replace('properties:\n    {}', 'properties: {}');

const BAD_NAMES = ['a'.repeat(41), 'alluxio.prod', '1alluxio'];

test('k8s render refuses cluster names that make invalid Service/StatefulSet names, saying why', () => {
  assert.doesNotThrow(() => renderClusterWithWarnings(yaml('a'.repeat(40))));
  for (const name of BAD_NAMES) {
    assert.throws(() => renderClusterWithWarnings(yaml(name)), (e: Error) => e.message.includes(`metadata.name '${name}'`)
      && /at most 40|DNS-1035|DNS-1123/.test(e.message), name);
  }
});

test('the CRD refuses those names (root x-kubernetes-validations); a 40-character name is applied', async () => {
  const { api, clock } = newApi();
  await healthyCluster(api);
  for (const name of BAD_NAMES) {
    await assert.rejects(api.create(clusterCr(name, NS)), (e: KubeApiError) => e.code === 422 && /at most 40|DNS-1035|DNS-1123/.test(e.message), name);
  }
  const name = 'a'.repeat(40);
  await api.create(clusterCr(name, NS));
  // Every object it renders passes the server's name rules (Services are DNS-1035 labels).
  await new AlluxioClusterReconciler({ api, clock }).reconcile({ apiVersion: API_VERSION, kind: 'AlluxioCluster', namespace: NS, name });
  assert.ok(await api.get({ apiVersion: 'v1', kind: 'Service', namespace: NS, name: `${name}-coordinator-headless` }));
});

test('the in-memory API refuses a Service whose name is not a DNS-1035 label, as the server does', async () => {
  const { api } = newApi();
  await assert.rejects(api.create({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'a.b', namespace: NS }, spec: {} }), (e: KubeApiError) => e.code === 422);
});

test('spec.properties: an Alluxio key alluxio-ts does not use is a warning; a typo or a bad value is SpecValid=False naming the key', async () => {
  const r = renderClusterWithWarnings(yaml('alluxio', { 'alluxio.master.metastore': 'ROCKS' }));
  assert.ok(r.warnings.some((w) => w.includes('alluxio.master.metastore') && w.includes('known Alluxio property, not used by alluxio-ts')));
  assert.throws(() => renderClusterWithWarnings(yaml('alluxio', { 'alluxio.worker.page.store.sise': '1GB' })),
    /unknown property 'alluxio\.worker\.page\.store\.sise' \(did you mean 'alluxio\.worker\.page\.store\.sizes'\?\)/);

  const { api, clock } = newApi();
  await healthyCluster(api);
  await api.create(clusterCr('alluxio', NS, { properties: { 'alluxio.user.worker.selection.policy': 'NEAREST', 'alluxio.typo.key': 'x' } }));
  const ref = { apiVersion: API_VERSION, kind: 'AlluxioCluster', namespace: NS, name: 'alluxio' };
  await new AlluxioClusterReconciler({ api, clock }).reconcile(ref);
  const s = (await api.get(ref))!.status;
  assert.equal(s.phase, 'Failed');
  const valid = s.conditions.find((c: { type: string }) => c.type === CONDITION.SpecValid);
  assert.equal(valid.status, 'False');
  assert.match(valid.message, /spec\.properties\["alluxio\.user\.worker\.selection\.policy"\] = 'NEAREST' is not valid: expected/);
  assert.match(valid.message, /unknown property 'alluxio\.typo\.key'/);
  assert.equal(await api.get({ apiVersion: 'apps/v1', kind: 'StatefulSet', namespace: NS, name: 'alluxio-worker' }), undefined, 'nothing rendered');
});

test('each phase change is an Event on the AlluxioCluster; Failed is a Warning with the reason', async () => {
  const { api, clock } = newApi();
  await healthyCluster(api);
  await api.create(clusterCr('alluxio', NS, { properties: { 'alluxio.typo.key': 'x' } }));
  const ref = { apiVersion: API_VERSION, kind: 'AlluxioCluster', namespace: NS, name: 'alluxio' };
  await new AlluxioClusterReconciler({ api, clock }).reconcile(ref);
  await new AlluxioClusterReconciler({ api, clock }).reconcile(ref);
  const events = (await api.list('v1', 'Event', { namespace: NS })).items.filter((e) => e.involvedObject.name === 'alluxio');
  assert.deepEqual(events.map((e) => `${e.type} ${e.reason}`).sort(), ['Normal Pending', 'Warning Failed']);
  assert.match(events.find((e) => e.reason === 'Failed')!.message, /alluxio\.typo\.key/);
});

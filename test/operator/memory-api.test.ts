// The in-memory Kubernetes API used by the operator tests (there is no API server on these
// machines) must keep the rules the operator relies on; this file pins them down.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryKubeApi } from './support/memory-api.js';
import type { KubeObject, WatchEvent } from '../../src/operator/kube/types.js';
import { clusterCr, newApi } from './support/sim.js';

const cm = (name: string, data: Record<string, string>, extra: Partial<KubeObject['metadata']> = {}): KubeObject =>
  ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'ns', ...extra }, data });
const sts = (name: string, replicas: number): KubeObject =>
  ({ apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name, namespace: 'ns' }, spec: { replicas, serviceName: 's', selector: {}, template: {} } });

test('resourceVersion: a stale update is a 409 conflict; a no-op apply does not bump it', async () => {
  const api = new MemoryKubeApi();
  const a = await api.apply(cm('a', { k: '1' }), { fieldManager: 'm' });
  const b = await api.update({ ...a, data: { k: '2' } });
  assert.notEqual(b.metadata.resourceVersion, a.metadata.resourceVersion);
  await assert.rejects(api.update({ ...a, data: { k: '3' } }), (e: { code: number }) => e.code === 409);
  const applied = await api.apply(cm('a', { k: '2' }), { fieldManager: 'm' });
  const again = await api.apply(cm('a', { k: '2' }), { fieldManager: 'm' });
  assert.equal(again.metadata.resourceVersion, applied.metadata.resourceVersion);
});

test('generation moves with spec only; status goes through the status subresource only', async () => {
  const api = new MemoryKubeApi();
  const s1 = await api.apply({ ...sts('w', 1), status: { readyReplicas: 9 } }, { fieldManager: 'op' });
  assert.equal(s1.metadata.generation, 1);
  assert.equal(s1.status, undefined, 'status in an apply is ignored');
  const s2 = await api.patchStatus({ apiVersion: 'apps/v1', kind: 'StatefulSet', namespace: 'ns', name: 'w' }, { readyReplicas: 1 }, { fieldManager: 'kcm' });
  assert.equal(s2.metadata.generation, 1);
  assert.equal(s2.status.readyReplicas, 1);
  const s3 = await api.apply({ ...sts('w', 1), metadata: { ...sts('w', 1).metadata, labels: { a: 'b' } } }, { fieldManager: 'op' });
  assert.equal(s3.metadata.generation, 1, 'metadata changes leave generation alone');
  const s4 = await api.apply(sts('w', 3), { fieldManager: 'op' });
  assert.equal(s4.metadata.generation, 2);
  assert.equal(s4.status.readyReplicas, 1, 'status survives a spec apply');
  assert.equal(s4.metadata.labels, undefined, 'a field the manager stopped applying is removed');
});

test('server-side apply: a changed field owned by another manager conflicts unless forced', async () => {
  const api = new MemoryKubeApi();
  await api.apply(sts('w', 2), { fieldManager: 'alice' });
  await assert.rejects(api.apply(sts('w', 5), { fieldManager: 'bob' }), /conflict.*spec\.replicas \(owned by alice\)/i);
  const same = await api.apply(sts('w', 2), { fieldManager: 'bob' });
  assert.deepEqual(same.metadata.managedFields!.map((m) => m.manager).sort(), ['alice', 'bob'], 'equal values are shared');
  const forced = await api.apply(sts('w', 5), { fieldManager: 'bob', force: true });
  assert.equal(forced.spec.replicas, 5);
  const alice = forced.metadata.managedFields!.find((m) => m.manager === 'alice')!;
  assert.equal((alice.fieldsV1 as { 'f:spec': Record<string, unknown> })['f:spec']['f:replicas'], undefined, 'ownership moved to bob');
});

test('finalizers hold deletion; owner references cascade, but not while another owner lives', async () => {
  const { api } = newApi();
  const owner = await api.create(clusterCr('c', 'ns'));
  const other = await api.create(cm('other', {}));
  const ref = (o: KubeObject) => ({ apiVersion: o.apiVersion, kind: o.kind, name: o.metadata.name, uid: o.metadata.uid! });
  await api.create(cm('child', {}, { ownerReferences: [ref(owner)] }));
  await api.create(cm('shared', {}, { ownerReferences: [ref(owner), ref(other)] }));
  await api.create(cm('held', {}, { ownerReferences: [ref(owner)], finalizers: ['x/y'] }));
  await api.delete({ apiVersion: owner.apiVersion, kind: owner.kind, namespace: 'ns', name: 'c' });
  const get = (name: string) => api.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'ns', name });
  assert.equal(await get('child'), undefined);
  assert.ok(await get('shared'));
  const held = (await get('held'))!;
  assert.ok(held.metadata.deletionTimestamp);
  await api.update({ ...held, metadata: { ...held.metadata, finalizers: [] } });
  assert.equal(await get('held'), undefined, 'gone once its finalizers are removed');
});

test('watch: events from a resourceVersion, and 410 Gone when it is too old', async () => {
  const api = new MemoryKubeApi({ historySize: 3 });
  const first = await api.list('v1', 'ConfigMap');
  await api.apply(cm('a', { k: '1' }), { fieldManager: 'm' });
  const events: WatchEvent[] = [];
  await api.watch('v1', 'ConfigMap', { resourceVersion: first.resourceVersion }, (e) => events.push(e), () => {});
  await api.apply(cm('a', { k: '2' }), { fieldManager: 'm' });
  await api.delete({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'ns', name: 'a' });
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(events.map((e) => e.type), ['ADDED', 'MODIFIED', 'DELETED']);
  for (let i = 0; i < 5; i++) await api.apply(cm(`x${i}`, {}), { fieldManager: 'm' });
  const gone = await new Promise<number | undefined>((resolve) => {
    void api.watch('v1', 'ConfigMap', { resourceVersion: first.resourceVersion }, () => {}, (err) => resolve(err?.code));
  });
  assert.equal(gone, 410);
});

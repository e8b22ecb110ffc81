// RestKubeApi (src/operator/kube/rest-api.ts) against an HTTP server speaking the Kubernetes
// wire protocol (support/kube-wire-server.ts): there is no API server on these machines, so this
// checks what goes over the wire and how the answers are read: SSA and status content types,
// watch streaming (chunks split mid-line and mid-character, BOOKMARK, ERROR 410 -> relist),
// the mapping of 400/404/409/410/422 and of a non-JSON error body, and Lease MicroTime.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse as parseYaml } from 'yaml';
import { ManualClock } from '../../src/operator/controllers/clock.js';
import { LeaderElector } from '../../src/operator/controllers/leader-election.js';
import { Manager } from '../../src/operator/controllers/manager.js';
import { RestKubeApi } from '../../src/operator/kube/rest-api.js';
import { MICRO_TIME } from '../../src/operator/kube/time.js';
import { KubeApiError, type KubeObject, type ObjectRef, type WatchEvent } from '../../src/operator/kube/types.js';
import { KubeWireServer, TOKEN } from './support/kube-wire-server.js';
import { MemoryKubeApi } from './support/memory-api.js';

const NS = 'alx-ns';
const CM = { apiVersion: 'v1', kind: 'ConfigMap', namespace: NS, name: 'conf' };

async function setup(t: { after: (fn: () => Promise<void>) => void }) {
  const mem = new MemoryKubeApi();
  const server = new KubeWireServer(mem);
  await server.start();
  t.after(() => server.stop());
  return { mem, server, api: new RestKubeApi(server.kubeConfig()) };
}

async function until(what: string, fn: () => boolean | Promise<boolean>, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('server-side apply is PATCH application/apply-patch+yaml with fieldManager and force, and strings stay strings', async (t) => {
  const { server, api, mem } = await setup(t);
  // Values YAML 1.1 (the API server's decoder) would read as a bool, a base-60 int, a float.
  const data = { mode: 'on', enabled: 'yes', at: '12:30', ratio: '1e3', plain: 'text' };
  await api.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'conf', namespace: NS, labels: { tier: 'off' }, managedFields: [{ manager: 'x', operation: 'Apply' }], resourceVersion: '7' }, data },
    { fieldManager: 'alluxio-operator', force: true });
  const req = server.requests.find((r) => r.method === 'PATCH')!;
  assert.equal(req.path, `/api/v1/namespaces/${NS}/configmaps/conf`);
  assert.equal(req.headers['content-type'], 'application/apply-patch+yaml');
  assert.equal(req.query.get('fieldManager'), 'alluxio-operator');
  assert.equal(req.query.get('force'), 'true');
  assert.equal(req.headers.authorization, `Bearer ${TOKEN}`);
  const sent = parseYaml(req.body, { version: '1.1' });
  assert.equal(sent.metadata.managedFields, undefined, 'managedFields must be nil in an apply');
  assert.equal(sent.metadata.resourceVersion, undefined);
  assert.deepEqual((await mem.get(CM))!.data, data);
  assert.deepEqual((await mem.get(CM))!.metadata.labels, { tier: 'off' });
});

test('status is PATCH .../status application/merge-patch+json; null removes a field', async (t) => {
  const { server, api, mem } = await setup(t);
  await mem.create({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data-0', namespace: NS }, spec: {} });
  const ref = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: NS, name: 'data-0' };
  await api.patchStatus(ref, { phase: 'Pending', message: 'waiting' }, { fieldManager: 'alluxio-operator' });
  await api.patchStatus(ref, { phase: 'Bound', message: null }, { fieldManager: 'alluxio-operator' });
  const reqs = server.requests.filter((r) => r.method === 'PATCH');
  assert.equal(reqs.length, 2);
  for (const r of reqs) {
    assert.equal(r.path, `/api/v1/namespaces/${NS}/persistentvolumeclaims/data-0/status`);
    assert.equal(r.headers['content-type'], 'application/merge-patch+json');
    assert.equal(r.query.get('fieldManager'), 'alluxio-operator');
  }
  assert.deepEqual(JSON.parse(reqs[1]!.body), { status: { phase: 'Bound', message: null } });
  assert.deepEqual((await mem.get(ref))!.status, { phase: 'Bound' });
});

test('errors map to KubeApiError with the Status code and reason: 404, 409 (exists, stale version), 422, 400; a non-JSON body too', async (t) => {
  const { server, api } = await setup(t);
  assert.equal(await api.get(CM), undefined, '404 on get is "not there"');
  await assert.rejects(api.delete(CM), (e: KubeApiError) => e instanceof KubeApiError && e.code === 404 && e.reason === 'NotFound');
  const created = await api.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'conf', namespace: NS }, data: { a: '1' } });
  assert.equal(created.metadata.name, 'conf');
  await assert.rejects(api.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'conf', namespace: NS }, data: {} }),
    (e: KubeApiError) => e.code === 409 && e.reason === 'AlreadyExists' && /already exists/.test(e.message));
  const cur = (await api.get(CM))!;
  await api.update({ ...cur, data: { a: '2' } });
  await assert.rejects(api.update({ ...cur, data: { a: '3' } }), (e: KubeApiError) => e.code === 409 && e.reason === 'Conflict' && /modified/.test(e.message));

  const sts: KubeObject = { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 's', namespace: NS },
    spec: { replicas: 1, serviceName: 's', selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [] } },
      volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { resources: { requests: { storage: '10Gi' } } } }] } };
  await api.apply(sts, { fieldManager: 'alluxio-operator' });
  await assert.rejects(api.apply({ ...sts, spec: { ...sts.spec, volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { resources: { requests: { storage: '20Gi' } } } }] } },
    { fieldManager: 'alluxio-operator' }), (e: KubeApiError) => e.code === 422 && /volumeClaimTemplates/.test(e.message));
  await assert.rejects(api.create({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'l', namespace: NS },
    spec: { holderIdentity: 'x', renewTime: new Date().toISOString() } }), (e: KubeApiError) => e.code === 400);

  server.failNext = { status: 502, body: '<html><body>502 Bad Gateway</body></html>', contentType: 'text/html' };
  await assert.rejects(api.list('v1', 'ConfigMap', { namespace: NS }),
    (e: unknown) => e instanceof KubeApiError && e.code === 502 && /Bad Gateway/.test(e.message));
});

test('list sends the label selector and gives items their apiVersion and kind', async (t) => {
  const { server, api, mem } = await setup(t);
  await mem.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: NS, labels: { app: 'x', tier: 'y' } } });
  await mem.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b', namespace: NS, labels: { app: 'z' } } });
  const l = await api.list('v1', 'ConfigMap', { namespace: NS, labelSelector: { app: 'x', tier: 'y' } });
  assert.deepEqual(l.items.map((o) => [o.apiVersion, o.kind, o.metadata.name]), [['v1', 'ConfigMap', 'a']]);
  assert.ok(l.resourceVersion);
  assert.equal(server.requests.at(-1)!.query.get('labelSelector'), 'app=x,tier=y');
});

test('watch: newline-delimited events split across chunks (mid-character too), BOOKMARKs skipped, ERROR 410 and HTTP 410 end it with code 410', async (t) => {
  const { server, api, mem } = await setup(t);
  const rv = (await api.list('v1', 'ConfigMap', { namespace: NS })).resourceVersion;
  const events: WatchEvent[] = [];
  let done: unknown = 'open';
  await api.watch('v1', 'ConfigMap', { namespace: NS, resourceVersion: rv }, (e) => events.push(e), (err) => { done = err; });
  await until('watch open', () => server.openWatches() === 1);
  const w = server.requests.find((r) => r.query.get('watch'))!;
  assert.equal(w.query.get('resourceVersion'), rv);
  assert.equal(w.query.get('allowWatchBookmarks'), 'true');
  await mem.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'conf', namespace: NS }, data: { greeting: 'grüße, café' } });
  await server.bookmark();
  const cur = (await mem.get(CM))!;
  await mem.update({ ...cur, data: { greeting: 'ça va' } });
  await mem.delete(CM);
  await until('3 events', () => events.length === 3);
  assert.deepEqual(events.map((e) => [e.type, e.object.apiVersion, e.object.kind, e.object.metadata.name]),
    [['ADDED', 'v1', 'ConfigMap', 'conf'], ['MODIFIED', 'v1', 'ConfigMap', 'conf'], ['DELETED', 'v1', 'ConfigMap', 'conf']]);
  assert.equal(events[0]!.object.data.greeting, 'grüße, café');
  assert.equal(events[1]!.object.data.greeting, 'ça va');

  server.expireWatches();
  await until('watch ended', () => done !== 'open');
  assert.ok(done instanceof KubeApiError && done.code === 410 && done.reason === 'Expired', String(done));

  // A version the server no longer has: the watch request itself is answered 410.
  const mem2 = new MemoryKubeApi({ historySize: 1 });
  const server2 = new KubeWireServer(mem2);
  await server2.start();
  t.after(() => server2.stop());
  for (const n of ['a', 'b', 'c']) await mem2.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: n, namespace: NS } });
  let done2: unknown = 'open';
  await new RestKubeApi(server2.kubeConfig()).watch('v1', 'ConfigMap', { namespace: NS, resourceVersion: '1' }, () => undefined, (err) => { done2 = err; });
  await until('watch refused', () => done2 !== 'open');
  assert.ok(done2 instanceof KubeApiError && done2.code === 410, String(done2));
});

test('the manager relists and watches again when the server says 410 Gone', async (t) => {
  const { server, api, mem } = await setup(t);
  const seen: string[] = [];
  const m = new Manager({ api, reconcilers: [{ apiVersion: 'v1', kind: 'ConfigMap', reconcile: async (ref: ObjectRef) => { seen.push(ref.name); return {}; } }],
    namespace: NS, resyncMs: 600_000, onFatal: (e: Error) => assert.fail(e) });
  await m.start();
  t.after(() => m.stop());
  await until('watch open', () => server.openWatches() === 1);
  const lists = () => server.requests.filter((r) => r.method === 'GET' && r.path.endsWith('/configmaps') && !r.query.get('watch')).length;
  const before = lists();
  server.expireWatches();
  await until('relisted and watching again', () => lists() > before && server.openWatches() === 1);
  await mem.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'after-410', namespace: NS } });
  await until('event after the new watch', () => seen.includes('after-410'));
});

test('leader election over the wire: Lease times are MicroTime (6 fractional digits) and the lease is acquired', async (t) => {
  const { server, api } = await setup(t);
  const clock = new ManualClock(Date.parse('2025-01-01T00:00:00.123Z'));
  const e = new LeaderElector({ api, clock, namespace: NS, name: 'alluxio-operator', identity: 'pod-a' });
  assert.equal(await e.tryAcquireOrRenew(), true);
  clock.advance(5_000);
  assert.equal(await e.tryAcquireOrRenew(), true);
  const create = server.requests.find((r) => r.method === 'POST' && r.path.endsWith('/leases'))!;
  const body = JSON.parse(create.body);
  assert.equal(body.spec.acquireTime, '2025-01-01T00:00:00.123000Z');
  assert.match(body.spec.renewTime, MICRO_TIME);
  const put = server.requests.find((r) => r.method === 'PUT' && r.path.endsWith('/leases/alluxio-operator'))!;
  assert.equal(JSON.parse(put.body).spec.renewTime, '2025-01-01T00:00:05.123000Z');
});

// Reconciler tests against the in-memory Kubernetes API (test/operator/support/memory-api.ts):
// there is no API server on these machines, so resourceVersion conflicts, generation and
// observedGeneration, the status subresource, owner-reference garbage collection and
// server-side apply ownership are those of the in-memory API, which keeps Kubernetes' rules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AlluxioClusterReconciler } from '../../src/operator/controllers/alluxio-cluster-controller.js';
import { CONDITION, FIELD_MANAGER, REASON } from '../../src/operator/constants.js';
import type { KubeObject, ObjectRef } from '../../src/operator/kube/types.js';
import { addPod, bindEtcdPvcs, clusterCr, healthyCluster, markWorkloadsReady, newApi, addNodes, addStorageClass } from './support/sim.js';

const NS = 'alx-ns';
const REF: ObjectRef = { apiVersion: 'k8s-operator.alluxio.com/v1', kind: 'AlluxioCluster', namespace: NS, name: 'alluxio' };

async function setup(spec: Record<string, unknown> = {}, opts: { healthy?: boolean } = {}) {
  const { api, clock } = newApi();
  if (opts.healthy !== false) await healthyCluster(api);
  await api.create(clusterCr('alluxio', NS, spec));
  const r = new AlluxioClusterReconciler({ api, clock });
  const status = async () => (await api.get(REF))!.status;
  const cond = async (type: string) => (await status()).conditions.find((c: { type: string }) => c.type === type);
  return { api, clock, r, status, cond };
}

const get = (api: { get: (r: ObjectRef) => Promise<KubeObject | undefined> }, kind: string, name: string, apiVersion = 'apps/v1') =>
  api.get({ apiVersion, kind, namespace: NS, name });

test('fresh create: Pending → Creating → WaitingForReady → Ready once the pods report ready', async () => {
  const { api, r, status } = await setup({ worker: { count: 2 }, etcd: { replicaCount: 3 } });
  const phases: string[] = [];
  const h = await api.watch(REF.apiVersion, 'AlluxioCluster', { namespace: NS }, (e) => { if (e.object.status?.phase) phases.push(e.object.status.phase); }, () => {});
  await r.reconcile(REF);
  assert.equal((await status()).phase, 'Creating');
  for (const [kind, name] of [['StatefulSet', 'alluxio-worker'], ['StatefulSet', 'alluxio-coordinator'], ['StatefulSet', 'alluxio-etcd'],
    ['Deployment', 'alluxio-prometheus'], ['Deployment', 'alluxio-grafana']]) {
    assert.ok(await get(api, kind!, name!), `${kind} ${name} created`);
  }
  for (const name of ['alluxio-alluxio-conf', 'alluxio-grafana-dashboards']) assert.ok(await get(api, 'ConfigMap', name, 'v1'));
  for (const name of ['alluxio-coordinator', 'alluxio-coordinator-headless', 'alluxio-worker', 'alluxio-worker-headless', 'alluxio-etcd', 'alluxio-etcd-headless']) {
    assert.ok(await get(api, 'Service', name, 'v1'), `Service ${name}`);
  }
  const worker = (await get(api, 'StatefulSet', 'alluxio-worker'))!;
  assert.equal(worker.spec.replicas, 2);
  assert.equal(worker.metadata.ownerReferences![0]!.kind, 'AlluxioCluster');
  assert.ok(worker.metadata.managedFields!.some((m: { manager: string; operation: string }) => m.manager === FIELD_MANAGER && m.operation === 'Apply'));

  await r.reconcile(REF);
  assert.equal((await status()).phase, 'WaitingForReady');
  await bindEtcdPvcs(api, NS, 'alluxio', 3);
  await markWorkloadsReady(api, NS);
  const res = await r.reconcile(REF);
  const s = await status();
  assert.equal(s.phase, 'Ready');
  assert.equal(s.observedGeneration, (await api.get(REF))!.metadata.generation);
  assert.deepEqual(s.workers, { desired: 2, ready: 2 });
  assert.ok(res.requeueAfterMs! > 0);
  await new Promise((resolve) => setImmediate(resolve));
  h.stop();
  assert.deepEqual([...new Set(phases)], ['Pending', 'Creating', 'WaitingForReady', 'Ready']);
});

test('a second reconcile of a Ready cluster writes nothing (no-op apply, no status patch)', async () => {
  const { api, r } = await setup({ etcd: { replicaCount: 1 } });
  await r.reconcile(REF);
  await bindEtcdPvcs(api, NS, 'alluxio', 1);
  await markWorkloadsReady(api, NS);
  await r.reconcile(REF);
  const before = (await api.list('apps/v1', 'StatefulSet', { namespace: NS })).resourceVersion;
  const patches = api.writes.patchStatus;
  await r.reconcile(REF);
  assert.equal((await api.list('apps/v1', 'StatefulSet', { namespace: NS })).resourceVersion, before);
  assert.equal(api.writes.patchStatus, patches);
});

async function readyCluster(spec: Record<string, unknown>) {
  const ctx = await setup(spec);
  await ctx.r.reconcile(REF);
  await bindEtcdPvcs(ctx.api, NS, 'alluxio', (spec.etcd as { replicaCount?: number })?.replicaCount ?? 3);
  await markWorkloadsReady(ctx.api, NS);
  await ctx.r.reconcile(REF);
  assert.equal((await ctx.status()).phase, 'Ready');
  return ctx;
}

async function editSpec(api: Awaited<ReturnType<typeof setup>>['api'], edit: (spec: Record<string, any>) => void) {
  const cur = (await api.get(REF))!;
  edit(cur.spec);
  await api.update(cur, { fieldManager: 'kubectl-edit' });
}

test('scale workers 2 → 4 → 2: Updating while rolling, Ready after, generation observed', async () => {
  const { api, r, status } = await readyCluster({ worker: { count: 2 } });
  for (const count of [4, 2]) {
    await editSpec(api, (s) => { s.worker.count = count; });
    const gen = (await api.get(REF))!.metadata.generation;
    await r.reconcile(REF);
    const sts = (await get(api, 'StatefulSet', 'alluxio-worker'))!;
    assert.equal(sts.spec.replicas, count);
    assert.equal((await status()).phase, 'Updating');
    assert.equal((await status()).observedGeneration, gen);
    await markWorkloadsReady(api, NS);
    await r.reconcile(REF);
    assert.equal((await status()).phase, 'Ready');
    assert.deepEqual((await status()).workers, { desired: count, ready: count });
  }
});

test('changing spec.properties rewrites the config map and rolls the pods that use it', async () => {
  const { api, r, status } = await readyCluster({ properties: { 'alluxio.user.worker.selection.policy': 'CONSISTENT' } });
  const cm1 = (await get(api, 'ConfigMap', 'alluxio-alluxio-conf', 'v1'))!;
  const w1 = (await get(api, 'StatefulSet', 'alluxio-worker'))!;
  const etcd1 = (await get(api, 'StatefulSet', 'alluxio-etcd'))!;
  const hash1 = w1.spec.template.metadata.annotations['k8s-operator.alluxio.com/config-hash'];
  await editSpec(api, (s) => { s.properties['alluxio.user.worker.selection.policy'] = 'MAGLEV'; });
  await r.reconcile(REF);
  const cm2 = (await get(api, 'ConfigMap', 'alluxio-alluxio-conf', 'v1'))!;
  assert.match(cm2.data['alluxio-site.properties'], /^alluxio\.user\.worker\.selection\.policy=MAGLEV$/m);
  assert.notEqual(cm2.metadata.resourceVersion, cm1.metadata.resourceVersion);
  const w2 = (await get(api, 'StatefulSet', 'alluxio-worker'))!;
  const c2 = (await get(api, 'StatefulSet', 'alluxio-coordinator'))!;
  assert.notEqual(w2.spec.template.metadata.annotations['k8s-operator.alluxio.com/config-hash'], hash1);
  assert.equal(w2.metadata.generation, w1.metadata.generation! + 1, 'worker template changed → rollout');
  assert.equal(c2.spec.template.metadata.annotations['k8s-operator.alluxio.com/config-hash'],
    w2.spec.template.metadata.annotations['k8s-operator.alluxio.com/config-hash']);
  assert.equal((await get(api, 'StatefulSet', 'alluxio-etcd'))!.metadata.generation, etcd1.metadata.generation, 'etcd does not use the config map');
  assert.equal((await status()).phase, 'Updating');
});

test('deleting the cluster removes everything it owns (owner-reference garbage collection)', async () => {
  const { api, r } = await setup({ fuse: { type: 'daemonSet' } });
  await r.reconcile(REF);
  const owned = async () => {
    let n = 0;
    for (const [v, k] of [['v1', 'ConfigMap'], ['v1', 'Service'], ['apps/v1', 'StatefulSet'], ['apps/v1', 'Deployment'], ['apps/v1', 'DaemonSet']]) {
      n += (await api.list(v!, k!, { namespace: NS })).items.length;
    }
    return n;
  };
  assert.ok(await owned() >= 15);
  await api.delete(REF);
  assert.equal(await api.get(REF), undefined);
  assert.equal(await owned(), 0);
  assert.deepEqual(await r.reconcile(REF), {}, 'a deleted cluster is done');
});

test('disabling FUSE, Prometheus and Grafana prunes their objects; user objects are left alone', async () => {
  const { api, r } = await setup({ fuse: { type: 'daemonSet' } });
  await api.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'mine', namespace: NS, labels: { 'app.kubernetes.io/instance': 'alluxio' } }, data: {} });
  await r.reconcile(REF);
  assert.ok(await get(api, 'DaemonSet', 'alluxio-fuse'));
  await editSpec(api, (s) => { s.fuse.type = 'none'; s.prometheus.enabled = false; s.grafana.enabled = false; });
  await r.reconcile(REF);
  assert.equal(await get(api, 'DaemonSet', 'alluxio-fuse'), undefined);
  assert.equal(await get(api, 'Deployment', 'alluxio-grafana'), undefined);
  assert.equal(await get(api, 'ConfigMap', 'alluxio-prometheus-conf', 'v1'), undefined);
  assert.ok(await get(api, 'ConfigMap', 'mine', 'v1'));
  assert.ok(await get(api, 'StatefulSet', 'alluxio-worker'));
});

test('a field another manager changed is taken back; a field only it set is kept', async () => {
  const { api, r } = await setup();
  await r.reconcile(REF);
  const w = (await get(api, 'StatefulSet', 'alluxio-worker'))!;
  w.spec.replicas = 7;
  w.metadata.annotations = { 'example.com/note': 'kept' };
  await api.update(w, { fieldManager: 'kubectl-edit' });
  await r.reconcile(REF);
  const after = (await get(api, 'StatefulSet', 'alluxio-worker'))!;
  assert.equal(after.spec.replicas, 1);
  assert.equal(after.metadata.annotations!['example.com/note'], 'kept');
});

test('failure: etcd PVCs with no StorageClass → EtcdStorageBound=False NoStorageClass, phase Failed', async () => {
  const { api, clock } = newApi();
  await addNodes(api, 3);
  await api.create(clusterCr('alluxio', NS, {}));
  const r = new AlluxioClusterReconciler({ api, clock });
  await r.reconcile(REF);
  await bindEtcdPvcs(api, NS, 'alluxio', 3, 'Pending');
  await r.reconcile(REF);
  const s = (await api.get(REF))!.status;
  assert.equal(s.phase, 'Failed');
  const c = s.conditions.find((x: { type: string }) => x.type === CONDITION.EtcdStorage);
  assert.equal(c.status, 'False');
  assert.equal(c.reason, REASON.NoStorageClass);
  assert.match(c.message, /data-alluxio-etcd-0/);
  assert.match(s.errorMessage, /storage class/);
  // Fixed by the user: a default StorageClass and bound PVCs.
  await addStorageClass(api);
  for (let i = 0; i < 3; i++) await api.patchStatus({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: NS, name: `data-alluxio-etcd-${i}` }, { phase: 'Bound' }, { fieldManager: 'pv' });
  await r.reconcile(REF);
  const s2 = (await api.get(REF))!.status;
  assert.notEqual(s2.phase, 'Failed');
  assert.equal(s2.errorMessage, undefined);
});

test('failure: a named StorageClass that does not exist', async () => {
  const { r, cond } = await setup({ etcd: { persistence: { storageClass: 'gp3' } } });
  await r.reconcile(REF);
  const c = await cond(CONDITION.EtcdStorage);
  assert.equal(c.reason, REASON.StorageClassNotFound);
  assert.match(c.message, /'gp3' does not exist.*standard/);
});

test('failure: fewer schedulable nodes than etcd replicas (anti-affinity)', async () => {
  const { api, clock } = newApi();
  await addNodes(api, 1);
  await addStorageClass(api);
  await api.create(clusterCr('alluxio', NS, { etcd: { replicaCount: 3 } }));
  const r = new AlluxioClusterReconciler({ api, clock });
  await r.reconcile(REF);
  const s = (await api.get(REF))!.status;
  assert.equal(s.phase, 'Failed');
  const c = s.conditions.find((x: { type: string }) => x.type === CONDITION.EtcdSchedulable);
  assert.equal(c.reason, REASON.InsufficientNodes);
  assert.match(c.message, /replicaCount is 3 but only 1 node/);
  assert.match(c.message, /replicaCount: 1/);
});

test('failure: image pull errors name the pod, container and image', async () => {
  const { api, r, status, cond } = await setup({ imagePullSecrets: ['regcred'] });
  await r.reconcile(REF);
  await addPod(api, NS, 'alluxio', 'alluxio-worker-0', {
    containerStatuses: [{ name: 'alluxio-worker', image: 'alluxio/alluxio-ts:0.1.0', state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "alluxio/alluxio-ts:0.1.0"' } } }],
  });
  await r.reconcile(REF);
  assert.equal((await status()).phase, 'Failed');
  const c = await cond(CONDITION.ImagesPulled);
  assert.equal(c.reason, REASON.ImagePullFailed);
  assert.match(c.message, /alluxio-worker-0 container alluxio-worker cannot pull image 'alluxio\/alluxio-ts:0.1.0' \(ImagePullBackOff/);
  assert.match(c.message, /regcred/);
});

test('failure: page store larger than the disk, reported by the init container', async () => {
  const { api, r, status, cond } = await setup({ worker: { pagestore: { size: '90GB' } } });
  await r.reconcile(REF);
  const warn = await cond(CONDITION.SpecWarnings);
  assert.match(warn.message, /'90GB' is read as 90Gi \(96\.6 GB/);
  const msg = 'ALX_PAGESTORE_TOO_LARGE: worker.pagestore.size 90GB (96.6 GB) exceeds the total disk space at /mnt/alluxio/pagestore on node node-0 (84 GB); set it to about 90% of the disk, in Gi';
  await addPod(api, NS, 'alluxio', 'alluxio-worker-0', {
    initContainerStatuses: [{ name: 'path-permission', state: { terminated: { exitCode: 1, reason: 'Error', message: msg } } }],
  });
  await r.reconcile(REF);
  assert.equal((await status()).phase, 'Failed');
  const c = await cond(CONDITION.PagestoreFits);
  assert.equal(c.reason, REASON.PagestoreExceedsDisk);
  assert.match(c.message, /alluxio-worker-0: worker.pagestore.size 90GB .* exceeds the total disk space .* node-0/);
});

test('failure: hostPath not writable, from the FailedMount event and from the init container', async () => {
  const { api, r, status, cond } = await setup();
  await r.reconcile(REF);
  await addPod(api, NS, 'alluxio', 'alluxio-worker-0', { phase: 'Pending' });
  await api.create({
    apiVersion: 'v1', kind: 'Event', metadata: { name: 'alluxio-worker-0.1', namespace: NS },
    involvedObject: { kind: 'Pod', name: 'alluxio-worker-0', namespace: NS }, reason: 'FailedMount', type: 'Warning',
    message: 'MountVolume.SetUp failed for volume "pagestore" : mkdir /mnt/alluxio: read-only file system',
  });
  await addPod(api, NS, 'alluxio', 'alluxio-coordinator-0', {
    initContainerStatuses: [{ name: 'path-permission', state: { terminated: { exitCode: 1, message: 'ALX_HOSTPATH_NOT_WRITABLE: hostPath /mnt/alluxio/logs on node node-1 is not writable' } } }],
  }, 'coordinator');
  await r.reconcile(REF);
  assert.equal((await status()).phase, 'Failed');
  const c = await cond(CONDITION.HostPathWritable);
  assert.equal(c.reason, REASON.HostPathNotWritable);
  assert.match(c.message, /alluxio-worker-0: MountVolume.SetUp failed .* read-only file system; .*\/home\/alluxio/);
  assert.match(c.message, /alluxio-coordinator-0: hostPath \/mnt\/alluxio\/logs on node node-1 is not writable/);
});

test('an invalid cluster (bypassing the schema) is reported in status, never thrown', async () => {
  const { api, clock } = newApi();
  await healthyCluster(api);
  // Store it without the CRD validator, as an API server with an older CRD would.
  const raw = new (api.constructor as typeof import('./support/memory-api.js').MemoryKubeApi)({ now: () => clock.now() });
  await healthyCluster(raw);
  await raw.create(clusterCr('alluxio', NS, { worker: { count: -1 }, fuse: { type: 'nfs' }, etcd: { enabled: false } }));
  const r = new AlluxioClusterReconciler({ api: raw, clock });
  assert.deepEqual(await r.reconcile(REF), {});
  const s = (await raw.get(REF))!.status;
  assert.equal(s.phase, 'Failed');
  const c = s.conditions.find((x: { type: string }) => x.type === CONDITION.SpecValid);
  assert.equal(c.reason, REASON.InvalidSpec);
  assert.match(c.message, /spec\.worker\.count/);
  assert.match(c.message, /spec\.fuse\.type/);
  assert.equal((await raw.list('apps/v1', 'StatefulSet', { namespace: NS })).items.length, 0, 'nothing created from an invalid spec');
});

test('the API server (CRD schema) rejects invalid clusters before the operator sees them', async () => {
  const { api } = newApi();
  for (const [spec, field] of [
    [{ worker: { count: -1 } }, /spec\.worker\.count/],
    [{ fuse: { type: 'nfs' } }, /spec\.fuse\.type/],
    [{ worker: { pagestore: { size: '90 gigs' } } }, /spec\.worker\.pagestore\.size/],
  ] as const) {
    await assert.rejects(api.create(clusterCr('bad', NS, spec as Record<string, unknown>)), (e: Error & { code?: number }) => e.code === 422 && field.test(e.message));
  }
});

test('etcd disabled without endpoints is a spec error; with endpoints no etcd objects are made', async () => {
  const { api, r, cond } = await setup({ etcd: { enabled: false } });
  await r.reconcile(REF);
  assert.match((await cond(CONDITION.SpecValid)).message, /alluxio\.etcd\.endpoints/);
  await editSpec(api, (s) => { s.properties = { 'alluxio.etcd.endpoints': 'http://ext:2379' }; });
  await r.reconcile(REF);
  assert.equal(await get(api, 'StatefulSet', 'alluxio-etcd'), undefined);
  const cm = (await get(api, 'ConfigMap', 'alluxio-alluxio-conf', 'v1'))!;
  assert.match(cm.data['alluxio-site.properties'], /^alluxio\.etcd\.endpoints=http:\/\/ext:2379$/m);
});

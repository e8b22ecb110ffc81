// Changes Kubernetes refuses to make in place (StatefulSet volumeClaimTemplates), on the in-memory
// Kubernetes API (no API server on these machines), which rejects changes to the immutable fields
// of StatefulSet, Service clusterIP, PVC spec and Job template with 422 as a real server does
// (test/operator/support/server-rules.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { API_VERSION, REASON } from '../../src/operator/constants.js';
import { AlluxioClusterReconciler } from '../../src/operator/controllers/alluxio-cluster-controller.js';
import { HttpEtcdMembers } from '../../src/operator/controllers/etcd-members.js';
import { KubeApiError, type KubeObject } from '../../src/operator/kube/types.js';
import { bindEtcdPvcs, clusterCr, healthyCluster, markWorkloadsReady, newApi } from './support/sim.js';

const NS = 'alx-ns';
const REF = { apiVersion: API_VERSION, kind: 'AlluxioCluster', namespace: NS, name: 'alluxio' };
const sts = (name: string) => ({ apiVersion: 'apps/v1', kind: 'StatefulSet', namespace: NS, name });

test('the in-memory API refuses immutable changes with 422 and allows the mutable ones', async () => {
  const { api } = newApi();
  const base: KubeObject = { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 's', namespace: NS },
    spec: { replicas: 1, serviceName: 's', selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [] } },
      volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { resources: { requests: { storage: '10Gi' } } } }] } };
  await api.apply(base, { fieldManager: 'm' });
  await api.apply({ ...base, spec: { ...base.spec, replicas: 3 } }, { fieldManager: 'm' });
  await assert.rejects(api.apply({ ...base, spec: { ...base.spec, volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { resources: { requests: { storage: '20Gi' } } } }] } },
    { fieldManager: 'm' }), (e: KubeApiError) => e.code === 422 && /volumeClaimTemplates/.test(e.message));
  await api.create({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'svc', namespace: NS }, spec: { clusterIP: '10.0.0.1' } });
  const svc = (await api.get({ apiVersion: 'v1', kind: 'Service', namespace: NS, name: 'svc' }))!;
  await assert.rejects(api.update({ ...svc, spec: { clusterIP: '10.0.0.2' } }), (e: KubeApiError) => e.code === 422);
  await bindEtcdPvcs(api, NS, 'x', 1);
  const pvc = (await api.get({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: NS, name: 'data-x-etcd-0' }))!;
  await api.update({ ...pvc, spec: { ...pvc.spec, resources: { requests: { storage: '20Gi' } } } });
  const grown = (await api.get({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: NS, name: 'data-x-etcd-0' }))!;
  await assert.rejects(api.update({ ...grown, spec: { ...grown.spec, resources: { requests: { storage: '5Gi' } } } }), (e: KubeApiError) => e.code === 422);
  await assert.rejects(api.update({ ...grown, spec: { ...grown.spec, storageClassName: 'other' } }), (e: KubeApiError) => e.code === 422);
});

test('changing etcd persistence and the image tag together: the etcd StatefulSet is recreated, the new image applied, never Failed', async () => {
  const { api, clock } = newApi();
  await healthyCluster(api);
  await api.create(clusterCr('alluxio', NS, { etcd: { replicaCount: 1 } }));
  const r = new AlluxioClusterReconciler({ api, clock });
  await r.reconcile(REF);
  await bindEtcdPvcs(api, NS, 'alluxio', 1);
  await markWorkloadsReady(api, NS);
  await r.reconcile(REF);
  assert.equal((await api.get(REF))!.status.phase, 'Ready');
  const oldUid = (await api.get(sts('alluxio-etcd')))!.metadata.uid;

  const cr = (await api.get(REF))!;
  await api.update({ ...cr, spec: { ...cr.spec, imageTag: '0.2.0', etcd: { ...cr.spec.etcd, persistence: { size: '20Gi' } } } });
  await r.reconcile(REF);
  const etcd = (await api.get(sts('alluxio-etcd')))!;
  assert.notEqual(etcd.metadata.uid, oldUid, 'recreated');
  assert.equal(etcd.spec.volumeClaimTemplates[0].spec.resources.requests.storage, '20Gi');
  const worker = (await api.get(sts('alluxio-worker')))!;
  assert.match(worker.spec.template.spec.containers[0].image, /:0\.2\.0$/);
  const s = (await api.get(REF))!.status;
  assert.notEqual(s.phase, 'Failed', JSON.stringify(s.conditions));
  const events = (await api.list('v1', 'Event', { namespace: NS })).items;
  assert.ok(events.some((e) => e.reason === REASON.StatefulSetRecreated && /alluxio-etcd \(volumeClaimTemplates\)/.test(e.message) && /PersistentVolumeClaims that already exist/.test(e.message)));
});

test('changing etcd.replicaCount while etcd cannot be reached changes no member and no pod, and says why', async () => {
  // Scaling itself, with real etcd processes: etcd-scaling.test.ts.
  const { api, clock } = newApi();
  await healthyCluster(api);
  await api.create(clusterCr('alluxio', NS, { etcd: { replicaCount: 3 } }));
  const r = new AlluxioClusterReconciler({ api, clock, etcdMembers: () => new HttpEtcdMembers(['http://127.0.0.1:1']) });
  await r.reconcile(REF);
  await bindEtcdPvcs(api, NS, 'alluxio', 3);
  await markWorkloadsReady(api, NS);
  await r.reconcile(REF);
  const before = (await api.get(sts('alluxio-etcd')))!;
  const cr = (await api.get(REF))!;
  await api.update({ ...cr, spec: { ...cr.spec, etcd: { ...cr.spec.etcd, replicaCount: 5 } } });
  await r.reconcile(REF);
  const after = (await api.get(sts('alluxio-etcd')))!;
  assert.equal(after.spec.replicas, 3);
  assert.deepEqual(after.spec.template, before.spec.template, 'etcd pods unchanged');
  const status = (await api.get(REF))!.status;
  const cond = status.conditions.find((c: { type: string }) => c.type === 'EtcdScaling');
  assert.equal(cond?.status, 'False');
  assert.equal(cond.reason, REASON.EtcdUnreachable);
  assert.match(cond.message, /cannot list etcd members to scale from 3 to 5: etcd not reachable/);
  assert.notEqual(status.phase, 'Ready');
  assert.deepEqual(status.etcd, { members: 3, target: 5, clusterState: 'new', step: cond.message });
});

test('a PVC page store\'s size and a metastore\'s type change: worker and coordinator StatefulSets recreated with the new claims, never Failed', async () => {
  const { api, clock } = newApi();
  await healthyCluster(api);
  await api.create(clusterCr('alluxio', NS, { etcd: { replicaCount: 1 },
    worker: { pagestore: { type: 'persistentVolumeClaim', size: '10Gi' } } }));
  const r = new AlluxioClusterReconciler({ api, clock });
  await r.reconcile(REF);
  await bindEtcdPvcs(api, NS, 'alluxio', 1);
  await markWorkloadsReady(api, NS);
  await r.reconcile(REF);
  assert.equal((await api.get(REF))!.status.phase, 'Ready');
  const uid = async (n: string) => (await api.get(sts(n)))!.metadata.uid;
  const [workerUid, coordUid] = [await uid('alluxio-worker'), await uid('alluxio-coordinator')];

  const cr = (await api.get(REF))!;
  await api.update({ ...cr, spec: { ...cr.spec,
    worker: { ...cr.spec.worker, pagestore: { ...cr.spec.worker.pagestore, size: '20Gi' } },
    coordinator: { ...cr.spec.coordinator, metastore: { ...cr.spec.coordinator.metastore, type: 'persistentVolumeClaim', size: '5Gi' } } } });
  await r.reconcile(REF);
  const worker = (await api.get(sts('alluxio-worker')))!;
  const coord = (await api.get(sts('alluxio-coordinator')))!;
  assert.notEqual(worker.metadata.uid, workerUid, 'worker recreated');
  assert.notEqual(coord.metadata.uid, coordUid, 'coordinator recreated');
  assert.equal(worker.spec.volumeClaimTemplates.find((t: { metadata: { name: string } }) => t.metadata.name === 'pagestore').spec.resources.requests.storage, '20Gi');
  assert.ok(coord.spec.volumeClaimTemplates.some((t: { metadata: { name: string } }) => t.metadata.name === 'metastore'), 'metastore claim');
  const s = (await api.get(REF))!.status;
  assert.notEqual(s.phase, 'Failed', JSON.stringify(s.conditions));
  const events = (await api.list('v1', 'Event', { namespace: NS })).items.filter((e) => e.reason === REASON.StatefulSetRecreated);
  assert.ok(events.some((e) => /alluxio-worker \(volumeClaimTemplates\)/.test(e.message) && /alluxio-coordinator \(volumeClaimTemplates\)/.test(e.message)), JSON.stringify(events.map((e) => e.message)));
  // Settled afterwards: nothing recreated again.
  await markWorkloadsReady(api, NS);
  await r.reconcile(REF);
  assert.equal((await api.get(sts('alluxio-worker')))!.metadata.uid, worker.metadata.uid);
});

// What users hit on a first install (seed 003 appendix D and real clusters), fed to the
// in-memory API with the field shapes the scheduler, admission, kubelet and the PV controller
// write; each becomes a condition with the cause and the fix, and clears when the cause goes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../src/operator/api/generate-crds.js';
import { renderCluster } from '../../src/operator/render.js';
import { AlluxioClusterReconciler } from '../../src/operator/controllers/alluxio-cluster-controller.js';
import { LicenseReconciler } from '../../src/operator/controllers/license-controller.js';
import { API_VERSION, CONDITION, REASON } from '../../src/operator/constants.js';
import type { KubeObject, ObjectRef } from '../../src/operator/kube/types.js';
import type { MemoryKubeApi } from './support/memory-api.js';
import { printerRow } from './support/printer-columns.js';
import { addNodes, addStorageClass, bindEtcdPvcs, clusterCr, healthyCluster, newApi } from './support/sim.js';

const NS = 'alx-ns';
const REF: ObjectRef = { apiVersion: API_VERSION, kind: 'AlluxioCluster', namespace: NS, name: 'alluxio' };
const podRef = (name: string): ObjectRef => ({ apiVersion: 'v1', kind: 'Pod', namespace: NS, name });

async function setup(spec: Record<string, unknown> = {}, opts: { healthy?: boolean } = {}) {
  const { api, clock } = newApi();
  if (opts.healthy !== false) await healthyCluster(api);
  await api.create(clusterCr('alluxio', NS, spec));
  const r = new AlluxioClusterReconciler({ api, clock });
  const status = async () => (await api.get(REF))!.status;
  const cond = async (type: string) => (await status()).conditions.find((c: { type: string }) => c.type === type);
  await r.reconcile(REF);
  return { api, clock, r, status, cond };
}

/** A pod as the StatefulSet/Deployment controller creates it (labels, containers with resources). */
async function createPod(api: MemoryKubeApi, name: string, component: string, status: Record<string, unknown>,
  spec: Record<string, unknown> = {}): Promise<void> {
  await api.create({
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace: NS, labels: { 'app.kubernetes.io/name': 'alluxio', 'app.kubernetes.io/instance': 'alluxio',
      'app.kubernetes.io/component': component, 'app.kubernetes.io/managed-by': 'alluxio-operator' } },
    spec: { containers: [{ name: `alluxio-${component}`, image: 'alluxio/alluxio-ts:0.1.0',
      resources: { requests: { cpu: '2', memory: '4Gi' }, limits: { memory: '4Gi' } }, terminationMessagePolicy: 'FallbackToLogsOnError' }], ...spec },
  });
  await api.patchStatus(podRef(name), status, { fieldManager: 'kubelet' });
}

/** PodScheduled=False as kube-scheduler writes it. */
const unschedulable = (message: string) => ({
  phase: 'Pending', qosClass: 'Burstable',
  conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message, lastProbeTime: null, lastTransitionTime: '2025-01-01T00:00:05Z' }],
});

const running = (container: string, restartCount = 0, lastState: Record<string, unknown> = {}) => ({
  phase: 'Running', podIP: '10.244.1.7', startTime: '2025-01-01T00:00:02Z',
  conditions: [{ type: 'PodScheduled', status: 'True' }, { type: 'Ready', status: 'True' }],
  containerStatuses: [{ name: container, ready: true, started: true, restartCount, image: 'docker.io/alluxio/alluxio-ts:0.1.0',
    imageID: 'docker.io/alluxio/alluxio-ts@sha256:0d5c', containerID: 'containerd://9a1f', state: { running: { startedAt: '2025-01-01T00:00:09Z' } }, lastState }],
});

async function event(api: MemoryKubeApi, name: string, involved: Record<string, unknown>, reason: string, message: string, at: string, type = 'Warning') {
  await api.create({
    apiVersion: 'v1', kind: 'Event', metadata: { name, namespace: NS }, involvedObject: { namespace: NS, ...involved },
    reason, message, type, count: 1, firstTimestamp: at, lastTimestamp: at, source: { component: 'statefulset-controller' },
  });
}

async function events(api: MemoryKubeApi, reason: string): Promise<KubeObject[]> {
  return (await api.list('v1', 'Event', { namespace: NS })).items.filter((e) => e.involvedObject?.kind === 'AlluxioCluster' && e.reason === reason);
}

test('etcd PVCs on a WaitForFirstConsumer class whose pods cannot be scheduled: WaitingForFirstConsumer, cleared once scheduled and bound', async () => {
  const { api, clock } = newApi();
  await addNodes(api, 3);
  await api.create({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass',
    metadata: { name: 'gp3', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
    provisioner: 'ebs.csi.aws.com', volumeBindingMode: 'WaitForFirstConsumer', reclaimPolicy: 'Delete' });
  await api.create(clusterCr('alluxio', NS, {}));
  const r = new AlluxioClusterReconciler({ api, clock });
  await r.reconcile(REF);
  await bindEtcdPvcs(api, NS, 'alluxio', 3, 'Pending', 'gp3');
  const msg = '0/3 nodes are available: 3 Insufficient memory. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.';
  for (let i = 0; i < 3; i++) await createPod(api, `alluxio-etcd-${i}`, 'etcd', unschedulable(msg));
  await event(api, 'data-alluxio-etcd-0.17a', { kind: 'PersistentVolumeClaim', name: 'data-alluxio-etcd-0' }, 'WaitForFirstConsumer',
    'waiting for first consumer to be created before binding', '2025-01-01T00:00:04Z', 'Normal');
  await r.reconcile(REF);
  const s = (await api.get(REF))!.status;
  assert.equal(s.phase, 'Failed');
  const c = s.conditions.find((x: { type: string }) => x.type === CONDITION.EtcdStorage);
  assert.equal(c.status, 'False');
  assert.equal(c.reason, REASON.WaitingForFirstConsumer);
  assert.match(c.message, /StorageClass 'gp3' binds a claim only once its pod is on a node \(volumeBindingMode: WaitForFirstConsumer\)/);
  assert.match(c.message, /data-alluxio-etcd-0, data-alluxio-etcd-1, data-alluxio-etcd-2 wait for pods alluxio-etcd-0, alluxio-etcd-1, alluxio-etcd-2, which cannot be scheduled \(0\/3 nodes are available: 3 Insufficient memory\.\)/);
  assert.doesNotMatch(c.message, /preemption/);
  const sched = s.conditions.find((x: { type: string }) => x.type === CONDITION.PodsScheduled);
  assert.equal(sched.reason, REASON.InsufficientResources);
  assert.match(sched.message, /^pods alluxio-etcd-0, alluxio-etcd-1, alluxio-etcd-2 cannot be scheduled \(0\/3 nodes are available: 3 Insufficient memory\.\); no node has enough free memory \(alluxio-etcd requests memory 4Gi\)/);
  assert.match(sched.message, /lower spec\.etcd\.resources\.requests or add nodes/);
  // Fixed: the pods fit, get scheduled, and the claims bind.
  for (let i = 0; i < 3; i++) {
    await api.delete(podRef(`alluxio-etcd-${i}`));
    await createPod(api, `alluxio-etcd-${i}`, 'etcd', running('alluxio-etcd'), { nodeName: `node-${i}` });
    await api.patchStatus({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: NS, name: `data-alluxio-etcd-${i}` }, { phase: 'Bound' }, { fieldManager: 'pv' });
  }
  await r.reconcile(REF);
  const s2 = (await api.get(REF))!.status;
  assert.notEqual(s2.phase, 'Failed');
  assert.equal(s2.conditions.find((x: { type: string }) => x.type === CONDITION.EtcdStorage).status, 'True');
  assert.equal(s2.conditions.find((x: { type: string }) => x.type === CONDITION.PodsScheduled).status, 'True');
});

test('etcd PVCs on a kubernetes.io/no-provisioner class with no matching PV: NoPersistentVolume, cleared when the PVs exist', async () => {
  const { api, clock } = newApi();
  await addNodes(api, 3);
  await api.create({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'local-storage' },
    provisioner: 'kubernetes.io/no-provisioner', volumeBindingMode: 'WaitForFirstConsumer', reclaimPolicy: 'Delete' });
  await api.create(clusterCr('alluxio', NS, { etcd: { persistence: { storageClass: 'local-storage', size: '10Gi' } } }));
  const r = new AlluxioClusterReconciler({ api, clock });
  await r.reconcile(REF);
  await bindEtcdPvcs(api, NS, 'alluxio', 3, 'Pending', 'local-storage');
  const pv = async (i: number, size: string, className = 'local-storage') => {
    await api.create({ apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: `local-pv-${i}` },
      spec: { capacity: { storage: size }, accessModes: ['ReadWriteOnce'], persistentVolumeReclaimPolicy: 'Retain', storageClassName: className,
        local: { path: `/mnt/disks/etcd${i}` },
        nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [`node-${i}`] }] }] } } } });
    await api.patchStatus({ apiVersion: 'v1', kind: 'PersistentVolume', name: `local-pv-${i}` }, { phase: 'Available' }, { fieldManager: 'pv-controller' });
  };
  await pv(0, '10Gi');
  await pv(1, '1Gi'); // too small
  await pv(2, '20Gi', 'other'); // another class
  await r.reconcile(REF);
  const c = (await api.get(REF))!.status.conditions.find((x: { type: string }) => x.type === CONDITION.EtcdStorage);
  assert.equal(c.status, 'False');
  assert.equal(c.reason, REASON.NoPersistentVolume);
  assert.match(c.message, /StorageClass 'local-storage', which has no provisioner \(kubernetes\.io\/no-provisioner\)/);
  assert.match(c.message, /1 Available PersistentVolume\(s\) of that class fit \(10Gi, ReadWriteOnce\) for 3 claim\(s\)/);
  assert.match(c.message, /Create 2 more PersistentVolume\(s\) with storageClassName: local-storage, capacity 10Gi or more/);
  await pv(3, '10Gi');
  await pv(4, '50Gi');
  await r.reconcile(REF);
  const c2 = (await api.get(REF))!.status.conditions.find((x: { type: string }) => x.type === CONDITION.EtcdStorage);
  assert.equal(c2.status, 'True', c2.message);
  assert.equal(c2.reason, REASON.PvcPending);
});

test('etcd PVC whose provisioner fails (ProvisioningFailed on the claim): the provisioner\'s message', async () => {
  const { api, clock } = newApi();
  await addNodes(api, 3);
  await addStorageClass(api, 'standard');
  await api.create(clusterCr('alluxio', NS, {}));
  const r = new AlluxioClusterReconciler({ api, clock });
  await r.reconcile(REF);
  await bindEtcdPvcs(api, NS, 'alluxio', 3, 'Pending', 'standard');
  await event(api, 'data-alluxio-etcd-1.17b', { kind: 'PersistentVolumeClaim', name: 'data-alluxio-etcd-1' }, 'ProvisioningFailed',
    'failed to provision volume with StorageClass "standard": rpc error: code = Internal desc = no space left on device', '2025-01-01T00:00:06Z');
  await r.reconcile(REF);
  const c = (await api.get(REF))!.status.conditions.find((x: { type: string }) => x.type === CONDITION.EtcdStorage);
  assert.equal(c.reason, REASON.ProvisioningFailed);
  assert.match(c.message, /\(rancher\.io\/local-path\) failed to create a volume for PVC data-alluxio-etcd-1: failed to provision volume .* no space left on device/);
});

test('etcd PVCs whose CSI provisioner never answers (EKS without the EBS CSI driver): ProvisionerNotResponding after 5 minutes', async () => {
  const { api, clock } = newApi();
  await addNodes(api, 3);
  await api.create({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass',
    metadata: { name: 'gp2', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
    provisioner: 'ebs.csi.aws.com', volumeBindingMode: 'Immediate', reclaimPolicy: 'Delete' });
  await api.create(clusterCr('alluxio', NS, {}));
  const r = new AlluxioClusterReconciler({ api, clock });
  await r.reconcile(REF);
  await bindEtcdPvcs(api, NS, 'alluxio', 3, 'Pending', 'gp2');
  await api.create({ apiVersion: 'v1', kind: 'Event', metadata: { name: 'data-alluxio-etcd-0.181', namespace: NS },
    involvedObject: { kind: 'PersistentVolumeClaim', name: 'data-alluxio-etcd-0', namespace: NS }, reason: 'ExternalProvisioning', type: 'Normal', count: 12,
    message: 'Waiting for a volume to be created either by the external provisioner \'ebs.csi.aws.com\' or manually by the system administrator. '
      + 'If volume creation is delayed, please verify that the provisioner is running and correctly registered.',
    firstTimestamp: clock.now().toISOString().replace(/\.\d{3}Z$/, 'Z'), lastTimestamp: clock.now().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    source: { component: 'persistentvolume-controller' } });
  await r.reconcile(REF);
  const early = (await api.get(REF))!.status.conditions.find((x: { type: string }) => x.type === CONDITION.EtcdStorage);
  assert.equal(early.status, 'True', 'a minute of waiting is normal');
  assert.equal(early.reason, REASON.PvcPending);
  clock.advance(6 * 60_000);
  await r.reconcile(REF);
  const c = (await api.get(REF))!.status.conditions.find((x: { type: string }) => x.type === CONDITION.EtcdStorage);
  assert.equal(c.status, 'False');
  assert.equal(c.reason, REASON.ProvisionerNotResponding);
  assert.match(c.message, /PVC data-alluxio-etcd-0 has waited 6 minutes for provisioner 'ebs\.csi\.aws\.com' of StorageClass 'gp2'.*EBS CSI driver/);
  for (let i = 0; i < 3; i++) await api.patchStatus({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: NS, name: `data-alluxio-etcd-${i}` }, { phase: 'Bound' }, { fieldManager: 'pv' });
  await r.reconcile(REF);
  assert.equal((await api.get(REF))!.status.conditions.find((x: { type: string }) => x.type === CONDITION.EtcdStorage).reason, REASON.Bound);
});

test('worker Pending: hostPath anti-affinity with too few nodes, from PodScheduled; cleared when the pod is scheduled', async () => {
  const { api, r, status, cond } = await setup({ worker: { count: 3 } });
  await createPod(api, 'alluxio-worker-2', 'worker', unschedulable(
    '0/2 nodes are available: 2 node(s) didn\'t match pod anti-affinity rules. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.'));
  await r.reconcile(REF);
  assert.equal((await status()).phase, 'Failed');
  const c = await cond(CONDITION.PodsScheduled);
  assert.equal(c.status, 'False');
  assert.equal(c.reason, REASON.AntiAffinity);
  assert.match(c.message, /pod alluxio-worker-2 cannot be scheduled \(0\/2 nodes are available: 2 node\(s\) didn't match pod anti-affinity rules\.\)/);
  assert.match(c.message, /spec\.worker\.count 3 needs as many nodes; .*pagestore\.type: persistentVolumeClaim/);
  const ready = await cond(CONDITION.Ready);
  assert.equal(ready.reason, REASON.AntiAffinity);
  const row = printerRow((await api.get(REF))!, true);
  assert.deepEqual([row.NAME, row.CLUSTERPHASE, row.READY, row.REASON], ['alluxio', 'Failed', 'False', REASON.AntiAffinity], 'kubectl get shows the cause');
  assert.match(row.MESSAGE!, /alluxio-worker-2 cannot be scheduled/, 'kubectl get -o wide shows the message');
  // kubectl describe: the phase change to Failed is a Warning carrying the cause, and nothing repeats while it stays.
  const failed = await events(api, 'Failed');
  assert.equal(failed.length, 1);
  assert.equal(failed[0]!.type, 'Warning');
  assert.match(failed[0]!.message, /^TooFewNodesForAntiAffinity: pod alluxio-worker-2 cannot be scheduled/);
  await r.reconcile(REF);
  assert.equal((await events(api, 'Failed')).length, 1, 'not repeated while the cause stays');
  assert.equal((await events(api, REASON.AntiAffinity)).length, 0, 'not twice: the Failed Event already says it');
  // A second cause while already Failed gets its own Warning Event, named by its reason.
  await createPod(api, 'alluxio-coordinator-0', 'coordinator', {
    phase: 'Running', containerStatuses: [{ name: 'alluxio-coordinator', ready: false, restartCount: 3,
      state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 40s restarting failed container=alluxio-coordinator' } },
      lastState: { terminated: { exitCode: 1, reason: 'Error', message: 'Error: connect ECONNREFUSED 10.96.12.7:2379\n' } } }],
  }, { nodeName: 'node-0' });
  await r.reconcile(REF);
  const crash = await events(api, REASON.CrashLoopBackOff);
  assert.equal(crash.length, 1);
  assert.match(crash[0]!.message, /^ContainersRunning: pod alluxio-coordinator-0 .*ECONNREFUSED.*check that etcd is running/);
  await api.delete(podRef('alluxio-coordinator-0'));
  // A third node joins: the scheduler places the pod.
  await api.delete(podRef('alluxio-worker-2'));
  await createPod(api, 'alluxio-worker-2', 'worker', running('alluxio-worker'), { nodeName: 'node-2' });
  await r.reconcile(REF);
  assert.equal((await cond(CONDITION.PodsScheduled)).status, 'True');
  assert.notEqual((await status()).phase, 'Failed');
  assert.notEqual(printerRow((await api.get(REF))!).REASON, REASON.AntiAffinity);
});

test('coordinator Pending: node selector and taints, read from the FailedScheduling event', async () => {
  const { api, r, cond } = await setup({ coordinator: { nodeSelector: { 'alluxio.io/role': 'coordinator' } } });
  // kube-scheduler's Event (the pod condition may lag behind it).
  await createPod(api, 'alluxio-coordinator-0', 'coordinator', { phase: 'Pending', qosClass: 'Burstable' }, { nodeSelector: { 'alluxio.io/role': 'coordinator' } });
  await event(api, 'alluxio-coordinator-0.17c', { kind: 'Pod', name: 'alluxio-coordinator-0' }, 'FailedScheduling',
    '0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 node(s) didn\'t match Pod\'s node affinity/selector. '
    + 'preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.', '2025-01-01T00:00:07Z');
  await r.reconcile(REF);
  const c = await cond(CONDITION.PodsScheduled);
  assert.equal(c.status, 'False');
  assert.equal(c.reason, REASON.NodeSelectorMismatch);
  assert.match(c.message, /no node has the labels of spec\.coordinator\.nodeSelector\/affinity \(alluxio\.io\/role=coordinator\)/);
  assert.match(c.message, /taints the pod does not tolerate \(\{node-role\.kubernetes\.io\/control-plane: \}\): add spec\.coordinator\.tolerations/);
  await api.patchStatus(podRef('alluxio-coordinator-0'), running('alluxio-coordinator'), { fieldManager: 'kubelet' });
  const pod = (await api.get(podRef('alluxio-coordinator-0')))!;
  await api.update({ ...pod, spec: { ...pod.spec, nodeName: 'node-1' } }, { fieldManager: 'kube-scheduler' }); // the binding
  await r.reconcile(REF);
  assert.equal((await cond(CONDITION.PodsScheduled)).status, 'True', 'the old event no longer counts once the pod is on a node');
});

test('Pod Security admission refuses the worker StatefulSet\'s pods (FailedCreate "violates PodSecurity"); cleared when the pod is created', async () => {
  const { api, r, status, cond } = await setup();
  await event(api, 'alluxio-worker.17d', { kind: 'StatefulSet', name: 'alluxio-worker', apiVersion: 'apps/v1' }, 'FailedCreate',
    'create Pod alluxio-worker-0 in StatefulSet alluxio-worker failed error: pods "alluxio-worker-0" is forbidden: violates PodSecurity "baseline:latest": '
    + 'hostPath volumes (volumes "pagestore", "metastore", "logs", "system-info")', '2025-01-01T00:00:03Z');
  await r.reconcile(REF);
  assert.equal((await status()).phase, 'Failed');
  const c = await cond(CONDITION.PodSecurityAdmitted);
  assert.equal(c.status, 'False');
  assert.equal(c.reason, REASON.PodSecurityViolation);
  assert.match(c.message, /StatefulSet alluxio-worker cannot create its pods: namespace alx-ns enforces Pod Security "baseline" and the pod violates it: hostPath volumes \(volumes "pagestore"/);
  assert.match(c.message, /kubectl label namespace alx-ns pod-security\.kubernetes\.io\/enforce=privileged --overwrite/);
  // The namespace is relabelled; the StatefulSet controller retries and the pod exists.
  await createPod(api, 'alluxio-worker-0', 'worker', running('alluxio-worker'), { nodeName: 'node-0' });
  await r.reconcile(REF);
  assert.equal((await cond(CONDITION.PodSecurityAdmitted)).status, 'True');
});

test('Pod Security refuses a Deployment\'s ReplicaSet pods (restricted); cleared by a later SuccessfulCreate', async () => {
  const { api, r, cond } = await setup();
  await event(api, 'alluxio-prometheus-6f697b6db8.17e', { kind: 'ReplicaSet', name: 'alluxio-prometheus-6f697b6db8', apiVersion: 'apps/v1' }, 'FailedCreate',
    'Error creating: pods "alluxio-prometheus-6f697b6db8-x7k2p" is forbidden: violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false '
    + '(container "prometheus" must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container "prometheus" must set '
    + 'securityContext.capabilities.drop=["ALL"])', '2025-01-01T00:00:03Z');
  // Someone else's ReplicaSet in the namespace is not ours to report.
  await event(api, 'other-app-5d8c.17f', { kind: 'ReplicaSet', name: 'other-app-5d8c' }, 'FailedCreate',
    'Error creating: pods "other-app-5d8c-abcde" is forbidden: violates PodSecurity "restricted:latest": runAsNonRoot != true', '2025-01-01T00:00:03Z');
  await r.reconcile(REF);
  const c = await cond(CONDITION.PodSecurityAdmitted);
  assert.equal(c.reason, REASON.PodSecurityViolation);
  assert.match(c.message, /Deployment alluxio-prometheus cannot create its pods: .*"restricted" .*allowPrivilegeEscalation != false/);
  assert.doesNotMatch(c.message, /other-app/);
  assert.match(c.message, /or at least "baseline"/);
  await event(api, 'alluxio-prometheus-6f697b6db8.180', { kind: 'ReplicaSet', name: 'alluxio-prometheus-6f697b6db8' }, 'SuccessfulCreate',
    'Created pod: alluxio-prometheus-6f697b6db8-q9w8e', '2025-01-01T00:01:00Z', 'Normal');
  await r.reconcile(REF);
  assert.equal((await cond(CONDITION.PodSecurityAdmitted)).status, 'True');
});

test('OOMKilled worker (lastState.terminated.reason OOMKilled, exit 137): the memory limit and the fix; cleared when the new pod runs', async () => {
  const { api, clock, r, status, cond } = await setup();
  await createPod(api, 'alluxio-worker-0', 'worker', {
    phase: 'Running', conditions: [{ type: 'PodScheduled', status: 'True' }, { type: 'Ready', status: 'False', reason: 'ContainersNotReady' }],
    containerStatuses: [{
      name: 'alluxio-worker', ready: false, started: false, restartCount: 4, image: 'docker.io/alluxio/alluxio-ts:0.1.0', imageID: 'docker.io/alluxio/alluxio-ts@sha256:0d5c',
      containerID: 'containerd://77aa',
      state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 1m20s restarting failed container=alluxio-worker pod=alluxio-worker-0_alx-ns(5b3c8a8e)' } },
      lastState: { terminated: { exitCode: 137, reason: 'OOMKilled', startedAt: '2024-12-31T23:58:00Z', finishedAt: '2024-12-31T23:59:30Z', containerID: 'containerd://66ff' } },
    }],
  }, { nodeName: 'node-0' });
  await r.reconcile(REF);
  assert.equal((await status()).phase, 'Failed');
  const c = await cond(CONDITION.ContainersRunning);
  assert.equal(c.status, 'False');
  assert.equal(c.reason, REASON.OOMKilled);
  assert.match(c.message, /pod alluxio-worker-0 container alluxio-worker was OOMKilled \(exit code 137, 4 restarts\) at its memory limit 4Gi: raise spec\.worker\.resources\.limits\.memory/);
  assert.equal((await cond(CONDITION.Ready)).reason, REASON.OOMKilled);
  // Running again after the kill: still reported while the kill is recent, not after.
  await api.patchStatus(podRef('alluxio-worker-0'), running('alluxio-worker', 5,
    { terminated: { exitCode: 137, reason: 'OOMKilled', startedAt: '2024-12-31T23:58:00Z', finishedAt: '2024-12-31T23:59:30Z' } }), { fieldManager: 'kubelet' });
  await r.reconcile(REF);
  assert.equal((await cond(CONDITION.ContainersRunning)).reason, REASON.OOMKilled);
  clock.advance(15 * 60_000);
  await r.reconcile(REF);
  const after = await cond(CONDITION.ContainersRunning);
  assert.equal(after.status, 'True');
  assert.equal(after.reason, REASON.ContainersOk);
});

test('CrashLoopBackOff: the container\'s last message (FallbackToLogsOnError) and a fix; cleared when it runs', async () => {
  const { api, r, cond } = await setup();
  const lastLines = 'loading /opt/alluxio/conf/alluxio-site.properties\n'
    + 'ALX_ERR_INVALID_CONF: unknown property \'alluxio.worker.tiered.store.levels\' in alluxio-site.properties line 12\n';
  await createPod(api, 'alluxio-coordinator-0', 'coordinator', {
    phase: 'Running', conditions: [{ type: 'PodScheduled', status: 'True' }, { type: 'Ready', status: 'False', reason: 'ContainersNotReady' }],
    containerStatuses: [{
      name: 'alluxio-coordinator', ready: false, started: false, restartCount: 6, image: 'docker.io/alluxio/alluxio-ts:0.1.0', imageID: 'docker.io/alluxio/alluxio-ts@sha256:0d5c',
      state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 5m0s restarting failed container=alluxio-coordinator pod=alluxio-coordinator-0_alx-ns(1d2e)' } },
      lastState: { terminated: { exitCode: 1, reason: 'Error', message: lastLines, startedAt: '2024-12-31T23:59:50Z', finishedAt: '2024-12-31T23:59:51Z', containerID: 'containerd://12ab' } },
    }],
  }, { nodeName: 'node-1' });
  await r.reconcile(REF);
  const c = await cond(CONDITION.ContainersRunning);
  assert.equal(c.status, 'False');
  assert.equal(c.reason, REASON.CrashLoopBackOff);
  assert.match(c.message, /pod alluxio-coordinator-0 container alluxio-coordinator is in CrashLoopBackOff \(6 restarts, last exit code 1 Error\)/);
  assert.match(c.message, /last message: loading \/opt\/alluxio\/conf\/alluxio-site\.properties \| ALX_ERR_INVALID_CONF: unknown property 'alluxio\.worker\.tiered\.store\.levels'/);
  assert.match(c.message, /fix the property it names in spec\.properties/);
  assert.match(c.message, /kubectl -n alx-ns logs alluxio-coordinator-0 -c alluxio-coordinator --previous/);
  await api.patchStatus(podRef('alluxio-coordinator-0'), running('alluxio-coordinator', 7), { fieldManager: 'kubelet' });
  await r.reconcile(REF);
  assert.equal((await cond(CONDITION.ContainersRunning)).status, 'True');
});

test('init container messages keep their own conditions, not CrashLoopBackOff', async () => {
  const { api, r, cond } = await setup();
  await createPod(api, 'alluxio-worker-0', 'worker', {
    phase: 'Pending', initContainerStatuses: [{ name: 'path-permission', ready: false, restartCount: 3,
      state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 40s restarting failed container=path-permission' } },
      lastState: { terminated: { exitCode: 1, reason: 'Error', message: 'ALX_HOSTPATH_NOT_WRITABLE: hostPath /mnt/alluxio/pagestore on node node-0 is not writable\n' } } }],
  }, { nodeName: 'node-0' });
  await r.reconcile(REF);
  assert.equal((await cond(CONDITION.HostPathWritable)).reason, REASON.HostPathNotWritable);
  assert.equal((await cond(CONDITION.ContainersRunning)).status, 'True');
});

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64');

test('an expired cluster license (alluxio.license): LicenseValid=False LicenseExpired without the license text; the cluster is not failed for it', async () => {
  const expired = b64({ name: 'ACME', expirationDate: '2024-06-30T00:00:00Z', capacity: '100TB' });
  const { api, r, status, cond } = await setup({ properties: { 'alluxio.license': expired } });
  await r.reconcile(REF);
  const c = await cond(CONDITION.LicenseValid);
  assert.equal(c.status, 'False');
  assert.equal(c.reason, REASON.LicenseExpired);
  assert.match(c.message, /the license in spec\.properties alluxio\.license expired on 2024-06-30/);
  assert.match(c.message, /put a new license in spec\.properties alluxio\.license/);
  const all = JSON.stringify(await status()) + JSON.stringify((await api.list('v1', 'Event', { namespace: NS })).items);
  assert.ok(!all.includes(expired), 'the license never appears in status or Events');
  assert.notEqual((await status()).phase, 'Failed');
  assert.equal((await events(api, REASON.LicenseExpired)).length, 1);
  assert.equal(printerRow((await api.get(REF))!, true).LICENSE, REASON.LicenseExpired, 'kubectl get alluxiocluster -o wide');
  // Renewed.
  const renewed = b64({ name: 'ACME', expirationDate: '2026-06-30' });
  const cr = (await api.get(REF))!;
  await api.update({ ...cr, spec: { ...cr.spec, properties: { 'alluxio.license': renewed } } }, { fieldManager: 'kubectl' });
  await r.reconcile(REF);
  const ok = await cond(CONDITION.LicenseValid);
  assert.equal(ok.status, 'True');
  assert.equal(ok.reason, REASON.LicenseOk);
  assert.match(ok.message, /expires on 2026-06-30/);
});

test('invalid licenses: the guide\'s placeholder, a truncated copy, a date that is not one; an unknown form is accepted unchecked', async () => {
  const cases: [string, string, RegExp][] = [
    ['<YOUR_LICENSE>', REASON.LicenseInvalid, /still the placeholder from the guide/],
    [b64({ expirationDate: '2030-01-01' }).slice(0, 20), REASON.LicenseInvalid, /decodes to broken JSON \(truncated when copied\?\)/],
    [b64({ expirationDate: 'next year' }), REASON.LicenseInvalid, /its expirationDate 'next year' is not a date/],
    [`${b64({ alg: 'RS256' })}.${b64({ exp: Date.parse('2024-01-01') / 1000 })}.c2ln`, REASON.LicenseExpired, /expired on 2024-01-01/],
    ['LICENSE-ABC-123', REASON.LicenseNotChecked, /not in a form the operator can read; its expiry is not checked/],
  ];
  for (const [license, reason, message] of cases) {
    const { r, cond } = await setup({ properties: { 'alluxio.license': license } });
    await r.reconcile(REF);
    const c = await cond(CONDITION.LicenseValid);
    assert.equal(c.reason, reason, license);
    assert.match(c.message, message);
    assert.ok(!c.message.includes(license), 'no license text in the message');
  }
});

test('a License whose licenseString expired: still distributed, LicenseValid=False with a Warning Event, VALID column reason', async () => {
  const { api, clock } = newApi();
  await healthyCluster(api);
  await api.create(clusterCr('alluxio', NS, {}));
  const licenseString = b64({ expiration: Date.parse('2024-12-01T00:00:00Z') });
  await api.create({ apiVersion: API_VERSION, kind: 'License', metadata: { name: 'alluxio-license', namespace: NS },
    spec: { clusters: [{ name: 'alluxio', namespace: NS }], licenseString } });
  const ref: ObjectRef = { apiVersion: API_VERSION, kind: 'License', namespace: NS, name: 'alluxio-license' };
  const lr = new LicenseReconciler({ api, clock });
  await lr.reconcile(ref);
  const s = (await api.get(ref))!.status;
  assert.equal(s.phase, 'Completed');
  const c = s.conditions.find((x: { type: string }) => x.type === CONDITION.LicenseValid);
  assert.equal(c.reason, REASON.LicenseExpired);
  assert.match(c.message, /the license in License alx-ns\/alluxio-license expired on 2024-12-01.*kubectl edit license/);
  const ev = (await api.list('v1', 'Event', { namespace: NS })).items.filter((e) => e.involvedObject?.kind === 'License');
  assert.deepEqual(ev.map((e) => [e.type, e.reason]), [['Warning', REASON.LicenseExpired]]);
  assert.ok(!JSON.stringify(s).includes(licenseString) && !JSON.stringify(ev).includes(licenseString));
  assert.deepEqual(printerRow((await api.get(ref))!), { NAME: 'alluxio-license', PHASE: 'Completed', VALID: REASON.LicenseExpired,
    AGE: (await api.get(ref))!.metadata.creationTimestamp }, 'kubectl get license');
  // The cluster reads the distributed Secret and says the same.
  const r = new AlluxioClusterReconciler({ api, clock });
  await r.reconcile(REF);
  const cc = (await api.get(REF))!.status.conditions.find((x: { type: string }) => x.type === CONDITION.LicenseValid);
  assert.equal(cc.reason, REASON.LicenseExpired);
  assert.match(cc.message, /Secret alluxio-license \(from a License\) expired on 2024-12-01/);
  await lr.reconcile(ref);
  assert.equal((await api.list('v1', 'Event', { namespace: NS })).items.filter((e) => e.involvedObject?.kind === 'License').length, 1, 'no repeated Event');
});

test('every container of every example sets terminationMessagePolicy: FallbackToLogsOnError (its last log lines reach CrashLoopBackOff)', () => {
  const dir = join(REPO_ROOT, 'deploy/examples');
  let n = 0;
  for (const f of readdirSync(dir).filter((x) => x.startsWith('alluxio-cluster'))) {
    for (const o of renderCluster(readFileSync(join(dir, f), 'utf8'))) {
      const pod = o.spec?.template?.spec;
      for (const c of [...(pod?.initContainers ?? []), ...(pod?.containers ?? [])]) {
        assert.equal(c.terminationMessagePolicy, 'FallbackToLogsOnError', `${f}: ${o.kind} ${o.metadata.name} container ${c.name}`);
        n++;
      }
    }
  }
  assert.ok(n >= 20, `${n} containers checked`);
});

import { ANNOTATIONS, API_VERSION } from '../../../src/operator/constants.js';
import { registerCrdValidators } from './crd-validators.js';
import { MemoryKubeApi } from './memory-api.js';
import type { KubeObject } from '../../../src/operator/kube/types.js';
import { ManualClock } from '../../../src/operator/controllers/clock.js';

// Stand-ins for what kubelet and the built-in controllers would do on a real cluster
// (there is none on these machines): nodes, storage classes, workload and pod status.

export function newApi(): { api: MemoryKubeApi; clock: ManualClock } {
  const clock = new ManualClock();
  const api = new MemoryKubeApi({ now: () => clock.now() });
  registerCrdValidators(api);
  return { api, clock };
}

export async function addNodes(api: MemoryKubeApi, n: number, opts: { ephemeralStorage?: string; labels?: Record<string, string> } = {}): Promise<void> {
  for (let i = 0; i < n; i++) {
    await api.create({
      apiVersion: 'v1', kind: 'Node',
      metadata: { name: `node-${i}`, labels: { 'kubernetes.io/hostname': `node-${i}`, ...opts.labels } },
      spec: {},
    });
    await api.patchStatus({ apiVersion: 'v1', kind: 'Node', name: `node-${i}` }, {
      conditions: [{ type: 'Ready', status: 'True' }],
      capacity: { 'ephemeral-storage': opts.ephemeralStorage ?? '200Gi', cpu: '8', memory: '32Gi' },
      allocatable: { 'ephemeral-storage': opts.ephemeralStorage ?? '200Gi' },
      nodeInfo: { kubeletVersion: 'v1.30.0' },
    }, { fieldManager: 'kubelet' });
  }
}

export async function addStorageClass(api: MemoryKubeApi, name = 'standard', isDefault = true): Promise<void> {
  await api.create({
    apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass',
    metadata: { name, annotations: isDefault ? { 'storageclass.kubernetes.io/is-default-class': 'true' } : {} },
    provisioner: 'rancher.io/local-path',
  });
}

/** A healthy cluster: 3 nodes, a default StorageClass. */
export async function healthyCluster(api: MemoryKubeApi, nodes = 3): Promise<void> {
  await addNodes(api, nodes);
  await addStorageClass(api);
}

/** What the StatefulSet/Deployment/DaemonSet controllers report once every pod is ready. */
export async function markWorkloadsReady(api: MemoryKubeApi, namespace: string): Promise<number> {
  let n = 0;
  for (const kind of ['StatefulSet', 'Deployment', 'DaemonSet']) {
    for (const o of (await api.list('apps/v1', kind, { namespace })).items) {
      const gen = o.metadata.generation;
      const replicas = o.spec.replicas ?? 1;
      const status = kind === 'DaemonSet'
        ? { observedGeneration: gen, desiredNumberScheduled: 3, numberReady: 3, updatedNumberScheduled: 3, currentNumberScheduled: 3 }
        : kind === 'Deployment'
          ? { observedGeneration: gen, replicas, readyReplicas: replicas, availableReplicas: replicas, updatedReplicas: replicas }
          : { observedGeneration: gen, replicas, readyReplicas: replicas, updatedReplicas: replicas, currentReplicas: replicas,
            currentRevision: `r${gen}`, updateRevision: `r${gen}` };
      await api.patchStatus({ apiVersion: 'apps/v1', kind, namespace, name: o.metadata.name }, status, { fieldManager: 'kube-controller-manager' });
      n++;
    }
  }
  return n;
}

/** The StatefulSet controller's view right after a spec change: new revision, not rolled out yet. */
export async function markWorkloadsRolling(api: MemoryKubeApi, namespace: string, kind = 'StatefulSet'): Promise<void> {
  for (const o of (await api.list('apps/v1', kind, { namespace })).items) {
    const gen = o.metadata.generation;
    await api.patchStatus({ apiVersion: 'apps/v1', kind, namespace, name: o.metadata.name },
      { observedGeneration: gen, readyReplicas: Math.max(0, (o.status?.readyReplicas ?? 1) - 1), updatedReplicas: 0, updateRevision: `r${gen}` },
      { fieldManager: 'kube-controller-manager' });
  }
}

export async function bindEtcdPvcs(api: MemoryKubeApi, namespace: string, cluster: string, replicas: number, phase = 'Bound', storageClassName?: string): Promise<void> {
  for (let i = 0; i < replicas; i++) {
    await api.create({
      apiVersion: 'v1', kind: 'PersistentVolumeClaim',
      metadata: { name: `data-${cluster}-etcd-${i}`, namespace },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Gi' } }, ...(storageClassName ? { storageClassName } : {}) },
    });
    await api.patchStatus({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace, name: `data-${cluster}-etcd-${i}` }, { phase }, { fieldManager: 'pv-controller' });
  }
}

export async function addPod(api: MemoryKubeApi, namespace: string, cluster: string, name: string, status: Record<string, unknown>, component = 'worker'): Promise<void> {
  await api.create({
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace, labels: { 'app.kubernetes.io/instance': cluster, 'app.kubernetes.io/component': component } },
    spec: { containers: [{ name: `alluxio-${component}`, image: 'alluxio/alluxio-ts:0.1.0' }] },
  });
  await api.patchStatus({ apiVersion: 'v1', kind: 'Pod', namespace, name }, status, { fieldManager: 'kubelet' });
}

export function clusterCr(name: string, namespace: string, spec: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: API_VERSION, kind: 'AlluxioCluster', metadata: { name, namespace }, spec };
}

/** Strips what the API server adds, to compare with builder output. */
export function stripServerFields(o: KubeObject): KubeObject {
  const { uid: _u, resourceVersion: _r, generation: _g, creationTimestamp: _c, managedFields: _m, ownerReferences: _o, ...metadata } = o.metadata;
  const { status: _s, ...rest } = o;
  // The operator's bookkeeping annotation (controllers/apply.ts), not part of what it renders.
  const { [ANNOTATIONS.appliedHash]: _h, ...annotations } = (metadata.annotations ?? {}) as Record<string, string>;
  if (Object.keys(annotations).length) metadata.annotations = annotations;
  else delete metadata.annotations;
  return { ...rest, metadata } as KubeObject;
}

import { CONDITION, INIT_MESSAGE, REASON } from '../constants.js';
import type { AlluxioCluster } from '../api/alluxio-cluster.js';
import { clusterNames } from '../builders/names.js';
import type { KubeObject } from '../kube/types.js';
import type { ConditionInput } from './conditions.js';
import { pendingEtcdClaims } from './diagnose-storage.js';
import { containersRunning, podSecurityAdmitted, podsScheduled } from './diagnose-pods.js';

// Failure causes Alluxio's install guide lists in its appendix, recognised from what the API
// server shows (nodes, StorageClasses, PVCs, pod statuses, events) and named in conditions.

export interface Observed {
  pods: KubeObject[];
  pvcs: KubeObject[];
  nodes: KubeObject[];
  storageClasses: KubeObject[];
  events: KubeObject[];
  /** PersistentVolumes (cluster-scoped): checked only for classes without a provisioner. */
  pvs?: KubeObject[];
  /** When the observation was made: an old OOM kill of a container that runs again is not reported. */
  now?: Date;
}

const DEFAULT_SC = ['storageclass.kubernetes.io/is-default-class', 'storageclass.beta.kubernetes.io/is-default-class'];

export function defaultStorageClass(scs: KubeObject[]): string | undefined {
  return scs.find((s) => DEFAULT_SC.some((a) => s.metadata.annotations?.[a] === 'true'))?.metadata.name;
}

interface Toleration { key?: string; operator?: string; value?: string; effect?: string }

function tolerates(tols: Toleration[], taint: { key: string; value?: string; effect: string }): boolean {
  return tols.some((t) => (t.effect === undefined || t.effect === taint.effect) &&
    (t.operator === 'Exists' ? (t.key === undefined || t.key === taint.key) : t.key === taint.key && (t.value ?? '') === (taint.value ?? '')));
}

/** Nodes a pod with this nodeSelector and these tolerations could be scheduled on. */
export function schedulableNodes(nodes: KubeObject[], nodeSelector: Record<string, string> | undefined, tolerations: Toleration[] = []): KubeObject[] {
  return nodes.filter((n) => {
    if (n.spec?.unschedulable) return false;
    const ready = (n.status?.conditions ?? []).find((c: { type: string }) => c.type === 'Ready');
    if (ready && ready.status !== 'True') return false;
    for (const [k, v] of Object.entries(nodeSelector ?? {})) if (n.metadata.labels?.[k] !== v) return false;
    const taints = (n.spec?.taints ?? []) as { key: string; value?: string; effect: string }[];
    return taints.every((t) => t.effect === 'PreferNoSchedule' || tolerates(tolerations, t));
  });
}

export function etcdSchedulable(c: AlluxioCluster, nodes: KubeObject[]): ConditionInput {
  const e = c.spec.etcd;
  const ok = (message: string) => ({ type: CONDITION.EtcdSchedulable, ok: true, reason: REASON.EnoughNodes, message });
  if (e.affinity && Object.keys(e.affinity).length) return ok('custom etcd affinity; not checked');
  const n = schedulableNodes(nodes, e.nodeSelector, e.tolerations).length;
  if (n >= e.replicaCount) return ok(`${n} schedulable node(s) for ${e.replicaCount} etcd replica(s)`);
  return {
    type: CONDITION.EtcdSchedulable, ok: false, reason: REASON.InsufficientNodes,
    message: `spec.etcd.replicaCount is ${e.replicaCount} but only ${n} node(s) can run etcd: each replica needs its own node ` +
      `(required anti-affinity by kubernetes.io/hostname), so ${e.replicaCount - n} etcd pod(s) would stay Pending. ` +
      `Add nodes, or set spec.etcd.replicaCount: 1 for a development cluster (no quorum: not for production).`,
  };
}

export function etcdStorage(c: AlluxioCluster, o: Observed): ConditionInput {
  const n = clusterNames(c);
  const names = Array.from({ length: c.spec.etcd.replicaCount }, (_, i) => `data-${n.etcd}-${i}`);
  const pvcs = o.pvcs.filter((p) => names.includes(p.metadata.name));
  const bound = pvcs.filter((p) => p.status?.phase === 'Bound').length;
  if (pvcs.length === names.length && bound === names.length) {
    return { type: CONDITION.EtcdStorage, ok: true, reason: REASON.Bound, message: `${bound} etcd PVC(s) bound` };
  }
  const wanted = c.spec.etcd.persistence.storageClass;
  const known = o.storageClasses.map((s) => s.metadata.name);
  const listKnown = known.length ? `existing StorageClasses: ${known.join(', ')}` : 'this cluster has no StorageClass at all';
  if (wanted !== undefined && wanted !== '' && !known.includes(wanted)) {
    return { type: CONDITION.EtcdStorage, ok: false, reason: REASON.StorageClassNotFound,
      message: `spec.etcd.persistence.storageClass '${wanted}' does not exist, so the etcd PVCs (${names.join(', ')}) cannot be provisioned; ${listKnown}` };
  }
  if (wanted === undefined && !defaultStorageClass(o.storageClasses)) {
    const unbound = pvcs.filter((p) => p.status?.phase !== 'Bound' && !p.spec?.storageClassName);
    if (pvcs.length === 0 || unbound.length > 0) {
      return { type: CONDITION.EtcdStorage, ok: false, reason: REASON.NoStorageClass,
        message: `the etcd PVCs (${names.join(', ')}) set no storageClass and the cluster has no default StorageClass, so they stay Pending ` +
          `("no persistent volumes available for this claim and no storage class is set"); set spec.etcd.persistence.storageClass ` +
          `(${listKnown}) or mark one default (EKS 1.23+: install the EBS CSI driver first)` };
    }
  }
  const pending = pvcs.filter((p) => p.status?.phase !== 'Bound');
  const className = pending[0]?.spec?.storageClassName ?? (wanted || defaultStorageClass(o.storageClasses));
  const cause = pendingEtcdClaims(c, pending, className, o);
  if (cause) return cause;
  return { type: CONDITION.EtcdStorage, ok: true, reason: REASON.PvcPending, message: `${bound}/${names.length} etcd PVC(s) bound; waiting` };
}

interface ContainerStatus { name: string; image?: string; state?: { waiting?: { reason?: string; message?: string }; terminated?: { reason?: string; message?: string; exitCode?: number } };
  lastState?: { terminated?: { message?: string } } }

function statuses(pod: KubeObject): ContainerStatus[] {
  return [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
}

const PULL_REASONS = new Set(['ErrImagePull', 'ImagePullBackOff', 'InvalidImageName', 'ErrImageNeverPull']);

export function imagesPulled(c: AlluxioCluster, pods: KubeObject[]): ConditionInput {
  const problems: string[] = [];
  for (const p of pods) {
    for (const s of statuses(p)) {
      const w = s.state?.waiting;
      if (w?.reason && PULL_REASONS.has(w.reason)) {
        const image = s.image ?? (p.spec?.containers ?? []).concat(p.spec?.initContainers ?? []).find((x: { name: string }) => x.name === s.name)?.image;
        problems.push(`pod ${p.metadata.name} container ${s.name} cannot pull image '${image}' (${w.reason}${w.message ? `: ${w.message}` : ''})`);
      }
    }
  }
  if (!problems.length) return { type: CONDITION.ImagesPulled, ok: true, reason: REASON.ImagesOk, message: 'no image pull errors' };
  const hint = c.spec.imagePullSecrets?.length ? `check the registry credentials in ${c.spec.imagePullSecrets.join(', ')}`
    : 'push the image to a registry the nodes can reach, or set spec.imagePullSecrets for a private registry';
  return { type: CONDITION.ImagesPulled, ok: false, reason: REASON.ImagePullFailed, message: `${problems.join('; ')}; ${hint}` };
}

function terminationMessages(pods: KubeObject[]): { pod: string; message: string }[] {
  const out: { pod: string; message: string }[] = [];
  for (const p of pods) for (const s of statuses(p)) {
    for (const m of [s.state?.terminated?.message, s.lastState?.terminated?.message]) if (m) out.push({ pod: p.metadata.name, message: m.trim() });
  }
  return out;
}

export function pagestoreFits(pods: KubeObject[]): ConditionInput {
  const hits = terminationMessages(pods).filter((t) => t.message.startsWith(INIT_MESSAGE.tooLarge) || /exceeds the total disk space/.test(t.message));
  if (!hits.length) return { type: CONDITION.PagestoreFits, ok: true, reason: REASON.PagestoreOk, message: 'no worker reported a page store larger than its disk' };
  const msgs = [...new Set(hits.map((h) => `${h.pod}: ${h.message.replace(INIT_MESSAGE.tooLarge, '').trim()}`))];
  return { type: CONDITION.PagestoreFits, ok: false, reason: REASON.PagestoreExceedsDisk, message: msgs.join('; ') };
}

export function hostPathWritable(pods: KubeObject[], events: KubeObject[]): ConditionInput {
  const msgs = terminationMessages(pods).filter((t) => t.message.startsWith(INIT_MESSAGE.notWritable))
    .map((t) => `${t.pod}: ${t.message.replace(INIT_MESSAGE.notWritable, '').trim()}`);
  const podNames = new Set(pods.map((p) => p.metadata.name));
  for (const e of events) {
    if (e.reason !== 'FailedMount' || !podNames.has(e.involvedObject?.name)) continue;
    if (/read-only file system|permission denied/i.test(String(e.message))) {
      msgs.push(`${e.involvedObject.name}: ${e.message}; move the hostPath to a writable directory (GKE: /mnt is read-only, use e.g. /home/alluxio/...)`);
    }
  }
  if (!msgs.length) return { type: CONDITION.HostPathWritable, ok: true, reason: REASON.HostPathOk, message: 'no hostPath errors reported' };
  return { type: CONDITION.HostPathWritable, ok: false, reason: REASON.HostPathNotWritable, message: [...new Set(msgs)].join('; ') };
}

/** Every failure-cause condition for the cluster. */
export function diagnose(c: AlluxioCluster, o: Observed): ConditionInput[] {
  const out: ConditionInput[] = [];
  if (c.spec.etcd.enabled) out.push(etcdStorage(c, o), etcdSchedulable(c, o.nodes));
  out.push(imagesPulled(c, o.pods), pagestoreFits(o.pods), hostPathWritable(o.pods, o.events));
  out.push(podsScheduled(c, o.pods, o.events), podSecurityAdmitted(c, o.pods, o.events), containersRunning(c, o.pods, o.now ?? new Date()));
  return out;
}

import { CONDITION, REASON } from '../constants.js';
import type { AlluxioCluster } from '../api/alluxio-cluster.js';
import { clusterNames, namespaceOf } from '../builders/names.js';
import type { KubeObject } from '../kube/types.js';
import { parseQuantity } from '../preflight/quantity.js';
import type { ConditionInput } from './conditions.js';

// Why an etcd PVC whose StorageClass exists stays Pending (seed 003 appendix D.1):
// - a class without a provisioner (kubernetes.io/no-provisioner: local volumes) and no
//   Available PersistentVolume that fits: nobody will ever create one;
// - a WaitForFirstConsumer class: the claim binds only once its pod is scheduled, so a pod that
//   cannot be scheduled holds it Pending ("waiting for first consumer to be created before binding");
// - the provisioner tried and failed (ProvisioningFailed events on the claim);
// - no provisioner answers at all (ExternalProvisioning "waiting for a volume to be created" for
//   minutes: the CSI driver is not installed, e.g. EKS 1.23+ without the EBS CSI driver).

export const NO_PROVISIONER = 'kubernetes.io/no-provisioner';
/** How long a claim may wait for an external provisioner before that counts as "not answering". */
export const PROVISIONER_SILENCE_MS = 5 * 60_000;

function fits(pv: KubeObject, pvc: KubeObject, className: string): boolean {
  if (pv.status?.phase !== 'Available' || (pv.spec?.storageClassName ?? '') !== className) return false;
  const ref = pv.spec?.claimRef as { name?: string; namespace?: string } | undefined;
  if (ref?.name && (ref.name !== pvc.metadata.name || ref.namespace !== pvc.metadata.namespace)) return false;
  const want = parseQuantity(pvc.spec?.resources?.requests?.storage);
  const have = parseQuantity(pv.spec?.capacity?.storage);
  if (Number.isFinite(want) && !(have >= want)) return false;
  const modes = (pvc.spec?.accessModes ?? []) as string[];
  return modes.every((m) => ((pv.spec?.accessModes ?? []) as string[]).includes(m));
}

function unschedulableMessage(pod: KubeObject | undefined): string | undefined {
  if (!pod || pod.spec?.nodeName) return undefined;
  const cond = (pod.status?.conditions ?? []).find((c: { type: string }) => c.type === 'PodScheduled');
  return cond?.status === 'False' ? String(cond.message ?? cond.reason).replace(/\s*preemption:.*$/s, '').trim() : undefined;
}

/** Cause of the Pending etcd claims when their class exists, or undefined (still just waiting). */
export function pendingEtcdClaims(c: AlluxioCluster, pending: KubeObject[], className: string | undefined, o: {
  storageClasses: KubeObject[]; pvs?: KubeObject[]; pods: KubeObject[]; events: KubeObject[]; now?: Date;
}): ConditionInput | undefined {
  if (!pending.length || !className) return undefined;
  const sc = o.storageClasses.find((s) => s.metadata.name === className);
  if (!sc) return undefined;
  const ns = namespaceOf(c);
  const size = c.spec.etcd.persistence.size;
  const names = pending.map((p) => p.metadata.name).join(', ');
  if (sc.provisioner === NO_PROVISIONER) {
    const pvs = o.pvs ?? [];
    const free = pvs.filter((pv) => pending.some((p) => fits(pv, p, className)));
    if (free.length < pending.length) {
      return { type: CONDITION.EtcdStorage, ok: false, reason: REASON.NoPersistentVolume,
        message: `the etcd PVCs ${names} use StorageClass '${className}', which has no provisioner (${NO_PROVISIONER}): volumes must be created by hand, `
          + `and ${free.length} Available PersistentVolume(s) of that class fit (${size}, ReadWriteOnce) for ${pending.length} claim(s). `
          + `Create ${pending.length - free.length} more PersistentVolume(s) with storageClassName: ${className}, capacity ${size} or more, `
          + `each pinned (nodeAffinity) to a different node, or set spec.etcd.persistence.storageClass to a class with a dynamic provisioner` };
    }
  }
  for (const pvc of pending) {
    const failed = o.events.filter((e) => e.involvedObject?.kind === 'PersistentVolumeClaim' && e.involvedObject?.name === pvc.metadata.name
      && e.reason === 'ProvisioningFailed').sort((a, b) => String(b.lastTimestamp).localeCompare(String(a.lastTimestamp)))[0];
    if (failed) {
      return { type: CONDITION.EtcdStorage, ok: false, reason: REASON.ProvisioningFailed,
        message: `the provisioner of StorageClass '${className}' (${sc.provisioner}) failed to create a volume for PVC ${pvc.metadata.name}: ${failed.message}; `
          + `check the provisioner (on EKS 1.23+ the EBS CSI driver must be installed), or use another class in spec.etcd.persistence.storageClass` };
    }
  }
  const now = (o.now ?? new Date()).getTime();
  for (const pvc of pending) {
    const waiting = o.events.find((e) => e.involvedObject?.kind === 'PersistentVolumeClaim' && e.involvedObject?.name === pvc.metadata.name
      && e.reason === 'ExternalProvisioning');
    const since = Date.parse(waiting?.firstTimestamp ?? waiting?.metadata?.creationTimestamp ?? '');
    if (waiting && Number.isFinite(since) && now - since >= PROVISIONER_SILENCE_MS) {
      return { type: CONDITION.EtcdStorage, ok: false, reason: REASON.ProvisionerNotResponding,
        message: `PVC ${pvc.metadata.name} has waited ${Math.round((now - since) / 60_000)} minutes for provisioner '${sc.provisioner}' of StorageClass '${className}' `
          + `and no volume was created: the provisioner is not running or not registered (kubectl get csidriver; on EKS 1.23+ install the EBS CSI driver add-on), `
          + `or set spec.etcd.persistence.storageClass to a class whose provisioner runs` };
    }
  }
  if (sc.volumeBindingMode === 'WaitForFirstConsumer') {
    const byWhy = new Map<string, { claims: string[]; pods: string[] }>();
    for (const pvc of pending) {
      const podName = pvc.metadata.name.replace(/^data-/, '');
      const why = unschedulableMessage(o.pods.find((p) => p.metadata.name === podName));
      if (!why) continue;
      const e = byWhy.get(why) ?? { claims: [], pods: [] };
      e.claims.push(pvc.metadata.name);
      e.pods.push(podName);
      byWhy.set(why, e);
    }
    const stuck = [...byWhy].map(([why, e]) => e.claims.length === 1
      ? `${e.claims[0]} waits for pod ${e.pods[0]}, which cannot be scheduled (${why})`
      : `${e.claims.join(', ')} wait for pods ${e.pods.join(', ')}, which cannot be scheduled (${why})`);
    if (stuck.length) {
      return { type: CONDITION.EtcdStorage, ok: false, reason: REASON.WaitingForFirstConsumer,
        message: `StorageClass '${className}' binds a claim only once its pod is on a node (volumeBindingMode: WaitForFirstConsumer): ${stuck.join('; ')}; `
          + `fix what keeps the etcd pods off the nodes (see ${CONDITION.PodsScheduled}, kubectl -n ${ns} describe pod ${clusterNames(c).etcd}-0); the claims then bind` };
    }
  }
  return undefined;
}

import type { KubeObject } from '../kube/types.js';

// Rollout state of the workloads the operator owns, read the way `kubectl rollout status` does.

export interface WorkloadState { name: string; kind: string; desired: number; ready: number; done: boolean }

export function workloadState(o: KubeObject): WorkloadState {
  const s = o.status ?? {};
  const gen = o.metadata.generation ?? 0;
  const observed = (s.observedGeneration ?? 0) >= gen;
  if (o.kind === 'DaemonSet') {
    const desired = s.desiredNumberScheduled ?? 0;
    const ready = s.numberReady ?? 0;
    return { name: o.metadata.name, kind: o.kind, desired, ready,
      done: observed && ready >= desired && (s.updatedNumberScheduled ?? 0) >= desired };
  }
  const desired = o.spec?.replicas ?? 1;
  const ready = o.kind === 'Deployment' ? s.availableReplicas ?? 0 : s.readyReplicas ?? 0;
  const updated = s.updatedReplicas ?? 0;
  const revisionOk = o.kind !== 'StatefulSet' || !s.updateRevision || s.currentRevision === s.updateRevision || updated >= desired;
  return { name: o.metadata.name, kind: o.kind, desired, ready,
    done: observed && ready >= desired && updated >= desired && revisionOk && (s.replicas ?? ready) <= desired };
}

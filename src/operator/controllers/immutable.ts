import { refOf, type KubeApi, type KubeObject } from '../kube/types.js';
import { isSubset } from './apply.js';

// A StatefulSet's spec is immutable except for these fields: a change to anything else (the
// volumeClaimTemplates of etcd persistence, a PVC page store, the metastore; the selector...) is a
// 422 from the API server. Such a StatefulSet is deleted with propagationPolicy Orphan and
// applied again: its pods keep running and the new StatefulSet adopts them (same selector) and
// rolls them. PVCs that already exist are not changed by a new template: the caller reports that.

const STATEFULSET_MUTABLE = new Set(['replicas', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy', 'minReadySeconds', 'ordinals']);

/** The names of the immutable spec fields whose desired value the live StatefulSet does not have. */
export function immutableChanges(desired: KubeObject, live: KubeObject): string[] {
  const want = (desired.spec ?? {}) as Record<string, unknown>;
  const have = (live.spec ?? {}) as Record<string, unknown>;
  return Object.keys(want).filter((k) => !STATEFULSET_MUTABLE.has(k) && !isSubset(want[k], have[k]));
}

/** Orphan-deletes a StatefulSet whose immutable fields must change; returns the fields, or [] when none. */
export async function orphanIfImmutableChanged(api: KubeApi, desired: KubeObject): Promise<string[]> {
  if (desired.kind !== 'StatefulSet') return [];
  const live = await api.get(refOf(desired));
  if (!live) return [];
  const changed = immutableChanges(desired, live);
  if (changed.length) await api.delete(refOf(live), { propagationPolicy: 'Orphan' });
  return changed;
}

import { createHash } from 'node:crypto';
import { ANNOTATIONS, FIELD_MANAGER } from '../constants.js';
import { refOf, type KubeApi, type KubeObject } from '../kube/types.js';

// Server-side apply that is not sent when it would change nothing, so a reconcile of a settled
// object writes nothing (every write is a watch event that queues another reconcile). An object
// is left alone when it carries the hash of exactly what we would apply (so a field we stopped
// applying still gets removed) and every field we apply still has our value (so another
// manager's change is taken back). "Has our value" is a subset test: the server adds defaults
// (in containers, ports...) that we do not apply.

const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The merge key of a list element, as server-side apply merges Kubernetes' keyed lists
 * (containers, env, volumes by name; volumeMounts by mountPath; ports by containerPort).
 */
function mergeKey(v: unknown): string | undefined {
  if (!isMap(v)) return undefined;
  for (const k of ['mountPath', 'containerPort', 'name']) if (v[k] !== undefined) return `${k}=${String(v[k])}`;
  return undefined;
}

/**
 * Every field of `want` is in `have` with the same value (maps: recursively). Lists whose every
 * element has a merge key: each of ours is in `have` under its key (the server merges keyed lists,
 * so another manager's items, e.g. an injected sidecar container, may sit beside ours); other
 * lists: same length, element-wise.
 */
export function isSubset(want: unknown, have: unknown): boolean {
  if (Array.isArray(want)) {
    if (!Array.isArray(have)) return false;
    const keys = want.map(mergeKey);
    if (want.length > 0 && keys.every((k) => k !== undefined)) {
      const byKey = new Map(have.map((h) => [mergeKey(h), h] as const));
      return want.every((w, i) => byKey.has(keys[i]) && isSubset(w, byKey.get(keys[i])));
    }
    return have.length === want.length && want.every((w, i) => isSubset(w, have[i]));
  }
  if (isMap(want)) return isMap(have) && Object.entries(want).every(([k, v]) => isSubset(v, have[k]));
  return want === have;
}

export function appliedHash(obj: KubeObject): string {
  return createHash('sha256').update(JSON.stringify(obj)).digest('hex').slice(0, 16);
}

/** Applies `obj` (forced, as the operator's field manager) unless the live object already is it. */
export async function applyIfChanged(api: KubeApi, obj: KubeObject, existing?: KubeObject | null): Promise<{ applied: boolean; created: boolean }> {
  const hash = appliedHash(obj);
  const desired: KubeObject = { ...obj, metadata: { ...obj.metadata, annotations: { ...obj.metadata.annotations, [ANNOTATIONS.appliedHash]: hash } } };
  const live = existing === undefined ? await api.get(refOf(obj)) : existing ?? undefined;
  if (live && live.metadata.annotations?.[ANNOTATIONS.appliedHash] === hash && isSubset(desired, live)) return { applied: false, created: false };
  await api.apply(desired, { fieldManager: FIELD_MANAGER, force: true });
  return { applied: true, created: !live };
}

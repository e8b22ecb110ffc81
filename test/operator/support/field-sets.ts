// Field ownership for server-side apply, simplified the way the operator needs it: a field is a
// path of map keys down to a leaf; lists are atomic (owned whole), as Kubernetes does for lists
// without merge keys. (Kubernetes merges containers/ports/env by key; the operator always
// applies whole lists, so treating them atomically gives the same result for it.)

type Json = Record<string, unknown>;

/** Server-maintained metadata that no manager owns. */
const SYSTEM_META = new Set(['name', 'namespace', 'uid', 'resourceVersion', 'generation', 'creationTimestamp',
  'deletionTimestamp', 'managedFields', 'selfLink']);

const isMap = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

export function leafPaths(obj: Json, skipStatus: boolean): string[] {
  const out: string[] = [];
  const walk = (v: unknown, path: string[]) => {
    if (isMap(v) && Object.keys(v).length > 0) {
      for (const [k, child] of Object.entries(v)) walk(child, [...path, k]);
    } else {
      out.push(JSON.stringify(path));
    }
  };
  for (const [k, v] of Object.entries(obj)) {
    if (k === 'apiVersion' || k === 'kind') continue;
    if (k === 'status' && skipStatus) continue;
    if (k === 'metadata' && isMap(v)) {
      for (const [mk, mv] of Object.entries(v)) if (!SYSTEM_META.has(mk)) walk(mv, ['metadata', mk]);
      continue;
    }
    walk(v, [k]);
  }
  return out;
}

export function getPath(obj: Json, path: string[]): unknown {
  let cur: unknown = obj;
  for (const k of path) {
    if (!isMap(cur)) return undefined;
    cur = cur[k];
  }
  return cur;
}

export function setPath(obj: Json, path: string[], value: unknown): void {
  let cur = obj;
  for (const k of path.slice(0, -1)) {
    if (!isMap(cur[k])) cur[k] = {};
    cur = cur[k] as Json;
  }
  cur[path[path.length - 1]!] = structuredClone(value);
}

/** Removes a leaf and then any maps it leaves empty. */
export function deletePath(obj: Json, path: string[]): void {
  const stack: Json[] = [];
  let cur: Json = obj;
  for (const k of path.slice(0, -1)) {
    if (!isMap(cur[k])) return;
    stack.push(cur);
    cur = cur[k] as Json;
  }
  delete cur[path[path.length - 1]!];
  for (let i = path.length - 2; i >= 0; i--) {
    const parent = stack[i]!;
    const child = parent[path[i]!];
    if (isMap(child) && Object.keys(child).length === 0 && i > 0) delete parent[path[i]!];
    else break;
  }
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => deepEqual(x, bb[i]));
  }
  const ka = Object.keys(a as Json);
  const kb = Object.keys(b as Json);
  return ka.length === kb.length && ka.every((k) => Object.hasOwn(b as Json, k) && deepEqual((a as Json)[k], (b as Json)[k]));
}

/** RFC 7386 JSON merge patch. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isMap(patch)) return structuredClone(patch);
  const out: Json = isMap(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

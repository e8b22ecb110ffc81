import { randomUUID } from 'node:crypto';
import { resourceInfo } from '../../../src/operator/kube/resources.js';
import { canonicalizeQuantities, checkDecode, checkImmutable, checkNames } from './server-rules.js';
import { deepEqual, deletePath, getPath, leafPaths, mergePatch, setPath } from './field-sets.js';
import {
  KubeApiError, type ApplyOptions, type DeleteOptions, type KubeApi, type KubeObject, type ListOptions, type ManagedFieldsEntry,
  type ObjectList, type ObjectRef, type WatchEvent, type WatchHandle,
} from '../../../src/operator/kube/types.js';

// An in-memory Kubernetes API for tests (there is no API server on these machines). It keeps
// the rules the operator relies on:
// - resourceVersion: one global counter; update() with a stale version fails 409 Conflict;
//   a write that changes nothing does not bump it (so reconciles do not loop).
// - generation: bumped when anything but metadata and status changes; status is written only
//   through patchStatus() for kinds with a status subresource (apply/update ignore it there).
// - server-side apply: per-manager field ownership (lists atomic, see field-sets.ts); fields a
//   manager stops applying are removed; a changed value owned by another manager is a 409
//   conflict unless force; managedFields is shown in metadata.
// - deletion: finalizers hold an object with deletionTimestamp set until they are removed;
//   owner-reference garbage collection deletes dependents whose owners are all gone.
// - watch: ADDED/MODIFIED/DELETED from a resourceVersion, 410 Gone when it is too old.
// - validation: registered per kind (custom resources: the zod schemas, as the CRD does), and
//   the built-in rules of server-rules.ts (MicroTime decoding, canonical quantities, names,
//   immutable fields).

type Json = Record<string, unknown>;
type Validator = (obj: KubeObject) => { value?: KubeObject; errors: string[] };
interface Ownership { operation: 'Apply' | 'Update'; paths: Set<string> }
interface Stored { obj: KubeObject; owners: Map<string, Ownership> }
interface Watcher { kind: string; opts: ListOptions; onEvent: (e: WatchEvent) => void; onDone: (err?: KubeApiError) => void; stopped: boolean }

export interface MemoryKubeApiOptions {
  now?: () => Date;
  version?: { major: string; minor: string; gitVersion: string };
  /** Events kept for watches that start from an older resourceVersion. */
  historySize?: number;
}

const objKey = (kind: string, ns: string | undefined, name: string) => `${kind}/${ns ?? ''}/${name}`;

function matches(obj: KubeObject, opts: ListOptions): boolean {
  if (opts.namespace && obj.metadata.namespace !== opts.namespace) return false;
  for (const [k, v] of Object.entries(opts.labelSelector ?? {})) if (obj.metadata.labels?.[k] !== v) return false;
  return true;
}

function toFieldsV1(paths: Set<string>): Json {
  const root: Json = {};
  for (const p of paths) {
    let cur = root;
    for (const k of JSON.parse(p) as string[]) cur = (cur[`f:${k}`] ??= {}) as Json;
  }
  return root;
}

export class MemoryKubeApi implements KubeApi {
  private readonly store = new Map<string, Stored>();
  private readonly watchers = new Set<Watcher>();
  private readonly history: { rv: number; kind: string; event: WatchEvent }[] = [];
  private readonly validators = new Map<string, Validator>();
  private rv = 1;
  private readonly now: () => Date;
  private readonly historySize: number;
  version: { major: string; minor: string; gitVersion: string };
  /** SelfSubjectAccessReview answers; default: everything allowed. */
  can: (attrs: { verb: string; group?: string; resource: string; namespace?: string }) => boolean = () => true;
  /** Counts of write calls per verb, for tests that check no-op reconciles. */
  readonly writes = { apply: 0, create: 0, update: 0, patchStatus: 0, delete: 0 };

  constructor(opts: MemoryKubeApiOptions = {}) {
    this.now = opts.now ?? (() => new Date());
    this.version = opts.version ?? { major: '1', minor: '30', gitVersion: 'v1.30.0' };
    this.historySize = opts.historySize ?? 10_000;
  }

  registerValidator(kind: string, v: Validator): void {
    this.validators.set(kind, v);
  }

  async serverVersion() { return { ...this.version }; }

  async get(ref: ObjectRef): Promise<KubeObject | undefined> {
    // Cluster-scoped kinds (Node, CustomResourceDefinition...) are stored without a namespace.
    const s = this.store.get(objKey(ref.kind, this.ns(ref, resourceInfo(ref.apiVersion, ref.kind).namespaced), ref.name));
    return s ? structuredClone(s.obj) : undefined;
  }

  async list(apiVersion: string, kind: string, opts: ListOptions = {}): Promise<ObjectList> {
    resourceInfo(apiVersion, kind);
    const items = [...this.store.values()].filter((s) => s.obj.kind === kind && matches(s.obj, opts))
      .map((s) => structuredClone(s.obj))
      .sort((a, b) => `${a.metadata.namespace ?? ''}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace ?? ''}/${b.metadata.name}`));
    return { items, resourceVersion: String(this.rv) };
  }

  async watch(apiVersion: string, kind: string, opts: ListOptions & { resourceVersion?: string },
    onEvent: (e: WatchEvent) => void, onDone: (err?: KubeApiError) => void): Promise<WatchHandle> {
    resourceInfo(apiVersion, kind);
    const w: Watcher = { kind, opts, onEvent, onDone, stopped: false };
    const from = opts.resourceVersion ? Number(opts.resourceVersion) : this.rv;
    const oldest = this.history.length ? this.history[0]!.rv : this.rv + 1;
    if (from < this.rv && from < oldest - 1) {
      setImmediate(() => onDone(new KubeApiError(410, 'Expired', `too old resource version: ${from} (${oldest})`)));
      return { stop: () => { w.stopped = true; } };
    }
    const replay = this.history.filter((h) => h.rv > from && h.kind === kind && matches(h.event.object, opts));
    this.watchers.add(w);
    for (const h of replay) this.deliver(w, h.event);
    return { stop: () => { w.stopped = true; this.watchers.delete(w); } };
  }

  /** Ends every open watch with an error, as an API server restart would. */
  breakWatches(code = 500): void {
    for (const w of this.watchers) {
      this.watchers.delete(w);
      setImmediate(() => { if (!w.stopped) w.onDone(new KubeApiError(code, 'InternalError', 'watch closed')); });
    }
  }

  async create(obj: KubeObject, opts: { fieldManager?: string } = {}): Promise<KubeObject> {
    this.writes.create++;
    const info = resourceInfo(obj.apiVersion, obj.kind);
    const ns = info.namespaced ? obj.metadata.namespace ?? 'default' : undefined;
    const key = objKey(obj.kind, ns, obj.metadata.name);
    if (this.store.has(key)) throw new KubeApiError(409, 'AlreadyExists', `${obj.kind} "${obj.metadata.name}" already exists`);
    if (obj.kind === 'SelfSubjectAccessReview') return this.review(obj);
    checkDecode(obj);
    checkNames(obj);
    const fresh = this.validate({ ...structuredClone(obj), metadata: { ...structuredClone(obj.metadata), namespace: ns } });
    canonicalizeQuantities(fresh);
    if (info.statusSubresource) delete fresh.status;
    const owners = new Map<string, Ownership>();
    owners.set(opts.fieldManager ?? 'unknown', { operation: 'Update', paths: new Set(leafPaths(fresh, info.statusSubresource)) });
    return this.insert(key, fresh, owners);
  }

  async apply(obj: KubeObject, opts: ApplyOptions): Promise<KubeObject> {
    this.writes.apply++;
    if (!opts.fieldManager) throw new KubeApiError(422, 'Invalid', 'fieldManager is required for apply');
    checkDecode(obj);
    const info = resourceInfo(obj.apiVersion, obj.kind);
    const ns = info.namespaced ? obj.metadata.namespace ?? 'default' : undefined;
    const key = objKey(obj.kind, ns, obj.metadata.name);
    const applied = structuredClone(obj);
    applied.metadata.namespace = ns;
    canonicalizeQuantities(applied);
    if (info.statusSubresource) delete applied.status;
    const newPaths = new Set(leafPaths(applied, info.statusSubresource));
    const existing = this.store.get(key);
    if (!existing) {
      checkNames(applied);
      const fresh = this.validate(applied);
      return this.insert(key, fresh, new Map([[opts.fieldManager, { operation: 'Apply', paths: newPaths }]]));
    }
    if (obj.metadata.resourceVersion && obj.metadata.resourceVersion !== existing.obj.metadata.resourceVersion) {
      throw new KubeApiError(409, 'Conflict', `the object has been modified; resourceVersion ${obj.metadata.resourceVersion} is stale`);
    }
    const next = structuredClone(existing.obj);
    const conflicts: string[] = [];
    for (const p of newPaths) {
      const path = JSON.parse(p) as string[];
      for (const [mgr, own] of existing.owners) {
        if (mgr !== opts.fieldManager && own.paths.has(p) && !deepEqual(getPath(next, path), getPath(applied, path))) {
          conflicts.push(`${path.join('.')} (owned by ${mgr})`);
        }
      }
    }
    if (conflicts.length && !opts.force) {
      throw new KubeApiError(409, 'Conflict', `Apply failed with ${conflicts.length} conflict(s): ${conflicts.join(', ')}`);
    }
    const owners = new Map([...existing.owners].map(([m, o]) => [m, { operation: o.operation, paths: new Set(o.paths) }]));
    const previous = owners.get(opts.fieldManager)?.paths ?? new Set<string>();
    for (const p of previous) {
      const ownedElsewhere = [...owners].some(([m, o]) => m !== opts.fieldManager && o.paths.has(p));
      if (!newPaths.has(p) && !ownedElsewhere) deletePath(next, JSON.parse(p));
    }
    for (const p of newPaths) setPath(next, JSON.parse(p), getPath(applied, JSON.parse(p)));
    // Forced (or equal-valued) fields: the applier takes them over; equal values are shared.
    for (const [m, o] of owners) {
      if (m === opts.fieldManager) continue;
      for (const p of newPaths) if (o.paths.has(p) && !deepEqual(getPath(existing.obj, JSON.parse(p)), getPath(applied, JSON.parse(p)))) o.paths.delete(p);
      if (o.paths.size === 0) owners.delete(m);
    }
    owners.set(opts.fieldManager, { operation: 'Apply', paths: newPaths });
    checkImmutable(existing.obj, next);
    return this.replaceStored(key, existing, this.validate(next), owners);
  }

  async update(obj: KubeObject, opts: { fieldManager?: string } = {}): Promise<KubeObject> {
    this.writes.update++;
    const info = resourceInfo(obj.apiVersion, obj.kind);
    const key = objKey(obj.kind, this.ns(obj.metadata, info.namespaced), obj.metadata.name);
    const existing = this.store.get(key);
    if (!existing) throw new KubeApiError(404, 'NotFound', `${obj.kind} "${obj.metadata.name}" not found`);
    checkDecode(obj);
    if (obj.metadata.resourceVersion !== existing.obj.metadata.resourceVersion) {
      throw new KubeApiError(409, 'Conflict', `Operation cannot be fulfilled on ${obj.kind} "${obj.metadata.name}": the object has been modified; please apply your changes to the latest version and try again`);
    }
    const next = structuredClone(obj);
    next.metadata = { ...next.metadata, namespace: existing.obj.metadata.namespace };
    canonicalizeQuantities(next);
    if (info.statusSubresource) next.status = structuredClone(existing.obj.status);
    const owners = new Map([...existing.owners].map(([m, o]) => [m, { operation: o.operation, paths: new Set(o.paths) }]));
    const before = new Set(leafPaths(existing.obj, info.statusSubresource));
    const after = leafPaths(next, info.statusSubresource);
    const changed = after.filter((p) => !before.has(p) || !deepEqual(getPath(existing.obj, JSON.parse(p)), getPath(next, JSON.parse(p))));
    const mgr = opts.fieldManager ?? 'unknown';
    for (const [m, o] of owners) if (m !== mgr) for (const p of changed) o.paths.delete(p);
    const mine = owners.get(mgr) ?? { operation: 'Update' as const, paths: new Set<string>() };
    for (const p of changed) mine.paths.add(p);
    if (mine.paths.size) owners.set(mgr, mine);
    checkImmutable(existing.obj, next);
    return this.replaceStored(key, existing, this.validate(next), owners);
  }

  async patchStatus(ref: ObjectRef, status: Record<string, unknown>, _opts: { fieldManager: string }): Promise<KubeObject> {
    this.writes.patchStatus++;
    const info = resourceInfo(ref.apiVersion, ref.kind);
    const key = objKey(ref.kind, this.ns(ref, info.namespaced), ref.name);
    const existing = this.store.get(key);
    if (!existing) throw new KubeApiError(404, 'NotFound', `${ref.kind} "${ref.name}" not found`);
    const next = structuredClone(existing.obj);
    next.status = mergePatch(existing.obj.status ?? {}, status);
    return this.replaceStored(key, existing, this.validate(next), existing.owners, true);
  }

  async delete(ref: ObjectRef, opts: DeleteOptions = {}): Promise<void> {
    this.writes.delete++;
    const info = resourceInfo(ref.apiVersion, ref.kind);
    const key = objKey(ref.kind, this.ns(ref, info.namespaced), ref.name);
    const existing = this.store.get(key);
    if (!existing) throw new KubeApiError(404, 'NotFound', `${ref.kind} "${ref.name}" not found`);
    if (existing.obj.metadata.finalizers?.length) {
      if (existing.obj.metadata.deletionTimestamp) return;
      const next = structuredClone(existing.obj);
      next.metadata.deletionTimestamp = this.now().toISOString();
      this.replaceStored(key, existing, next, existing.owners, true);
      return;
    }
    if (opts.propagationPolicy === 'Orphan') this.orphanDependents(existing.obj.metadata.uid!);
    this.remove(key);
  }

  // ---- internals ----

  /** propagationPolicy Orphan: dependents lose the owner reference instead of being collected. */
  private orphanDependents(uid: string): void {
    for (const [key, s] of [...this.store]) {
      const refs = s.obj.metadata.ownerReferences ?? [];
      if (!refs.some((r) => r.uid === uid)) continue;
      const next = structuredClone(s.obj);
      next.metadata.ownerReferences = refs.filter((r) => r.uid !== uid);
      if (!next.metadata.ownerReferences.length) delete next.metadata.ownerReferences;
      this.replaceStored(key, s, next, s.owners, true);
    }
  }

  private ns(ref: { namespace?: string }, namespaced = true): string | undefined {
    return namespaced ? ref.namespace ?? 'default' : undefined;
  }

  private validate(obj: KubeObject): KubeObject {
    const v = this.validators.get(obj.kind);
    if (!v) return obj;
    const r = v(obj);
    if (!r.value) {
      throw new KubeApiError(422, 'Invalid', `${obj.kind}.${obj.apiVersion.split('/')[0]} "${obj.metadata.name}" is invalid: ${r.errors.join('; ')}`);
    }
    return { ...r.value, metadata: obj.metadata };
  }

  private review(obj: KubeObject): KubeObject {
    const a = (obj.spec?.resourceAttributes ?? {}) as { verb: string; group?: string; resource: string; namespace?: string };
    return { ...structuredClone(obj), status: { allowed: this.can(a) } };
  }

  private insert(key: string, obj: KubeObject, owners: Map<string, Ownership>): KubeObject {
    obj.metadata.uid = randomUUID();
    obj.metadata.creationTimestamp = this.now().toISOString();
    obj.metadata.generation = 1;
    obj.metadata.resourceVersion = String(++this.rv);
    this.setManagedFields(obj, owners);
    this.store.set(key, { obj, owners });
    this.emit('ADDED', obj);
    return structuredClone(obj);
  }

  private replaceStored(key: string, existing: Stored, next: KubeObject, owners: Map<string, Ownership>, statusOnly = false): KubeObject {
    const m = existing.obj.metadata;
    next.metadata = { ...next.metadata, uid: m.uid, creationTimestamp: m.creationTimestamp,
      deletionTimestamp: m.deletionTimestamp ?? next.metadata.deletionTimestamp, generation: m.generation, resourceVersion: m.resourceVersion };
    if (!next.metadata.deletionTimestamp) delete next.metadata.deletionTimestamp;
    this.setManagedFields(next, owners);
    if (deepEqual(next, existing.obj)) return structuredClone(existing.obj);
    if (!statusOnly && !deepEqual(this.specPart(next), this.specPart(existing.obj))) next.metadata.generation = (m.generation ?? 1) + 1;
    next.metadata.resourceVersion = String(++this.rv);
    if (next.metadata.deletionTimestamp && !next.metadata.finalizers?.length) {
      this.store.set(key, { obj: next, owners });
      this.remove(key);
      return structuredClone(next);
    }
    this.store.set(key, { obj: next, owners });
    this.emit('MODIFIED', next);
    return structuredClone(next);
  }

  private specPart(o: KubeObject): Json {
    const { metadata: _m, status: _s, ...rest } = o;
    return rest;
  }

  private setManagedFields(obj: KubeObject, owners: Map<string, Ownership>): void {
    const entries: ManagedFieldsEntry[] = [...owners].map(([manager, o]) => ({
      manager, operation: o.operation, apiVersion: obj.apiVersion, fieldsType: 'FieldsV1', fieldsV1: toFieldsV1(o.paths),
    }));
    obj.metadata.managedFields = entries;
  }

  private remove(key: string): void {
    const s = this.store.get(key);
    if (!s) return;
    this.store.delete(key);
    const gone = structuredClone(s.obj);
    gone.metadata.resourceVersion = String(++this.rv);
    this.emit('DELETED', gone);
    this.collectGarbage(s.obj.metadata.uid!);
  }

  /** Background propagation: dependents whose every owner is gone are deleted. */
  private collectGarbage(uid: string): void {
    for (const [key, s] of [...this.store]) {
      const refs = s.obj.metadata.ownerReferences ?? [];
      if (!refs.some((r) => r.uid === uid)) continue;
      const alive = refs.filter((r) => r.uid !== uid && [...this.store.values()].some((o) => o.obj.metadata.uid === r.uid));
      if (alive.length) continue;
      if (s.obj.metadata.finalizers?.length) {
        if (!s.obj.metadata.deletionTimestamp) {
          const next = structuredClone(s.obj);
          next.metadata.deletionTimestamp = this.now().toISOString();
          this.replaceStored(key, s, next, s.owners, true);
        }
        continue;
      }
      this.remove(key);
    }
  }

  private emit(type: WatchEvent['type'], obj: KubeObject): void {
    const event: WatchEvent = { type, object: structuredClone(obj) };
    this.history.push({ rv: this.rv, kind: obj.kind, event });
    if (this.history.length > this.historySize) this.history.shift();
    for (const w of this.watchers) if (w.kind === obj.kind && matches(obj, w.opts)) this.deliver(w, event);
  }

  private deliver(w: Watcher, event: WatchEvent): void {
    const copy = structuredClone(event);
    setImmediate(() => { if (!w.stopped) w.onEvent(copy); });
  }
}

// The small slice of the Kubernetes API the operator uses, as an interface with two
// implementations: RestKubeApi (a real API server through @kubernetes/client-node's kubeconfig)
// and MemoryKubeApi (test/operator/support/memory-api.ts, in-process, for tests, keeping the API server's rules the operator relies on).

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface ManagedFieldsEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion?: string;
  fieldsType?: 'FieldsV1';
  fieldsV1?: Record<string, unknown>;
  subresource?: string;
}

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
  managedFields?: ManagedFieldsEntry[];
  [k: string]: unknown;
}

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  [k: string]: any;
}

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
}

export interface ListOptions {
  namespace?: string;
  /** Equality selector: every label must match. */
  labelSelector?: Record<string, string>;
}

export interface ObjectList {
  items: KubeObject[];
  resourceVersion: string;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';
export interface WatchEvent { type: WatchEventType; object: KubeObject }

export interface WatchHandle { stop(): void }

export interface ApplyOptions { fieldManager: string; force?: boolean }
export interface DeleteOptions { propagationPolicy?: 'Background' | 'Foreground' | 'Orphan' }

export interface KubeApi {
  /** undefined when the object does not exist. */
  get(ref: ObjectRef): Promise<KubeObject | undefined>;
  list(apiVersion: string, kind: string, opts?: ListOptions): Promise<ObjectList>;
  /**
   * Watches from resourceVersion (the list's). onDone(err) ends the watch; an err with
   * code 410 means the version is too old: list again.
   */
  watch(apiVersion: string, kind: string, opts: ListOptions & { resourceVersion?: string },
    onEvent: (e: WatchEvent) => void, onDone: (err?: KubeApiError) => void): Promise<WatchHandle>;
  /** Server-side apply (application/apply-patch+yaml). Status is ignored for kinds with a status subresource. */
  apply(obj: KubeObject, opts: ApplyOptions): Promise<KubeObject>;
  /** Create; fails with 409 when it exists. */
  create(obj: KubeObject, opts?: { fieldManager?: string }): Promise<KubeObject>;
  /** Replace, with the resourceVersion as precondition (409 on mismatch). */
  update(obj: KubeObject, opts?: { fieldManager?: string }): Promise<KubeObject>;
  /** Merge-patches the status subresource only. */
  patchStatus(ref: ObjectRef, status: Record<string, unknown>, opts: { fieldManager: string }): Promise<KubeObject>;
  delete(ref: ObjectRef, opts?: DeleteOptions): Promise<void>;
  /** GET /version */
  serverVersion(): Promise<{ major: string; minor: string; gitVersion: string }>;
}

export class KubeApiError extends Error {
  readonly code: number;
  readonly reason: string;
  constructor(code: number, reason: string, message: string) {
    super(message);
    this.name = 'KubeApiError';
    this.code = code;
    this.reason = reason;
  }
}

export const isNotFound = (e: unknown) => e instanceof KubeApiError && e.code === 404;
export const isConflict = (e: unknown) => e instanceof KubeApiError && e.code === 409;

export function refOf(obj: KubeObject): ObjectRef {
  return { apiVersion: obj.apiVersion, kind: obj.kind, name: obj.metadata.name, namespace: obj.metadata.namespace };
}

export function keyOf(ref: ObjectRef): string {
  return `${ref.kind}/${ref.namespace ?? ''}/${ref.name}`;
}

import type { MountPoint } from './mount-point.js';

/**
 * Where the mount table lives: a static file on one machine, or etcd for a cluster.
 * Stored options keep their secrets; callers that print mounts must redact them.
 */
export interface MountStore {
  readonly source: 'STATIC_FILE' | 'ETCD';
  list(): Promise<MountPoint[]>;
  add(mount: MountPoint): Promise<void>;
  remove(path: string): Promise<void>;
  /** Calls the listener with the full table whenever it changes. Returns an unsubscribe function. */
  watch(listener: (mounts: MountPoint[]) => void): () => void;
  close(): Promise<void>;
}

import type { WorkerInfo } from '../hashring/worker-info.js';

export type WorkerStatus = 'ONLINE' | 'OFFLINE';

export interface WorkerState {
  worker: WorkerInfo;
  status: WorkerStatus;
}

/** Who the workers are and which are alive (DESIGN.md §6). */
export interface MembershipManager {
  readonly type: 'STATIC' | 'ETCD';
  /** Registers this worker and keeps it alive until leave() or close(). */
  join(self: WorkerInfo): Promise<void>;
  leave(): Promise<void>;
  liveWorkers(): Promise<WorkerInfo[]>;
  /** Every known worker, live or not. */
  allWorkers(): Promise<WorkerState[]>;
  /** Calls the listener with the live workers whenever they change. Returns an unsubscribe function. */
  onChange(listener: (live: WorkerInfo[]) => void): () => void;
  close(): Promise<void>;
}

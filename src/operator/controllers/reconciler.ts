import type { ObjectRef } from '../kube/types.js';

export interface ReconcileResult {
  /** Reconcile this object again after this long (resync, or waiting for pods). */
  requeueAfterMs?: number;
}

/** One controller: reconciles objects of one kind by reference. Throwing = retry with backoff. */
export interface Reconciler {
  readonly apiVersion: string;
  readonly kind: string;
  reconcile(ref: ObjectRef): Promise<ReconcileResult>;
}

import { randomBytes } from 'node:crypto';
import { FIELD_MANAGER } from '../constants.js';
import type { KubeApi, KubeObject } from '../kube/types.js';
import type { Clock } from './clock.js';

// core/v1 Events on a custom resource (kubectl describe shows them): one per phase change, a
// Warning for Failed. Best effort: an Event that cannot be written never fails a reconcile.

export async function recordEvent(api: KubeApi, clock: Clock, obj: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string,
  log?: { warn: (o: object, m?: string) => void }): Promise<void> {
  const now = clock.now().toISOString().replace(/\.\d{3}Z$/, 'Z');
  try {
    await api.create({
      apiVersion: 'v1', kind: 'Event',
      metadata: { name: `${obj.metadata.name}.${randomBytes(8).toString('hex')}`, namespace: obj.metadata.namespace },
      involvedObject: { apiVersion: obj.apiVersion, kind: obj.kind, name: obj.metadata.name, namespace: obj.metadata.namespace, uid: obj.metadata.uid },
      reason, message: message.slice(0, 1024), type, count: 1, firstTimestamp: now, lastTimestamp: now,
      source: { component: FIELD_MANAGER }, reportingComponent: FIELD_MANAGER,
    }, { fieldManager: FIELD_MANAGER });
  } catch (err) {
    log?.warn({ obj: obj.metadata.name, reason, err: (err as Error).message }, 'could not record an Event');
  }
}

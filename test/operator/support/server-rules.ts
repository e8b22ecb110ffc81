import { MICRO_TIME } from '../../../src/operator/kube/time.js';
import { KubeApiError, type KubeObject } from '../../../src/operator/kube/types.js';

// Rules a real kube-apiserver enforces on built-in kinds, for the in-memory API (there is no API
// server on these machines). Each throws what the server answers:
// - decoding (400 BadRequest): metav1.MicroTime fields must have exactly six fractional digits;
// - validation (422 Invalid): object names (DNS-1123 subdomain, DNS-1035 label for Services);
// - update validation (422 Invalid): the immutable fields of StatefulSet, Service, PVC and Job.

const MICRO_TIME_FIELDS: Record<string, string[][]> = {
  Lease: [['spec', 'acquireTime'], ['spec', 'renewTime']],
  Event: [['eventTime']],
};

const get = (o: unknown, path: string[]): unknown => path.reduce<unknown>((c, k) => (c && typeof c === 'object' ? (c as Record<string, unknown>)[k] : undefined), o);

/** Decoding: runs on create, update and apply (400 as the server's JSON decoder answers). */
export function checkDecode(obj: KubeObject): void {
  for (const path of MICRO_TIME_FIELDS[obj.kind] ?? []) {
    const v = get(obj, path);
    if (v === undefined || v === null) continue;
    if (typeof v !== 'string' || !MICRO_TIME.test(v)) {
      throw new KubeApiError(400, 'BadRequest', `${obj.kind} in version "${obj.apiVersion.split('/').pop()}" cannot be handled as a ${obj.kind}: `
        + `parsing time "${String(v)}" as "2006-01-02T15:04:05.000000Z07:00": cannot parse (${path.join('.')})`);
    }
  }
}

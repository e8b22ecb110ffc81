import { canonicalQuantity } from '../../../src/operator/builders/quantity.js';
import { MICRO_TIME } from '../../../src/operator/kube/time.js';
import { KubeApiError, type KubeObject } from '../../../src/operator/kube/types.js';
import { undeclaredFields } from './k8s-fields.js';

// Rules a real kube-apiserver enforces on built-in kinds, for the in-memory API (there is no API
// server on these machines). Each throws what the server answers:
// - decoding (400 BadRequest): metav1.MicroTime fields must have exactly six fractional digits;
//   a field a built-in kind (or ObjectMeta) does not declare is refused (k8s-fields.ts);
// - decoding: quantities of built-in kinds are stored in canonical form (1024Mi → 1Gi, cpu: 8 → "8");
// - validation (422 Invalid): object names (DNS-1123 subdomain, DNS-1035 label for Services);
// - update validation (422 Invalid): the immutable fields of StatefulSet, Service, PVC and Job.

const MICRO_TIME_FIELDS: Record<string, string[][]> = {
  Lease: [['spec', 'acquireTime'], ['spec', 'renewTime']],
  Event: [['eventTime']],
};

const get = (o: unknown, path: string[]): unknown => path.reduce<unknown>((c, k) => (c && typeof c === 'object' ? (c as Record<string, unknown>)[k] : undefined), o);

const OBJECT_META_FIELDS = new Set(['name', 'generateName', 'namespace', 'selfLink', 'uid', 'resourceVersion', 'generation', 'creationTimestamp',
  'deletionTimestamp', 'deletionGracePeriodSeconds', 'labels', 'annotations', 'ownerReferences', 'finalizers', 'managedFields']);

/** Decoding: runs on create, update and apply (400 as the server's JSON decoder answers). */
export function checkDecode(obj: KubeObject): void {
  // Built-in kinds are typed throughout, and ObjectMeta is typed for every kind: server-side
  // apply refuses a field the schema does not declare (kubectl's strict validation does too),
  // e.g. an apiVersion spread into metadata or a misspelt probe field.
  const unknown = undeclaredFields(obj) ?? Object.keys(obj.metadata ?? {}).filter((k) => !OBJECT_META_FIELDS.has(k)).map((k) => `.metadata.${k}`);
  if (unknown.length) {
    throw new KubeApiError(400, 'BadRequest', `${obj.kind} "${obj.metadata.name}": ${unknown.map((k) => `${k}: field not declared in schema`).join('; ')}`);
  }
  for (const path of MICRO_TIME_FIELDS[obj.kind] ?? []) {
    const v = get(obj, path);
    if (v === undefined || v === null) continue;
    if (typeof v !== 'string' || !MICRO_TIME.test(v)) {
      throw new KubeApiError(400, 'BadRequest', `${obj.kind} in version "${obj.apiVersion.split('/').pop()}" cannot be handled as a ${obj.kind}: `
        + `parsing time "${String(v)}" as "2006-01-02T15:04:05.000000Z07:00": cannot parse (${path.join('.')})`);
    }
  }
}

/** The pod spec of a built-in workload kind, if it has one. */
function podSpecOf(obj: KubeObject): Record<string, any> | undefined {
  const spec = obj.spec as Record<string, any> | undefined;
  if (obj.kind === 'Pod') return spec;
  if (obj.kind === 'CronJob') return spec?.jobTemplate?.spec?.template?.spec;
  if (['StatefulSet', 'Deployment', 'DaemonSet', 'ReplicaSet', 'Job'].includes(obj.kind)) return spec?.template?.spec;
  return undefined;
}

/**
 * Decoding: the server parses every resource.Quantity of a built-in kind and stores its canonical
 * form (container resources, emptyDir sizeLimit, PVC and volumeClaimTemplate requests), so what a
 * client reads back may be spelt differently from what it wrote. Changes `obj` in place.
 */
export function canonicalizeQuantities(obj: KubeObject): void {
  const amounts = (m: Record<string, unknown> | undefined) => {
    for (const [k, v] of Object.entries(m ?? {})) if (typeof v === 'string' || typeof v === 'number') m![k] = canonicalQuantity(v);
  };
  const resources = (r: Record<string, any> | undefined) => { amounts(r?.limits); amounts(r?.requests); };
  const pod = podSpecOf(obj);
  for (const c of [...(pod?.containers ?? []), ...(pod?.initContainers ?? [])]) resources(c?.resources);
  for (const v of pod?.volumes ?? []) if (v?.emptyDir?.sizeLimit !== undefined) v.emptyDir.sizeLimit = canonicalQuantity(v.emptyDir.sizeLimit);
  if (obj.kind === 'StatefulSet') for (const t of (obj.spec?.volumeClaimTemplates ?? []) as Record<string, any>[]) resources(t?.spec?.resources);
  if (obj.kind === 'PersistentVolumeClaim') resources(obj.spec?.resources);
}

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** Validation of names and label values (422), as the server validates built-in kinds. */
export function checkNames(obj: KubeObject): void {
  const name = obj.metadata.name;
  const errors: string[] = [];
  if (obj.kind === 'Service') {
    if (name.length > 63 || !DNS1035_LABEL.test(name)) errors.push(`metadata.name: Invalid value: "${name}": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (at most 63)`);
  } else if (name.length > 253 || !DNS1123_SUBDOMAIN.test(name)) {
    errors.push(`metadata.name: Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.'`);
  }
  const labelSets: [string, unknown][] = [['metadata.labels', obj.metadata.labels], ['spec.template.metadata.labels', get(obj, ['spec', 'template', 'metadata', 'labels'])]];
  for (const [where, labels] of labelSets) {
    for (const [k, v] of Object.entries((labels ?? {}) as Record<string, string>)) {
      if (v.length > 63 || !LABEL_VALUE.test(v)) errors.push(`${where}: Invalid value: "${v}" (label ${k}): must be 63 characters or less`);
    }
  }
  if (errors.length) throw new KubeApiError(422, 'Invalid', `${obj.kind} "${name}" is invalid: ${errors.join('; ')}`);
}

// Update validation: what may change in an existing object (everything else is a 422).
const STS_MUTABLE = new Set(['replicas', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy', 'minReadySeconds', 'ordinals']);
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const quantity = (q: unknown): number => {
  const m = /^(\d+(?:\.\d+)?)([KMGTPE]i?)?$/.exec(String(q ?? ''));
  if (!m) return NaN;
  const pow: Record<string, number> = { K: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
  return Number(m[1]) * (m[2] ? pow[m[2]]! : 1);
};

/** The immutable fields of StatefulSet, Service (clusterIP), PVC (spec, but storage may grow) and Job (template). */
export function checkImmutable(prev: KubeObject, next: KubeObject): void {
  const errors: string[] = [];
  const ps = (prev.spec ?? {}) as Record<string, unknown>;
  const ns = (next.spec ?? {}) as Record<string, unknown>;
  if (prev.kind === 'StatefulSet') {
    const changed = [...new Set([...Object.keys(ps), ...Object.keys(ns)])].filter((k) => !STS_MUTABLE.has(k) && !same(ps[k], ns[k]));
    if (changed.length) {
      errors.push(`spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', `
        + `'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden (changed: ${changed.join(', ')})`);
    }
  } else if (prev.kind === 'Service') {
    if (ps.clusterIP !== undefined && ps.clusterIP !== '' && !same(ps.clusterIP, ns.clusterIP)) errors.push('spec.clusterIPs[0]: Invalid value: field is immutable');
  } else if (prev.kind === 'PersistentVolumeClaim') {
    const strip = (s: Record<string, unknown>) => ({ ...s, resources: { ...(s.resources as object), requests: { ...((s.resources as { requests?: object })?.requests), storage: undefined } } });
    if (!same(strip(ps), strip(ns))) errors.push('spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims');
    const before = quantity(get(ps, ['resources', 'requests', 'storage']));
    const after = quantity(get(ns, ['resources', 'requests', 'storage']));
    if (after < before) errors.push('spec.resources.requests.storage: Forbidden: field can not be less than previous value');
  } else if (prev.kind === 'Job') {
    if (!same(ps.template, ns.template)) errors.push('spec.template: Invalid value: field is immutable');
  }
  if (errors.length) throw new KubeApiError(422, 'Invalid', `${prev.kind}.${prev.apiVersion.split('/')[0]} "${prev.metadata.name}" is invalid: ${errors.join('; ')}`);
}

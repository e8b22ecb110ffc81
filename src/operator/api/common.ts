import { z } from 'zod';

// Schema pieces shared by the custom resources. Every check here must be expressible in the
// generated OpenAPI (type, enum, pattern, minimum, required), so the API server and the
// operator accept exactly the same objects. Checks that need more (cross-field rules, unit
// warnings) live in semantics.ts and are reported in status.

/** Sizes as Alluxio reads them: 512MB, 90Gi, 1GB, 4096 (MB means MiB). */
export const SIZE_PATTERN = '^[0-9]+(\\.[0-9]+)?([KkMmGgTtPp][Ii]?[Bb]?|[Bb])?$';
export const size = () => z.string().regex(new RegExp(SIZE_PATTERN), 'expected a size such as 90Gi, 512Mi or 1GB (MB means MiB)');
const SIZE_BODY = SIZE_PATTERN.slice(1, -1);
/** One size, or one per page store disk: 5000Gi,5000Gi (Alluxio's multi-disk form). */
export const sizeList = () => z.string().regex(new RegExp(`^${SIZE_BODY}(,\\s*${SIZE_BODY})*$`),
  'expected a size such as 90Gi, or one per directory: 5000Gi,5000Gi');
/** One absolute path, or several separated by commas (one per page store disk). */
export const absolutePathList = () => z.string().regex(/^\/[^,]*(,\s*\/[^,]*)*$/, 'expected an absolute path, or several separated by commas');

/** A Kubernetes quantity (PVC sizes, resources): 10Gi, 500m, 2. */
export const QUANTITY_PATTERN = '^[0-9]+(\\.[0-9]+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$';
export const quantity = () => z.string().regex(new RegExp(QUANTITY_PATTERN), 'expected a Kubernetes quantity such as 10Gi or 500m');

export const absolutePath = () => z.string().regex(new RegExp('^/'), 'expected an absolute path');

const NAME_PATTERN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
export const k8sName = () => z.string().min(1).max(253).regex(NAME_PATTERN, 'expected a DNS-1123 name (lowercase letters, digits, -)');

/** Kubernetes objects we pass through untouched (kept, not pruned, by the API server). */
export const opaqueObject = (description: string) =>
  z.record(z.string(), z.unknown()).describe(description).meta({ 'x-kubernetes-preserve-unknown-fields': true });

export const stringMap = () => z.record(z.string(), z.string());

/** A resource amount as a Pod spec takes it: a quantity string, or a bare integer (`cpu: 8`): int-or-string. */
const resourceAmount = () => z.union([z.number().int().min(0), quantity()]);

export const resources = () => z.object({
  limits: z.record(z.string(), resourceAmount()).optional(),
  requests: z.record(z.string(), resourceAmount()).optional(),
}).describe('Container resources, as in a Pod spec');

/** JVM flags of Alluxio Enterprise's Java processes: accepted and kept, but alluxio-ts runs no JVM (Ignored condition). */
export const jvmOptions = () => z.array(z.string()).optional()
  .describe('Alluxio Enterprise JVM flags (-Xmx...); alluxio-ts runs on Node.js and does not use them (listed in the Ignored condition)');

export const toleration = () => z.object({
  key: z.string().optional(),
  operator: z.enum(['Exists', 'Equal']).optional(),
  value: z.string().optional(),
  effect: z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute']).optional(),
  tolerationSeconds: z.number().int().optional(),
});

/** Scheduling and sizing fields every component shares. */
export const podPlacement = {
  resources: resources().optional(),
  nodeSelector: stringMap().optional().describe('Node labels the pods must match'),
  affinity: opaqueObject('Pod affinity, as in a Pod spec').optional(),
  tolerations: z.array(toleration()).optional(),
  env: stringMap().optional().describe('Extra environment variables'),
};

/** A directory a component keeps on the node or on a volume (metastore, logs). */
export const storageDir = (defaultHostPath: string) => z.object({
  type: z.enum(['hostPath', 'persistentVolumeClaim', 'emptyDir']).default('hostPath'),
  hostPath: absolutePath().default(defaultHostPath).describe('Directory on the node (GKE: /mnt is read-only, use e.g. /home/alluxio/...)'),
  storageClass: z.string().optional(),
  size: quantity().default('1Gi'),
});

/** `{ coordinator: {name: mountPath}, worker: {...}, fuse: {...} }` */
export const componentMounts = (what: string) => z.object({
  coordinator: stringMap().optional(),
  worker: stringMap().optional(),
  fuse: stringMap().optional(),
}).describe(`${what} to mount, per component: key = ${what === 'hostPaths' ? 'path on the node' : 'object name'}, value = path in the container`);

export const condition = () => z.object({
  type: z.string(),
  status: z.enum(['True', 'False', 'Unknown']),
  reason: z.string(),
  message: z.string(),
  lastTransitionTime: z.string(),
  observedGeneration: z.number().int().optional(),
});
export type Condition = z.infer<ReturnType<typeof condition>>;

export const objectMeta = () => z.looseObject({
  name: k8sName(),
  namespace: z.string().optional(),
  uid: z.string().optional(),
  generation: z.number().int().optional(),
  resourceVersion: z.string().optional(),
  labels: stringMap().optional(),
  annotations: stringMap().optional(),
  finalizers: z.array(z.string()).optional(),
  deletionTimestamp: z.string().optional(),
  creationTimestamp: z.string().optional(),
});

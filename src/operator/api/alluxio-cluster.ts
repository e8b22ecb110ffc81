import { z } from 'zod';
import { DEFAULT_ETCD_IMAGE, DEFAULT_IMAGE, ALLUXIO_TS_VERSION, DEFAULT_PROMETHEUS_IMAGE, DEFAULT_GRAFANA_IMAGE, PATHS, ALLUXIO_UID } from '../constants.js';
import {
  absolutePath, absolutePathList, componentMounts, condition, jvmOptions, k8sName, objectMeta, opaqueObject, podPlacement, quantity, size, sizeList, storageDir, stringMap,
} from './common.js';

// AlluxioCluster (DESIGN.md §11). This zod schema is the single source: the TypeScript types
// below are inferred from it and deploy/crds/*.yaml is generated from it (generate-crds.ts).

const IGNORED = 'Accepted for compatibility with Alluxio Enterprise and kept, but not used (listed in the Ignored condition)';

export const PagestoreSchema = z.object({
  type: z.enum(['hostPath', 'persistentVolumeClaim', 'emptyDir']).default('hostPath')
    .describe('hostPath (default, a directory on each worker node), persistentVolumeClaim (one PVC per worker) or emptyDir'),
  hostPath: absolutePathList().default(PATHS.pagestore)
    .describe('Directory on the node; several disks: comma-separated, with one size each in size (hostPath type only)'),
  size: sizeList().default('1Gi').describe('Cache capacity per worker (per disk: 5000Gi,5000Gi); must fit the node disk. 90Gi = 90 GiB; Alluxio reads 90GB as 90 GiB too'),
  reservedSize: size().optional().describe('Space kept free for in-flight pages; default 10% of size'),
  storageClass: z.string().optional().describe('For type persistentVolumeClaim; empty = the default StorageClass'),
});

export type PagestoreSpec = z.output<typeof PagestoreSchema>;

/** The page store directories: one, or one per disk (hostPath a,b with size x,y). */
export function pagestoreDirs(ps: PagestoreSpec): { hostPath: string; size: string }[] {
  const paths = ps.hostPath.split(',').map((p) => p.trim());
  const sizes = ps.size.split(',').map((p) => p.trim());
  return sizes.map((size, i) => ({ hostPath: paths[i] ?? paths[0]!, size }));
}

export const WorkerSchema = z.object({
  count: z.number().int().min(0).default(1),
  pagestore: PagestoreSchema.prefault({}),
  useExternalId: z.boolean().default(false)
    .describe('true: identity per StatefulSet ordinal; false: identity kept in systemInfo.hostPath on the node'),
  systemInfo: z.object({ hostPath: absolutePath().default(PATHS.systemInfo) }).prefault({}),
  metastore: storageDir(PATHS.metastore).prefault({}),
  log: storageDir(PATHS.logs).prefault({}),
  jvmOptions: jvmOptions(),
  ...podPlacement,
});

export const CoordinatorSchema = z.object({
  count: z.number().int().min(1).max(1).default(1).describe('The coordinator is stateless; one replica'),
  metastore: storageDir(PATHS.metastore).prefault({}),
  log: storageDir(PATHS.logs).prefault({}),
  jvmOptions: jvmOptions(),
  ...podPlacement,
});

export const EtcdSchema = z.object({
  enabled: z.boolean().default(true).describe('false: use the etcd at properties["alluxio.etcd.endpoints"]'),
  replicaCount: z.number().int().min(1).default(3).describe('3 for quorum; each replica needs its own node (anti-affinity)'),
  image: z.object({
    registry: z.string().default(DEFAULT_ETCD_IMAGE.registry),
    repository: z.string().default(DEFAULT_ETCD_IMAGE.repository),
    tag: z.string().default(DEFAULT_ETCD_IMAGE.tag),
  }).prefault({}),
  persistence: z.object({
    storageClass: z.string().optional().describe('Empty = the default StorageClass'),
    size: quantity().default('10Gi'),
  }).prefault({}),
  ...podPlacement,
});

export const FuseSchema = z.object({
  type: z.enum(['csi', 'daemonSet', 'none']).default('none')
    .describe('daemonSet: a FUSE pod per node mounting at hostPathForMount; csi: a PVC for a CSI driver; none'),
  mountOptions: z.array(z.string()).default(['allow_other', 'kernel_cache', 'entry_timeout=60', 'attr_timeout=60']),
  hostPathForMount: absolutePath().default(PATHS.fuseMount),
  hostPathForMigration: absolutePath().optional().describe(IGNORED),
  log: storageDir(`${PATHS.logs}/fuse`).prefault({}),
  ...podPlacement,
});

/** Who may reach the cluster's pods, when spec.networkPolicy.enabled (builders/policy.ts). */
export const NetworkPolicySchema = z.object({
  enabled: z.boolean().default(false)
    .describe('Create a NetworkPolicy: pods of the cluster talk to each other; clients reach only the S3, REST, coordinator and metrics ports'),
  clients: z.array(opaqueObject('A NetworkPolicyPeer (podSelector, namespaceSelector, ipBlock)')).optional()
    .describe('Who may reach the client ports; default: every pod in the cluster namespace'),
  operatorNamespace: z.string().default('alluxio-operator').describe('Namespace of the operator, which calls the coordinator API (19999)'),
});

export const ServiceMonitorSchema = z.object({
  enabled: z.boolean().optional()
    .describe('A Prometheus Operator ServiceMonitor for the coordinator, workers and etcd. Unset: created when the monitoring.coreos.com CRDs exist (k8s render: not rendered); true: always; false: never'),
  interval: z.string().regex(/^[0-9]+(ms|s|m|h)$/, 'expected a duration such as 30s').default('30s'),
  labels: stringMap().optional().describe('Extra labels, e.g. the release label your Prometheus selects ServiceMonitors by'),
});

const imageOverride = (image: string) => z.object({
  enabled: z.boolean().default(true),
  image: z.string().default(image),
  resources: podPlacement.resources,
  persistence: opaqueObject(IGNORED).optional(),
});

export const AlluxioClusterSpecSchema = z.object({
  image: z.string().min(1).default(DEFAULT_IMAGE),
  imageTag: z.string().min(1).default(ALLUXIO_TS_VERSION),
  imagePullPolicy: z.enum(['Always', 'IfNotPresent', 'Never']).default('IfNotPresent'),
  imagePullSecrets: z.array(z.string()).optional().describe('Names of docker-registry Secrets in the cluster namespace'),
  user: z.number().int().min(0).default(ALLUXIO_UID).describe('uid of the coordinator and worker processes (FUSE always runs as root); 0 = root'),
  group: z.number().int().min(0).default(ALLUXIO_UID).describe('gid of the coordinator and worker processes'),
  fsGroup: z.number().int().min(0).default(ALLUXIO_UID).describe('Pod fsGroup of the coordinator and workers: group owner of their volumes'),
  properties: stringMap().optional().describe('Appended to alluxio-site.properties; they win over what the operator sets'),
  coordinator: CoordinatorSchema.prefault({}),
  worker: WorkerSchema.prefault({}),
  etcd: EtcdSchema.prefault({}),
  fuse: FuseSchema.prefault({}),
  secrets: componentMounts('secrets').optional(),
  configMaps: componentMounts('configMaps').optional(),
  hostPaths: componentMounts('hostPaths').optional(),
  pvcMounts: componentMounts('pvcMounts').optional(),
  prometheus: imageOverride(DEFAULT_PROMETHEUS_IMAGE).prefault({}),
  grafana: imageOverride(DEFAULT_GRAFANA_IMAGE).prefault({}),
  networkPolicy: NetworkPolicySchema.prefault({}),
  serviceMonitor: ServiceMonitorSchema.prefault({}),
  gateway: opaqueObject(`Alluxio Enterprise's gateway: not deployed by alluxio-ts. ${IGNORED}`).optional(),
});

/**
 * Paths of fields that Alluxio Enterprise's AlluxioCluster has and alluxio-ts accepts (so its
 * YAML applies verbatim) but does not act on; the operator lists them in the Ignored condition.
 */
export function ignoredFields(spec: AlluxioClusterSpec): string[] {
  const out: string[] = [];
  if (spec.gateway !== undefined) out.push('spec.gateway');
  if (spec.fuse.hostPathForMigration !== undefined) out.push('spec.fuse.hostPathForMigration');
  if (spec.prometheus.persistence !== undefined) out.push('spec.prometheus.persistence');
  if (spec.grafana.persistence !== undefined) out.push('spec.grafana.persistence');
  if (spec.coordinator.jvmOptions !== undefined) out.push('spec.coordinator.jvmOptions');
  if (spec.worker.jvmOptions !== undefined) out.push('spec.worker.jvmOptions');
  return out;
}

export const CLUSTER_PHASES = ['Pending', 'Creating', 'WaitingForReady', 'Ready', 'Updating', 'Failed'] as const;

export const AlluxioClusterStatusSchema = z.object({
  phase: z.enum(CLUSTER_PHASES).optional(),
  conditions: z.array(condition()).optional(),
  observedGeneration: z.number().int().optional(),
  errorMessage: z.string().optional(),
  workers: z.object({ desired: z.number().int(), ready: z.number().int() }).optional(),
  etcd: z.object({
    members: z.number().int().describe('etcd members the operator has established (the StatefulSet replicas)'),
    target: z.number().int().describe('spec.etcd.replicaCount being scaled to, one member at a time'),
    clusterState: z.enum(['new', 'existing']).describe('how a member that starts with an empty data dir bootstraps'),
    step: z.string().optional().describe('the scaling step in progress or last done'),
  }).optional(),
});

export const AlluxioClusterSchema = z.object({
  apiVersion: z.literal('k8s-operator.alluxio.com/v1'),
  kind: z.literal('AlluxioCluster'),
  metadata: objectMeta(),
  spec: AlluxioClusterSpecSchema.prefault({}),
  status: AlluxioClusterStatusSchema.optional(),
});

export type AlluxioCluster = z.output<typeof AlluxioClusterSchema>;
export type AlluxioClusterInput = z.input<typeof AlluxioClusterSchema>;
export type AlluxioClusterSpec = z.output<typeof AlluxioClusterSpecSchema>;
export type AlluxioClusterStatus = z.output<typeof AlluxioClusterStatusSchema>;
export type ClusterPhase = (typeof CLUSTER_PHASES)[number];
export type Component = 'coordinator' | 'worker' | 'fuse';

export { k8sName, opaqueObject };

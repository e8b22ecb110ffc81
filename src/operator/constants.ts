// Every name the operator shares with Kubernetes or with users: API group, labels, condition
// types and reasons, the finalizer and the field manager. One file, so they cannot drift.

export const GROUP = 'k8s-operator.alluxio.com';
export const VERSION = 'v1';
export const API_VERSION = `${GROUP}/${VERSION}`;

export const FIELD_MANAGER = 'alluxio-operator';
export const FINALIZER = 'k8s-operator.alluxio.com/finalizer';

/** Package version = default image tag of the Alluxio and operator images. */
export const ALLUXIO_TS_VERSION = '0.1.0';
export const DEFAULT_IMAGE = 'alluxio/alluxio-ts';
export const DEFAULT_OPERATOR_IMAGE = 'alluxio/alluxio-ts-operator';
export const DEFAULT_ETCD_IMAGE = { registry: 'quay.io', repository: 'coreos/etcd', tag: 'v3.5.17' } as const;
export const DEFAULT_PROMETHEUS_IMAGE = 'prom/prometheus:v2.53.2';
export const DEFAULT_GRAFANA_IMAGE = 'grafana/grafana:10.4.8';

export const LABELS = {
  name: 'app.kubernetes.io/name',
  instance: 'app.kubernetes.io/instance',
  component: 'app.kubernetes.io/component',
  managedBy: 'app.kubernetes.io/managed-by',
  version: 'app.kubernetes.io/version',
} as const;
export const APP_NAME = 'alluxio';
export const MANAGED_BY = 'alluxio-operator';

export const ANNOTATIONS = {
  /** sha256 of the config map data: a change rolls the pods that mount it. */
  configHash: 'k8s-operator.alluxio.com/config-hash',
  /** sha256 of the applied mount (no secret values), on UnderFileSystem status. */
  licenseHash: 'k8s-operator.alluxio.com/license-hash',
  /** sha256 of what the operator last applied to an object: an unchanged object is not re-applied. */
  appliedHash: 'k8s-operator.alluxio.com/applied-hash',
} as const;

export const CONDITION = {
  Ready: 'Ready',
  SpecValid: 'SpecValid',
  SpecWarnings: 'SpecWarnings',
  ResourcesApplied: 'ResourcesApplied',
  EtcdStorage: 'EtcdStorageBound',
  EtcdSchedulable: 'EtcdSchedulable',
  EtcdScaling: 'EtcdScaling',
  ImagesPulled: 'ImagesPulled',
  PagestoreFits: 'PagestoreFitsDisk',
  HostPathWritable: 'HostPathWritable',
  /** Pods the scheduler cannot place (PodScheduled=False, FailedScheduling). */
  PodsScheduled: 'PodsScheduled',
  /** Pods the namespace's Pod Security admission refuses (FailedCreate "violates PodSecurity"). */
  PodSecurityAdmitted: 'PodSecurityAdmitted',
  /** Containers killed for memory (OOMKilled) or restarting in CrashLoopBackOff. */
  ContainersRunning: 'ContainersRunning',
  /** The license string (alluxio.license or a License) parses and has not expired. */
  LicenseValid: 'LicenseValid',
  Mounted: 'Mounted',
  /** A Load's run: True once it succeeded; the reason says where it stands (JobRunning, SubmitRejected...). */
  Loaded: 'Loaded',
  Licensed: 'Licensed',
  /** True when the spec has fields alluxio-ts accepts but does not act on; the message lists them. */
  Ignored: 'Ignored',
} as const;
export type ConditionType = (typeof CONDITION)[keyof typeof CONDITION];

export const REASON = {
  AllReady: 'AllComponentsReady',
  WaitingForPods: 'WaitingForPods',
  InvalidSpec: 'InvalidSpec',
  ApplyFailed: 'ApplyFailed',
  Applied: 'Applied',
  StatefulSetRecreated: 'StatefulSetRecreated',
  NoStorageClass: 'NoStorageClass',
  StorageClassNotFound: 'StorageClassNotFound',
  PvcPending: 'PersistentVolumeClaimPending',
  Bound: 'Bound',
  InsufficientNodes: 'InsufficientNodesForAntiAffinity',
  EtcdScaling: 'EtcdScaling',
  EtcdScaled: 'EtcdScaled',
  EtcdUnreachable: 'EtcdUnreachable',
  EtcdMembersMismatch: 'EtcdMembersMismatch',
  EnoughNodes: 'EnoughNodes',
  ImagePullFailed: 'ImagePullFailed',
  ImagesOk: 'ImagesPulled',
  PagestoreExceedsDisk: 'PagestoreExceedsDisk',
  PagestoreOk: 'PagestoreFits',
  HostPathNotWritable: 'HostPathNotWritable',
  HostPathOk: 'HostPathWritable',
  WaitingForFirstConsumer: 'WaitingForFirstConsumer',
  NoPersistentVolume: 'NoPersistentVolume',
  ProvisioningFailed: 'ProvisioningFailed',
  ProvisionerNotResponding: 'ProvisionerNotResponding',
  PodsScheduledOk: 'AllPodsScheduled',
  AntiAffinity: 'TooFewNodesForAntiAffinity',
  InsufficientResources: 'InsufficientResources',
  NodeSelectorMismatch: 'NodeSelectorMismatch',
  UntoleratedTaint: 'UntoleratedTaint',
  Unschedulable: 'Unschedulable',
  PodSecurityViolation: 'PodSecurityViolation',
  PodSecurityOk: 'PodsAdmitted',
  OOMKilled: 'OOMKilled',
  CrashLoopBackOff: 'CrashLoopBackOff',
  ContainersOk: 'ContainersRunning',
  LicenseExpired: 'LicenseExpired',
  LicenseInvalid: 'LicenseInvalid',
  LicenseOk: 'LicenseValid',
  LicenseNotChecked: 'LicenseNotChecked',
  SizeUnit: 'AmbiguousSizeUnit',
  NoWarnings: 'NoWarnings',
  FieldsIgnored: 'FieldsIgnored',
  ClusterNotFound: 'ClusterNotFound',
  ClusterNotReady: 'ClusterNotReady',
  MountFailed: 'MountFailed',
  SecretNotFound: 'CredentialsSecretNotFound',
  MountOk: 'Mounted',
  InvalidSchedule: 'InvalidSchedule',
  WaitingForSchedule: 'WaitingForSchedule',
  CoordinatorUnreachable: 'CoordinatorUnreachable',
  SubmitRejected: 'SubmitRejected',
  JobAlreadyRunning: 'JobAlreadyRunning',
  JobRunning: 'JobRunning',
  JobSucceeded: 'JobSucceeded',
  JobFailed: 'JobFailed',
  JobStopped: 'JobStopped',
  JobLost: 'JobLost',
  LicenseApplied: 'LicenseApplied',
} as const;

/** Prefixes the worker init container writes to its termination message; the operator maps them to conditions. */
export const INIT_MESSAGE = {
  notWritable: 'ALX_HOSTPATH_NOT_WRITABLE:',
  tooLarge: 'ALX_PAGESTORE_TOO_LARGE:',
} as const;

export const PORTS = {
  coordinatorRpc: 19998,
  coordinatorWeb: 19999,
  workerHttp: 28080,
  workerS3: 29998,
  workerRpc: 29999,
  workerData: 29997,
  workerWeb: 30000,
  fuseWeb: 49999,
  etcdClient: 2379,
  etcdPeer: 2380,
  prometheus: 9090,
  grafana: 3000,
} as const;

export const PATHS = {
  confDir: '/opt/alluxio/conf',
  pagestore: '/mnt/alluxio/pagestore',
  metastore: '/mnt/alluxio/metastore',
  systemInfo: '/mnt/alluxio/system-info',
  logs: '/mnt/alluxio/logs',
  fuseMount: '/mnt/alluxio/fuse',
  identityFile: '/mnt/alluxio/system-info/worker_identity',
  /** Directory of the mount credentials key Secret (read-only), and the key file in it. */
  mountCredentialsKeyDir: '/etc/alluxio/mount-credentials',
  mountCredentialsKeyFile: '/etc/alluxio/mount-credentials/key',
  /** Directory of the S3/REST credentials Secret (read-only): the credentials file and the cluster's own token. */
  s3CredentialsDir: '/etc/alluxio/s3-credentials',
  s3CredentialsFile: '/etc/alluxio/s3-credentials/credentials',
  s3TokenFile: '/etc/alluxio/s3-credentials/token',
} as const;

/** Data key of the Secret <cluster>-mount-credentials-key. */
export const MOUNT_KEY_SECRET_KEY = 'key';

/**
 * Data keys of the Secret <cluster>-s3-credentials (builders/s3-credentials-secret.ts): the S3 key
 * pair, the bearer token the cluster's own processes and FUSE send, the operator's token for the
 * coordinator API, and the credentials file made of them (alluxio.worker.s3.auth.credentials.file).
 */
export const S3_SECRET_KEYS = {
  accessKey: 'access-key',
  secretKey: 'secret-key',
  clusterToken: 'token',
  operatorToken: 'operator-token',
  credentials: 'credentials',
} as const;

export const ALLUXIO_UID = 1000;

import { API_VERSION } from '../constants.js';

// Kind → REST resource facts: plural, scope, status subresource. Only the kinds the operator,
// the preflight and the tests touch.

export interface ResourceInfo {
  apiVersion: string;
  kind: string;
  plural: string;
  namespaced: boolean;
  statusSubresource: boolean;
}

const R = (apiVersion: string, kind: string, plural: string, namespaced = true, statusSubresource = true): ResourceInfo =>
  ({ apiVersion, kind, plural, namespaced, statusSubresource });

export const RESOURCES: readonly ResourceInfo[] = [
  R(API_VERSION, 'AlluxioCluster', 'alluxioclusters'),
  R(API_VERSION, 'UnderFileSystem', 'underfilesystems'),
  R(API_VERSION, 'License', 'licenses'),
  R(API_VERSION, 'Load', 'loads'),
  R('v1', 'ConfigMap', 'configmaps', true, false),
  R('v1', 'Secret', 'secrets', true, false),
  R('v1', 'Service', 'services'),
  R('v1', 'Pod', 'pods'),
  R('v1', 'PersistentVolumeClaim', 'persistentvolumeclaims'),
  R('v1', 'PersistentVolume', 'persistentvolumes', false),
  R('v1', 'Node', 'nodes', false),
  R('v1', 'Event', 'events', true, false),
  R('v1', 'Namespace', 'namespaces', false),
  R('v1', 'ServiceAccount', 'serviceaccounts', true, false),
  R('apps/v1', 'StatefulSet', 'statefulsets'),
  R('apps/v1', 'Deployment', 'deployments'),
  R('apps/v1', 'DaemonSet', 'daemonsets'),
  R('policy/v1', 'PodDisruptionBudget', 'poddisruptionbudgets'),
  R('networking.k8s.io/v1', 'NetworkPolicy', 'networkpolicies', true, false),
  R('monitoring.coreos.com/v1', 'ServiceMonitor', 'servicemonitors', true, false),
  R('storage.k8s.io/v1', 'StorageClass', 'storageclasses', false, false),
  R('coordination.k8s.io/v1', 'Lease', 'leases', true, false),
  R('rbac.authorization.k8s.io/v1', 'Role', 'roles', true, false),
  R('rbac.authorization.k8s.io/v1', 'RoleBinding', 'rolebindings', true, false),
  R('rbac.authorization.k8s.io/v1', 'ClusterRole', 'clusterroles', false, false),
  R('rbac.authorization.k8s.io/v1', 'ClusterRoleBinding', 'clusterrolebindings', false, false),
  R('apiextensions.k8s.io/v1', 'CustomResourceDefinition', 'customresourcedefinitions', false),
  R('authorization.k8s.io/v1', 'SelfSubjectAccessReview', 'selfsubjectaccessreviews', false),
];

export function resourceInfo(apiVersion: string, kind: string): ResourceInfo {
  const r = RESOURCES.find((x) => x.kind === kind && x.apiVersion === apiVersion);
  if (!r) throw new Error(`unknown resource ${apiVersion} ${kind}: add it to src/operator/kube/resources.ts`);
  return r;
}

/** REST path of a collection or an object. */
export function resourcePath(info: ResourceInfo, namespace?: string, name?: string): string {
  const base = info.apiVersion.includes('/') ? `/apis/${info.apiVersion}` : `/api/${info.apiVersion}`;
  const ns = info.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `${base}${ns}/${info.plural}${name ? `/${encodeURIComponent(name)}` : ''}`;
}

// Validates rendered objects against the Kubernetes OpenAPI schemas shipped in kubernetes-models.
import type { KubeObject } from '../../../src/operator/kube/types.js';
import { undeclaredFields } from './k8s-fields.js';

const MODELS: Record<string, string> = {
  'v1/ConfigMap': 'kubernetes-models/v1/ConfigMap',
  'v1/Service': 'kubernetes-models/v1/Service',
  'v1/Secret': 'kubernetes-models/v1/Secret',
  'v1/ServiceAccount': 'kubernetes-models/v1/ServiceAccount',
  'v1/Pod': 'kubernetes-models/v1/Pod',
  'policy/v1/PodDisruptionBudget': 'kubernetes-models/policy/v1/PodDisruptionBudget',
  'networking.k8s.io/v1/NetworkPolicy': 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy',
  'v1/Namespace': 'kubernetes-models/v1/Namespace',
  'v1/PersistentVolumeClaim': 'kubernetes-models/v1/PersistentVolumeClaim',
  'v1/PersistentVolume': 'kubernetes-models/v1/PersistentVolume',
  'apps/v1/StatefulSet': 'kubernetes-models/apps/v1/StatefulSet',
  'apps/v1/Deployment': 'kubernetes-models/apps/v1/Deployment',
  'apps/v1/DaemonSet': 'kubernetes-models/apps/v1/DaemonSet',
  'rbac.authorization.k8s.io/v1/ClusterRole': 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole',
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding',
  'rbac.authorization.k8s.io/v1/Role': 'kubernetes-models/rbac.authorization.k8s.io/v1/Role',
  'rbac.authorization.k8s.io/v1/RoleBinding': 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding',
  'apiextensions.k8s.io/v1/CustomResourceDefinition': 'kubernetes-models/apiextensions.k8s.io/v1/CustomResourceDefinition',
};

/** Throws with the object's kind/name and the schema error when it is invalid. */
export async function validateK8s(obj: KubeObject): Promise<void> {
  const mod = MODELS[`${obj.apiVersion}/${obj.kind}`];
  if (!mod) throw new Error(`no schema for ${obj.apiVersion} ${obj.kind}`);
  const m = await import(mod) as Record<string, new (d: unknown) => { validate(): void }>;
  const Model = m[obj.kind]!;
  try {
    new Model(obj).validate();
  } catch (e) {
    throw new Error(`${obj.kind}/${obj.metadata?.name}: ${(e as Error).message}`);
  }
  // The models' validators let unknown fields through; a real server refuses them (k8s-fields.ts).
  const unknown = undeclaredFields(obj) ?? [];
  if (unknown.length) throw new Error(`${obj.kind}/${obj.metadata?.name}: ${unknown.map((f) => `${f}: field not declared in schema`).join('; ')}`);
}

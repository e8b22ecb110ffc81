import type { AlluxioCluster } from '../api/alluxio-cluster.js';
import type { KubeObject } from '../kube/types.js';
import { buildConfigMap, configHash } from './config-map.js';
import type { BuildContext } from './context.js';
import { buildCoordinatorServices, buildCoordinatorStatefulSet } from './coordinator.js';
import { buildEtcdBootstrapConfigMap, buildEtcdServices, buildEtcdStatefulSet } from './etcd.js';
import { buildFuseCsiPvc, buildFuseDaemonSet } from './fuse.js';
import { harden } from './hardening.js';
import { withClusterHostPaths } from './host-paths.js';
import { buildGrafana, buildPrometheus } from './monitoring.js';
import { withTerminationMessages } from './termination-message.js';
import { buildMetricsServices, buildNetworkPolicy, buildPodDisruptionBudgets, buildServiceAccount, buildServiceMonitor } from './policy.js';
import { buildWorkerServices, buildWorkerStatefulSet } from './worker.js';

/**
 * Every object of DESIGN.md §11 for one (parsed, defaulted) AlluxioCluster, in apply order.
 * Pure: the operator applies exactly this (plus owner references), `alluxio k8s render` prints it.
 */
export function buildClusterObjects(spec: AlluxioCluster, extra: Omit<BuildContext, 'configHash'> = {}): KubeObject[] {
  const c = withClusterHostPaths(spec);
  const cm = buildConfigMap(c);
  const ctx: BuildContext = { ...extra, configHash: configHash(cm) };
  const out: KubeObject[] = [buildServiceAccount(c), cm];
  if (c.spec.etcd.enabled) out.push(...buildEtcdServices(c), buildEtcdBootstrapConfigMap(c, ctx.etcd), buildEtcdStatefulSet(c, ctx.etcd));
  out.push(...buildCoordinatorServices(c), buildCoordinatorStatefulSet(c, ctx));
  out.push(...buildWorkerServices(c), buildWorkerStatefulSet(c, ctx));
  if (c.spec.fuse.type === 'daemonSet') out.push(buildFuseDaemonSet(c, ctx));
  if (c.spec.fuse.type === 'csi') out.push(buildFuseCsiPvc(c));
  if (c.spec.prometheus.enabled) out.push(...buildPrometheus(c));
  if (c.spec.grafana.enabled) out.push(...buildGrafana(c));
  out.push(...buildPodDisruptionBudgets(c));
  if (c.spec.networkPolicy.enabled) out.push(buildNetworkPolicy(c));
  if (wantServiceMonitor(c, ctx)) out.push(...buildMetricsServices(c), buildServiceMonitor(c));
  return withTerminationMessages(harden(c, out));
}

/** spec.serviceMonitor.enabled true; unset: when the caller found the CRD (the operator does, render does not). */
export function wantServiceMonitor(c: AlluxioCluster, ctx: Pick<BuildContext, 'serviceMonitor'>): boolean {
  return c.spec.serviceMonitor.enabled ?? ctx.serviceMonitor ?? false;
}

/** The kinds buildClusterObjects can produce: the operator watches and prunes these. */
export const OWNED_KINDS: readonly { apiVersion: string; kind: string }[] = [
  { apiVersion: 'v1', kind: 'ConfigMap' },
  { apiVersion: 'v1', kind: 'Service' },
  { apiVersion: 'v1', kind: 'PersistentVolumeClaim' },
  { apiVersion: 'apps/v1', kind: 'StatefulSet' },
  { apiVersion: 'apps/v1', kind: 'DaemonSet' },
  { apiVersion: 'apps/v1', kind: 'Deployment' },
  { apiVersion: 'v1', kind: 'ServiceAccount' },
  { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget' },
  { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy' },
];

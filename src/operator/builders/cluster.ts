import type { AlluxioCluster } from '../api/alluxio-cluster.js';
import type { KubeObject } from '../kube/types.js';
import { buildConfigMap, configHash } from './config-map.js';
import type { BuildContext } from './context.js';
import { buildCoordinatorServices, buildCoordinatorStatefulSet } from './coordinator.js';
import { buildEtcdBootstrapConfigMap, buildEtcdServices, buildEtcdStatefulSet } from './etcd.js';
import { buildFuseCsiPvc, buildFuseDaemonSet } from './fuse.js';
import { buildGrafana, buildPrometheus } from './monitoring.js';
import { withTerminationMessages } from './termination-message.js';
import { buildWorkerServices, buildWorkerStatefulSet } from './worker.js';

/**
 * Every object of DESIGN.md §11 for one (parsed, defaulted) AlluxioCluster, in apply order.
 * Pure: the operator applies exactly this (plus owner references), `alluxio k8s render` prints it.
 */
export function buildClusterObjects(c: AlluxioCluster, extra: Omit<BuildContext, 'configHash'> = {}): KubeObject[] {
  const cm = buildConfigMap(c);
  const ctx: BuildContext = { ...extra, configHash: configHash(cm) };
  const out: KubeObject[] = [cm];
  if (c.spec.etcd.enabled) out.push(...buildEtcdServices(c), buildEtcdBootstrapConfigMap(c, ctx.etcd), buildEtcdStatefulSet(c, ctx.etcd));
  out.push(...buildCoordinatorServices(c), buildCoordinatorStatefulSet(c, ctx));
  out.push(...buildWorkerServices(c), buildWorkerStatefulSet(c, ctx));
  if (c.spec.fuse.type === 'daemonSet') out.push(buildFuseDaemonSet(c, ctx));
  if (c.spec.fuse.type === 'csi') out.push(buildFuseCsiPvc(c));
  if (c.spec.prometheus.enabled) out.push(...buildPrometheus(c));
  if (c.spec.grafana.enabled) out.push(...buildGrafana(c));
  return withTerminationMessages(out);
}

/** The kinds buildClusterObjects can produce: the operator watches and prunes these. */
export const OWNED_KINDS: readonly { apiVersion: string; kind: string }[] = [
  { apiVersion: 'v1', kind: 'ConfigMap' },
  { apiVersion: 'v1', kind: 'Service' },
  { apiVersion: 'v1', kind: 'PersistentVolumeClaim' },
  { apiVersion: 'apps/v1', kind: 'StatefulSet' },
  { apiVersion: 'apps/v1', kind: 'DaemonSet' },
  { apiVersion: 'apps/v1', kind: 'Deployment' },
];

import { ALLUXIO_TS_VERSION, APP_NAME, LABELS, MANAGED_BY } from '../constants.js';
import type { AlluxioCluster } from '../api/alluxio-cluster.js';

// Object names of DESIGN.md §11 and the recommended labels, derived from the cluster only.

export function clusterNames(c: AlluxioCluster) {
  const n = c.metadata.name;
  return {
    conf: `${n}-alluxio-conf`,
    coordinator: `${n}-coordinator`,
    coordinatorHeadless: `${n}-coordinator-headless`,
    worker: `${n}-worker`,
    workerHeadless: `${n}-worker-headless`,
    etcd: `${n}-etcd`,
    etcdHeadless: `${n}-etcd-headless`,
    fuse: `${n}-fuse`,
    prometheus: `${n}-prometheus`,
    prometheusConf: `${n}-prometheus-conf`,
    grafana: `${n}-grafana`,
    grafanaConf: `${n}-grafana-conf`,
    grafanaDashboards: `${n}-grafana-dashboards`,
    licenseSecret: `${n}-license`,
    mountCredentialsKey: `${n}-mount-credentials-key`,
    s3Credentials: `${n}-s3-credentials`,
    serviceAccount: `${n}-alluxio`,
    networkPolicy: `${n}-alluxio`,
    serviceMonitor: `${n}-alluxio`,
    grafanaAdmin: `${n}-grafana-admin`,
  };
}

export function namespaceOf(c: AlluxioCluster): string {
  return c.metadata.namespace ?? 'default';
}

/** What pods of a component are selected by: stable across upgrades (no version). */
export function selectorLabels(c: AlluxioCluster, component: string): Record<string, string> {
  return { [LABELS.name]: APP_NAME, [LABELS.instance]: c.metadata.name, [LABELS.component]: component };
}

export function labels(c: AlluxioCluster, component: string): Record<string, string> {
  return {
    ...selectorLabels(c, component),
    [LABELS.managedBy]: MANAGED_BY,
    [LABELS.version]: labelValue(c.spec.imageTag ?? ALLUXIO_TS_VERSION),
  };
}

/** Label values: at most 63 characters of [A-Za-z0-9._-], starting and ending alphanumeric. */
export function labelValue(v: string): string {
  const s = v.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 63);
  return s.replace(/^[^A-Za-z0-9]+/, '').replace(/[^A-Za-z0-9]+$/, '');
}

export function meta(c: AlluxioCluster, name: string, component: string) {
  return { name, namespace: namespaceOf(c), labels: labels(c, component) };
}

/** DNS name of a Service in the cluster's namespace. */
export function serviceHost(c: AlluxioCluster, service: string): string {
  return `${service}.${namespaceOf(c)}`;
}

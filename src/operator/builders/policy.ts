import { APP_NAME, LABELS, PORTS } from '../constants.js';
import type { AlluxioCluster } from '../api/alluxio-cluster.js';
import type { KubeObject } from '../kube/types.js';
import { clusterNames, labels, meta, namespaceOf, selectorLabels } from './names.js';

// Cluster-wide policy objects: the pods' ServiceAccount, PodDisruptionBudgets, the optional
// NetworkPolicy and the Prometheus Operator ServiceMonitor.

type Obj = Record<string, unknown>;

/** The pods' ServiceAccount: no token mounted (no pod of the cluster calls the Kubernetes API). */
export function buildServiceAccount(c: AlluxioCluster): KubeObject {
  return { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta(c, clusterNames(c).serviceAccount, 'service-account'), automountServiceAccountToken: false };
}

/**
 * One pod at a time may be evicted (node drains, cluster autoscaler): etcd keeps its quorum,
 * workers leave the hash ring one by one. maxUnavailable (not minAvailable) so that a single
 * coordinator or etcd member never blocks a drain.
 */
export function buildPodDisruptionBudgets(c: AlluxioCluster): KubeObject[] {
  const n = clusterNames(c);
  const pdb = (name: string, component: string): KubeObject => ({
    apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: meta(c, name, component),
    spec: { maxUnavailable: 1, selector: { matchLabels: selectorLabels(c, component) } },
  });
  const out: KubeObject[] = [];
  if (c.spec.etcd.enabled) out.push(pdb(n.etcd, 'etcd'));
  out.push(pdb(n.coordinator, 'coordinator'), pdb(n.worker, 'worker'));
  return out;
}

/** Ports clients use: worker REST and S3 (HTTP, HTTPS), the coordinator API, metrics and dashboards. */
export const CLIENT_PORTS = [PORTS.workerHttp, PORTS.workerS3, 29996, PORTS.coordinatorWeb, PORTS.workerWeb, PORTS.fuseWeb, PORTS.prometheus, PORTS.grafana];

/**
 * spec.networkPolicy.enabled: every pod of the cluster accepts traffic from the cluster's own pods
 * (any port), the operator's namespace on the coordinator API, and spec.networkPolicy.clients
 * (default: the cluster's namespace) on CLIENT_PORTS. Everything else in is dropped; egress is not
 * restricted (UFS endpoints are anywhere).
 */
export function buildNetworkPolicy(c: AlluxioCluster): KubeObject {
  const np = c.spec.networkPolicy;
  const self = { [LABELS.name]: APP_NAME, [LABELS.instance]: c.metadata.name };
  const clients: Obj[] = np.clients?.length ? np.clients : [{ podSelector: {} }];
  return {
    apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: meta(c, clusterNames(c).networkPolicy, 'network-policy'),
    spec: {
      podSelector: { matchLabels: self },
      policyTypes: ['Ingress'],
      ingress: [
        { from: [{ podSelector: { matchLabels: self } }] },
        { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': np.operatorNamespace } } }],
          ports: [{ protocol: 'TCP', port: PORTS.coordinatorWeb }] },
        { from: clients, ports: CLIENT_PORTS.map((port) => ({ protocol: 'TCP', port })) },
      ],
    },
  };
}

/** The label that marks the Services a ServiceMonitor scrapes (one per component: not the headless twins). */
export const METRICS_LABEL = 'k8s-operator.alluxio.com/metrics';

export const SERVICE_MONITOR = { apiVersion: 'monitoring.coreos.com/v1', kind: 'ServiceMonitor', crd: 'servicemonitors.monitoring.coreos.com' } as const;

/**
 * A ServiceMonitor over the Services labelled METRICS_LABEL: the coordinator (web 19999), the
 * workers (web 30000) and etcd (metrics 2381), each at /metrics.
 */
export function buildServiceMonitor(c: AlluxioCluster): KubeObject {
  const sm = c.spec.serviceMonitor;
  const m = meta(c, clusterNames(c).serviceMonitor, 'service-monitor');
  return {
    apiVersion: SERVICE_MONITOR.apiVersion, kind: SERVICE_MONITOR.kind,
    metadata: { ...m, labels: { ...m.labels, ...(sm.labels ?? {}) } },
    spec: {
      namespaceSelector: { matchNames: [namespaceOf(c)] },
      selector: { matchLabels: { [LABELS.instance]: c.metadata.name, [METRICS_LABEL]: 'true' } },
      endpoints: [{ port: 'metrics', path: '/metrics', interval: sm.interval }],
    },
  };
}

/**
 * One Service per component for scraping: the ClusterIP Services would balance across pods, so
 * these are headless (one target per pod), with the metrics port named `metrics`.
 */
export function buildMetricsServices(c: AlluxioCluster): KubeObject[] {
  const svc = (component: string, port: number): KubeObject => {
    const m = meta(c, `${c.metadata.name}-${component}-metrics`, component);
    return {
      apiVersion: 'v1', kind: 'Service', metadata: { ...m, labels: { ...labels(c, component), [METRICS_LABEL]: 'true' } },
      spec: { clusterIP: 'None', selector: selectorLabels(c, component), ports: [{ name: 'metrics', port, targetPort: port }] },
    };
  };
  const out = [svc('coordinator', PORTS.coordinatorWeb), svc('worker', PORTS.workerWeb)];
  if (c.spec.etcd.enabled) out.push(svc('etcd', 2381));
  return out;
}

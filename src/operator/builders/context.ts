import type { EtcdTopology } from './etcd.js';

/** What the builders need beyond the cluster spec, found at reconcile time. */
export interface BuildContext {
  /** sha256 of the config map data (pod template annotation). */
  configHash: string;
  /** A deployment license Secret written by the License controller, when one exists. */
  license?: { secretName: string; hash: string };
  /** etcd replicas and bootstrap members while the operator scales etcd (default: spec.etcd.replicaCount, `new`). */
  etcd?: EtcdTopology;
  /** Render the ServiceMonitor (spec.serviceMonitor.enabled true, or unset and the CRD exists). */
  serviceMonitor?: boolean;
}

import { PORTS } from '../constants.js';
import type { AlluxioCluster } from '../api/alluxio-cluster.js';
import type { KubeObject } from '../kube/types.js';
import { clusterNames, labels, meta, namespaceOf, selectorLabels } from './names.js';
import { placement, pullSecrets, pvcTemplate, resourcesOf } from './pod.js';

// etcd for membership and the mount table: a StatefulSet of the official etcd image with one
// PVC per member (data-<name>-etcd-N, as in Alluxio's operator) and required anti-affinity by
// hostname, so N replicas need N schedulable nodes (the preflight and status say so early).
//
// --initial-cluster and --initial-cluster-state come from the ConfigMap <name>-etcd-bootstrap
// through env vars, read when a pod starts: the pod template stays the same while the operator
// scales etcd one member at a time (controllers/etcd-scaling.ts), so existing members are not
// restarted, and a new member N starts with `existing` and the members 0..N. etcd reads these
// flags only when its data dir is empty (first start of a member).

/** Which members a pod that starts now bootstraps with: ordinals 0..members-1, and how. */
export interface EtcdTopology {
  /** StatefulSet replicas. */
  replicas: number;
  /** --initial-cluster lists ordinals 0..members-1. */
  members: number;
  /** `new` for the first bootstrap of the whole cluster, `existing` once members join a running one. */
  state: 'new' | 'existing';
}

/** What a fresh cluster (no StatefulSet yet) or `k8s render` uses: every replica bootstraps together. */
export const initialTopology = (c: AlluxioCluster): EtcdTopology =>
  ({ replicas: c.spec.etcd.replicaCount, members: c.spec.etcd.replicaCount, state: 'new' });

export const etcdBootstrapName = (c: AlluxioCluster) => `${clusterNames(c).etcd}-bootstrap`;
export const etcdMemberName = (c: AlluxioCluster, ordinal: number) => `${clusterNames(c).etcd}-${ordinal}`;
export const etcdPeerUrl = (c: AlluxioCluster, ordinal: number) => {
  const n = clusterNames(c);
  return `http://${n.etcd}-${ordinal}.${n.etcdHeadless}.${namespaceOf(c)}.svc:${PORTS.etcdPeer}`;
};
/** The client Service: how the operator reaches etcd. */
export const etcdClientUrl = (c: AlluxioCluster) => `http://${clusterNames(c).etcd}.${namespaceOf(c)}.svc:${PORTS.etcdClient}`;
/** PVC of one member (volumeClaimTemplate `data`). */
export const etcdDataClaim = (c: AlluxioCluster, ordinal: number) => `data-${etcdMemberName(c, ordinal)}`;

export function etcdImage(c: AlluxioCluster): string {
  const i = c.spec.etcd.image;
  return `${i.registry ? `${i.registry}/` : ''}${i.repository}:${i.tag}`;
}

export function buildEtcdBootstrapConfigMap(c: AlluxioCluster, topo: EtcdTopology = initialTopology(c)): KubeObject {
  const initialCluster = Array.from({ length: topo.members }, (_, i) => `${etcdMemberName(c, i)}=${etcdPeerUrl(c, i)}`).join(',');
  return {
    apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(c, etcdBootstrapName(c), 'etcd'),
    data: { 'initial-cluster': initialCluster, 'initial-cluster-state': topo.state },
  };
}

export function buildEtcdStatefulSet(c: AlluxioCluster, topo: EtcdTopology = initialTopology(c)): KubeObject {
  const n = clusterNames(c);
  const e = c.spec.etcd;
  const ns = namespaceOf(c);
  const fromBootstrap = (name: string, key: string) => ({ name, valueFrom: { configMapKeyRef: { name: etcdBootstrapName(c), key } } });
  const affinity = e.affinity && Object.keys(e.affinity).length ? e.affinity : {
    podAntiAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: [{
        labelSelector: { matchLabels: selectorLabels(c, 'etcd') },
        topologyKey: 'kubernetes.io/hostname',
      }],
    },
  };
  const self = `$(POD_NAME).${n.etcdHeadless}.${ns}.svc`;
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: meta(c, n.etcd, 'etcd'),
    spec: {
      replicas: topo.replicas,
      serviceName: n.etcdHeadless,
      podManagementPolicy: 'Parallel',
      selector: { matchLabels: selectorLabels(c, 'etcd') },
      template: {
        metadata: { labels: labels(c, 'etcd') },
        spec: {
          securityContext: { runAsUser: 1001, runAsGroup: 1001, fsGroup: 1001, runAsNonRoot: true },
          ...(pullSecrets(c) ? { imagePullSecrets: pullSecrets(c) } : {}),
          ...placement({ ...e, affinity }),
          containers: [{
            name: 'etcd',
            image: etcdImage(c),
            imagePullPolicy: 'IfNotPresent',
            command: ['/usr/local/bin/etcd'],
            args: [
              '--name=$(POD_NAME)',
              '--data-dir=/var/lib/etcd/data',
              `--listen-client-urls=http://0.0.0.0:${PORTS.etcdClient}`,
              `--advertise-client-urls=http://${self}:${PORTS.etcdClient}`,
              `--listen-peer-urls=http://0.0.0.0:${PORTS.etcdPeer}`,
              `--initial-advertise-peer-urls=http://${self}:${PORTS.etcdPeer}`,
              '--initial-cluster=$(INITIAL_CLUSTER)',
              '--initial-cluster-state=$(INITIAL_CLUSTER_STATE)',
              `--initial-cluster-token=${ns}-${c.metadata.name}`,
              '--listen-metrics-urls=http://0.0.0.0:2381',
            ],
            env: [
              { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
              fromBootstrap('INITIAL_CLUSTER', 'initial-cluster'),
              fromBootstrap('INITIAL_CLUSTER_STATE', 'initial-cluster-state'),
            ],
            ports: [
              { name: 'client', containerPort: PORTS.etcdClient },
              { name: 'peer', containerPort: PORTS.etcdPeer },
              { name: 'metrics', containerPort: 2381 },
            ],
            readinessProbe: { httpGet: { path: '/health', port: 2381 }, periodSeconds: 10, timeoutSeconds: 5 },
            livenessProbe: { httpGet: { path: '/health?serializable=true', port: 2381 }, initialDelaySeconds: 30, periodSeconds: 10, failureThreshold: 6 },
            ...resourcesOf(e.resources),
            volumeMounts: [{ name: 'data', mountPath: '/var/lib/etcd' }],
          }],
        },
      },
      volumeClaimTemplates: [pvcTemplate('data', e.persistence.size, e.persistence.storageClass)],
    },
  };
}

export function buildEtcdServices(c: AlluxioCluster): KubeObject[] {
  const n = clusterNames(c);
  const ports = [
    { name: 'client', port: PORTS.etcdClient, targetPort: PORTS.etcdClient },
    { name: 'peer', port: PORTS.etcdPeer, targetPort: PORTS.etcdPeer },
  ];
  return [
    { apiVersion: 'v1', kind: 'Service', metadata: meta(c, n.etcd, 'etcd'),
      spec: { type: 'ClusterIP', selector: selectorLabels(c, 'etcd'), ports: ports.slice(0, 1) } },
    // Peers must find each other before they are ready.
    { apiVersion: 'v1', kind: 'Service', metadata: meta(c, n.etcdHeadless, 'etcd'),
      spec: { clusterIP: 'None', publishNotReadyAddresses: true, selector: selectorLabels(c, 'etcd'), ports } },
  ];
}

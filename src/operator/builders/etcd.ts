import { PORTS } from '../constants.js';
import type { AlluxioCluster } from '../api/alluxio-cluster.js';
import type { KubeObject } from '../kube/types.js';
import { clusterNames, labels, meta, namespaceOf, selectorLabels } from './names.js';
import { placement, pullSecrets, pvcTemplate, resourcesOf } from './pod.js';

// etcd for membership and the mount table: a StatefulSet of the official etcd image with one
// PVC per member (data-<name>-etcd-N, as in Alluxio's operator) and required anti-affinity by
// hostname, so N replicas need N schedulable nodes (the preflight and status say so early).

export function etcdImage(c: AlluxioCluster): string {
  const i = c.spec.etcd.image;
  return `${i.registry ? `${i.registry}/` : ''}${i.repository}:${i.tag}`;
}

export function buildEtcdStatefulSet(c: AlluxioCluster): KubeObject {
  const n = clusterNames(c);
  const e = c.spec.etcd;
  const ns = namespaceOf(c);
  const peer = (i: number) => `http://${n.etcd}-${i}.${n.etcdHeadless}.${ns}.svc:${PORTS.etcdPeer}`;
  const initialCluster = Array.from({ length: e.replicaCount }, (_, i) => `${n.etcd}-${i}=${peer(i)}`).join(',');
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
      replicas: e.replicaCount,
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
              `--initial-cluster=${initialCluster}`,
              '--initial-cluster-state=new',
              `--initial-cluster-token=${ns}-${c.metadata.name}`,
              '--listen-metrics-urls=http://0.0.0.0:2381',
            ],
            env: [{ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
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

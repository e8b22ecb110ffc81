import { parseSize } from '../../common/sizes.js';
import { WORKER_REST } from '../../common/protocol/index.js';
import { ANNOTATIONS, PATHS, PORTS } from '../constants.js';
import { pagestoreDirs, type AlluxioCluster } from '../api/alluxio-cluster.js';
import type { KubeObject } from '../kube/types.js';
import { etcdEndpoints, pagestoreMountPaths } from './config-map.js';
import { licenseEnv } from './coordinator.js';
import type { BuildContext } from './context.js';
import { clusterNames, labels, meta, selectorLabels } from './names.js';
import {
  alluxioEnv, alluxioImage, confMount, confVolume, mountKeyMount, mountKeyVolume, httpProbe, pathPermissionInit, placement, pullSecrets,
  resourcesOf, securityContext, storageVolume, userMounts, waitEtcdInit, type HostDirCheck,
} from './pod.js';
import { s3CredentialsMount, s3CredentialsVolume } from './s3-credentials-secret.js';
import { toQuantity } from './quantity.js';

type Obj = Record<string, unknown>;

// Workers are a StatefulSet: a stable pod name per ordinal, and with a PVC page store the cache
// and the identity stay with the ordinal across restarts. With a hostPath page store, two
// workers on one node would share a cache directory, so they repel each other by hostname.

function workerAffinity(c: AlluxioCluster): Obj | undefined {
  const w = c.spec.worker;
  if (w.affinity && Object.keys(w.affinity).length) return w.affinity;
  if (w.pagestore.type !== 'hostPath') return undefined;
  return {
    podAntiAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: [{
        labelSelector: { matchLabels: selectorLabels(c, 'worker') },
        topologyKey: 'kubernetes.io/hostname',
      }],
    },
  };
}

export function buildWorkerStatefulSet(c: AlluxioCluster, ctx: BuildContext): KubeObject {
  const n = clusterNames(c);
  const w = c.spec.worker;
  const user = userMounts(c, 'worker');
  const ps = w.pagestore;
  // One volume per page store directory: 'pagestore', or 'pagestore-<i>' for several disks.
  const dirs = pagestoreDirs(ps);
  const psPaths = pagestoreMountPaths(c);
  const psNames = dirs.length === 1 ? ['pagestore'] : dirs.map((_, i) => `pagestore-${i}`);
  const pagestores = dirs.map((d, i) => storageVolume(psNames[i]!, { ...ps, hostPath: d.hostPath, size: toQuantity(parseSize(d.size)) }));
  const metastore = storageVolume('metastore', w.metastore);
  const log = storageVolume('logs', w.log);
  // Identity: with a PVC page store it lives on that volume; else in systemInfo.hostPath on the node.
  const identityOnPvc = ps.type === 'persistentVolumeClaim';
  const systemInfo: Obj | undefined = identityOnPvc ? undefined
    : { name: 'system-info', hostPath: { path: w.systemInfo.hostPath, type: 'DirectoryOrCreate' } };
  const volumes = [confVolume(c), mountKeyVolume(c), s3CredentialsVolume(c, 'worker'), ...pagestores.map((p) => p.volume), systemInfo, metastore.volume, log.volume, ...user.volumes].filter(Boolean) as Obj[];
  const claims = [...pagestores.map((p) => p.claim), metastore.claim, log.claim].filter(Boolean) as Obj[];
  const dataMounts: Obj[] = [
    ...psNames.map((name, i) => ({ name, mountPath: psPaths[i] })),
    identityOnPvc ? { name: 'pagestore', mountPath: PATHS.systemInfo, subPath: 'system-info' } : { name: 'system-info', mountPath: PATHS.systemInfo },
    { name: 'metastore', mountPath: PATHS.metastore },
    { name: 'logs', mountPath: PATHS.logs },
  ];
  const hostDirs: HostDirCheck[] = [];
  if (ps.type === 'hostPath') {
    dirs.forEach((d, i) => hostDirs.push({ path: psPaths[i]!, hostPath: d.hostPath, minBytes: parseSize(d.size), sizeText: d.size }));
  }
  if (!identityOnPvc) hostDirs.push({ path: PATHS.systemInfo, hostPath: w.systemInfo.hostPath });
  if (w.metastore.type === 'hostPath') hostDirs.push({ path: PATHS.metastore, hostPath: w.metastore.hostPath });
  if (w.log.type === 'hostPath') hostDirs.push({ path: PATHS.logs, hostPath: w.log.hostPath });
  const lic = licenseEnv(ctx);
  const javaOpts = ['-Dalluxio.worker.hostname=$(POD_IP)'];
  if (w.useExternalId) javaOpts.push(`-Dalluxio.worker.identity.uuid.file.path=${PATHS.systemInfo}/$(POD_NAME)/worker_identity`);
  const licOpt = lic.env.find((e) => e.name === 'ALLUXIO_JAVA_OPTS');
  if (licOpt) javaOpts.push(String(licOpt.value));
  const init = [pathPermissionInit(c, hostDirs, dataMounts)];
  if (c.spec.etcd.enabled) init.push(waitEtcdInit(c, etcdEndpoints(c)));
  const affinity = workerAffinity(c);
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: meta(c, n.worker, 'worker'),
    spec: {
      replicas: w.count,
      serviceName: n.workerHeadless,
      podManagementPolicy: 'Parallel',
      selector: { matchLabels: selectorLabels(c, 'worker') },
      template: {
        metadata: { labels: labels(c, 'worker'), annotations: { [ANNOTATIONS.configHash]: ctx.configHash, ...lic.annotations } },
        spec: {
          securityContext: securityContext(c),
          ...(pullSecrets(c) ? { imagePullSecrets: pullSecrets(c) } : {}),
          ...placement({ ...w, affinity }),
          initContainers: init,
          containers: [{
            name: 'alluxio-worker',
            image: alluxioImage(c),
            imagePullPolicy: c.spec.imagePullPolicy,
            args: ['process', 'start', 'worker'],
            env: [
              ...alluxioEnv(w.env),
              ...lic.env.filter((e) => e.name !== 'ALLUXIO_JAVA_OPTS'),
              { name: 'ALLUXIO_JAVA_OPTS', value: javaOpts.join(' ') },
            ],
            ports: [
              { name: 'http', containerPort: PORTS.workerHttp },
              { name: 's3', containerPort: PORTS.workerS3 },
              { name: 'web', containerPort: PORTS.workerWeb },
            ],
            readinessProbe: httpProbe(WORKER_REST.health, PORTS.workerHttp),
            livenessProbe: httpProbe(WORKER_REST.health, PORTS.workerHttp, true),
            ...resourcesOf(w.resources),
            volumeMounts: [confMount, mountKeyMount, s3CredentialsMount, ...dataMounts, ...user.mounts],
          }],
          volumes,
        },
      },
      ...(claims.length ? { volumeClaimTemplates: claims } : {}),
    },
  };
}

export function buildWorkerServices(c: AlluxioCluster): KubeObject[] {
  const n = clusterNames(c);
  const ports = [
    { name: 'http', port: PORTS.workerHttp, targetPort: PORTS.workerHttp },
    { name: 's3', port: PORTS.workerS3, targetPort: PORTS.workerS3 },
    { name: 'web', port: PORTS.workerWeb, targetPort: PORTS.workerWeb },
  ];
  // No rpc (29999) or data (29997) port: alluxio-ts workers serve neither (the REST, S3 and web
  // ports carry everything), so none is advertised (docs/alluxio-2x.md, "Port 29999").
  const headlessPorts = ports;
  return [
    { apiVersion: 'v1', kind: 'Service', metadata: meta(c, n.worker, 'worker'),
      spec: { type: 'ClusterIP', selector: selectorLabels(c, 'worker'), ports } },
    { apiVersion: 'v1', kind: 'Service', metadata: meta(c, n.workerHeadless, 'worker'),
      spec: { clusterIP: 'None', publishNotReadyAddresses: true, selector: selectorLabels(c, 'worker'), ports: headlessPorts } },
  ];
}

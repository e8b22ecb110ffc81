import { COORDINATOR_REST } from '../../common/protocol/index.js';
import { ANNOTATIONS, PATHS, PORTS } from '../constants.js';
import type { AlluxioCluster } from '../api/alluxio-cluster.js';
import type { KubeObject } from '../kube/types.js';
import { etcdEndpoints } from './config-map.js';
import type { BuildContext } from './context.js';
import { clusterNames, labels, meta, selectorLabels } from './names.js';
import {
  alluxioEnv, alluxioImage, confMount, confVolume, mountKeyMount, mountKeyVolume, httpProbe, pathPermissionInit, placement, pullSecrets,
  resourcesOf, securityContext, storageVolume, userMounts, waitEtcdInit, type HostDirCheck,
} from './pod.js';
import { s3CredentialsMount, s3CredentialsVolume } from './s3-credentials-secret.js';

type Obj = Record<string, unknown>;

/** Env for the license and the pod template annotations, shared by coordinator and worker. */
export function licenseEnv(ctx: BuildContext): { env: Obj[]; annotations: Record<string, string> } {
  if (!ctx.license) return { env: [], annotations: {} };
  return {
    env: [{ name: 'ALLUXIO_LICENSE', valueFrom: { secretKeyRef: { name: ctx.license.secretName, key: 'license' } } },
      { name: 'ALLUXIO_JAVA_OPTS', value: '-Dalluxio.license=$(ALLUXIO_LICENSE)' }],
    annotations: { [ANNOTATIONS.licenseHash]: ctx.license.hash },
  };
}

export function buildCoordinatorStatefulSet(c: AlluxioCluster, ctx: BuildContext): KubeObject {
  const n = clusterNames(c);
  const spec = c.spec.coordinator;
  const user = userMounts(c, 'coordinator');
  const meta1 = storageVolume('metastore', spec.metastore);
  const log = storageVolume('logs', spec.log);
  const volumes = [confVolume(c), mountKeyVolume(c), s3CredentialsVolume(c, 'coordinator'), meta1.volume, log.volume, ...user.volumes].filter(Boolean) as Obj[];
  const claims = [meta1.claim, log.claim].filter(Boolean) as Obj[];
  const dataMounts = [{ name: 'metastore', mountPath: PATHS.metastore }, { name: 'logs', mountPath: PATHS.logs }];
  const hostDirs: HostDirCheck[] = [];
  if (spec.metastore.type === 'hostPath') hostDirs.push({ path: PATHS.metastore, hostPath: spec.metastore.hostPath });
  if (spec.log.type === 'hostPath') hostDirs.push({ path: PATHS.logs, hostPath: spec.log.hostPath });
  const lic = licenseEnv(ctx);
  const init = [pathPermissionInit(c, hostDirs, dataMounts)];
  if (c.spec.etcd.enabled) init.push(waitEtcdInit(c, etcdEndpoints(c)));
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: meta(c, n.coordinator, 'coordinator'),
    spec: {
      replicas: spec.count,
      serviceName: n.coordinatorHeadless,
      podManagementPolicy: 'Parallel',
      selector: { matchLabels: selectorLabels(c, 'coordinator') },
      template: {
        metadata: { labels: labels(c, 'coordinator'), annotations: { [ANNOTATIONS.configHash]: ctx.configHash, ...lic.annotations } },
        spec: {
          securityContext: securityContext(c),
          ...(pullSecrets(c) ? { imagePullSecrets: pullSecrets(c) } : {}),
          ...placement(spec),
          initContainers: init,
          containers: [{
            name: 'alluxio-coordinator',
            image: alluxioImage(c),
            imagePullPolicy: c.spec.imagePullPolicy,
            args: ['process', 'start', 'coordinator'],
            env: [...alluxioEnv(spec.env), ...lic.env],
            // Only the web port: nothing listens on alluxio.coordinator.rpc.port (docs/alluxio-2x.md).
            ports: [{ name: 'web', containerPort: PORTS.coordinatorWeb }],
            readinessProbe: httpProbe(COORDINATOR_REST.health, PORTS.coordinatorWeb),
            livenessProbe: httpProbe(COORDINATOR_REST.health, PORTS.coordinatorWeb, true),
            ...resourcesOf(spec.resources),
            volumeMounts: [confMount, mountKeyMount, s3CredentialsMount, ...dataMounts, ...user.mounts],
          }],
          volumes,
        },
      },
      ...(claims.length ? { volumeClaimTemplates: claims } : {}),
    },
  };
}

export function buildCoordinatorServices(c: AlluxioCluster): KubeObject[] {
  const n = clusterNames(c);
  const ports = [{ name: 'web', port: PORTS.coordinatorWeb, targetPort: PORTS.coordinatorWeb }];
  return [
    { apiVersion: 'v1', kind: 'Service', metadata: meta(c, n.coordinator, 'coordinator'),
      spec: { type: 'ClusterIP', selector: selectorLabels(c, 'coordinator'), ports } },
    { apiVersion: 'v1', kind: 'Service', metadata: meta(c, n.coordinatorHeadless, 'coordinator'),
      spec: { clusterIP: 'None', publishNotReadyAddresses: true, selector: selectorLabels(c, 'coordinator'), ports } },
  ];
}

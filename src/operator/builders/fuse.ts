import { ANNOTATIONS, PATHS, PORTS } from '../constants.js';
import type { AlluxioCluster } from '../api/alluxio-cluster.js';
import type { KubeObject } from '../kube/types.js';
import type { BuildContext } from './context.js';
import { clusterNames, labels, meta, selectorLabels } from './names.js';
import { s3CredentialsMount, s3CredentialsVolume } from './s3-credentials-secret.js';
import { alluxioEnv, alluxioImage, confMount, confVolume, mountKeyMount, mountKeyVolume, placement, pullSecrets, resourcesOf, storageVolume, userMounts } from './pod.js';

// FUSE: fuse.type daemonSet runs one root, privileged FUSE pod per node that mounts Alluxio at
// hostPathForMount with Bidirectional propagation, so other pods see it through a hostPath.
// fuse.type csi creates the PVC <name>-fuse for a CSI driver (not shipped by alluxio-ts).

type Obj = Record<string, unknown>;

export function buildFuseDaemonSet(c: AlluxioCluster, ctx: BuildContext): KubeObject {
  const n = clusterNames(c);
  const f = c.spec.fuse;
  const user = userMounts(c, 'fuse');
  const log = storageVolume('logs', f.log);
  const volumes = [
    confVolume(c),
    mountKeyVolume(c),
    s3CredentialsVolume(c, 'fuse'),
    { name: 'fuse-mount', hostPath: { path: f.hostPathForMount, type: 'DirectoryOrCreate' } },
    { name: 'dev-fuse', hostPath: { path: '/dev/fuse', type: 'CharDevice' } },
    log.volume ?? { name: 'logs', emptyDir: {} },
    ...user.volumes,
  ] as Obj[];
  const mountArgs = ['fuse', 'mount', f.hostPathForMount];
  if (f.mountOptions.length) mountArgs.push('-o', f.mountOptions.join(','));
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: meta(c, n.fuse, 'fuse'),
    spec: {
      selector: { matchLabels: selectorLabels(c, 'fuse') },
      template: {
        metadata: { labels: labels(c, 'fuse'), annotations: { [ANNOTATIONS.configHash]: ctx.configHash } },
        spec: {
          securityContext: { runAsUser: 0, runAsGroup: 0 },
          ...(pullSecrets(c) ? { imagePullSecrets: pullSecrets(c) } : {}),
          ...placement(f),
          containers: [{
            name: 'alluxio-fuse',
            image: alluxioImage(c),
            imagePullPolicy: c.spec.imagePullPolicy,
            args: mountArgs,
            env: alluxioEnv(f.env),
            securityContext: { privileged: true, capabilities: { add: ['SYS_ADMIN'] } },
            ports: [{ name: 'web', containerPort: PORTS.fuseWeb }],
            readinessProbe: { tcpSocket: { port: PORTS.fuseWeb }, periodSeconds: 10 },
            lifecycle: { preStop: { exec: { command: ['fusermount3', '-u', '-z', f.hostPathForMount] } } },
            ...resourcesOf(f.resources),
            volumeMounts: [
              confMount,
              mountKeyMount,
              s3CredentialsMount,
              { name: 'fuse-mount', mountPath: f.hostPathForMount, mountPropagation: 'Bidirectional' },
              { name: 'dev-fuse', mountPath: '/dev/fuse' },
              { name: 'logs', mountPath: PATHS.logs },
              ...user.mounts,
            ],
          }],
          volumes,
        },
      },
    },
  };
}

export function buildFuseCsiPvc(c: AlluxioCluster): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: meta(c, clusterNames(c).fuse, 'fuse'),
    spec: {
      accessModes: ['ReadWriteMany'],
      storageClassName: 'alluxio-csi-storage-class',
      resources: { requests: { storage: '1Mi' } },
    },
  };
}

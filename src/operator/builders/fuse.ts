import { ANNOTATIONS, PATHS, PORTS } from '../constants.js';
import type { AlluxioCluster } from '../api/alluxio-cluster.js';
import type { KubeObject } from '../kube/types.js';
import type { BuildContext } from './context.js';
import { clusterNames, labels, meta, selectorLabels } from './names.js';
import { s3CredentialsMount, s3CredentialsVolume } from './s3-credentials-secret.js';
import { alluxioEnv, alluxioImage, confMount, confVolume, mountKeyMount, mountKeyVolume, placement, pullSecrets, resourcesOf, storageVolume, userMounts } from './pod.js';

// FUSE: fuse.type daemonSet runs one FUSE pod per node. The node directory hostPathForMount is
// mounted into the pod with Bidirectional propagation and the FUSE filesystem is mounted on its
// subdirectory `alluxio` (fuseMountPoint), never on the hostPath itself: if the process dies, the
// hostPath stays a plain directory, so the kubelet can set up the restarted container, whose start
// clears the stale mount below it. Consumers mount hostPathForMount with HostToContainer and read
// <their mount path>/alluxio, which comes back by itself after a FUSE restart.
//
// The one container exempt from the restricted securityContext (builders/hardening.ts): mounting
// on the node and propagating the mount back out (Bidirectional) needs `privileged: true` (the API
// server refuses Bidirectional in an unprivileged container), and FUSE needs /dev/fuse and
// CAP_SYS_ADMIN for mount(2). It runs as root, with the cluster token only (no S3 key pair).
// fuse.type csi creates the PVC <name>-fuse for a CSI driver (not shipped by alluxio-ts).

/** Subdirectory of hostPathForMount that the FUSE filesystem is mounted on. */
export const FUSE_MOUNT_SUBDIR = 'alluxio';

export function fuseMountPoint(c: AlluxioCluster): string {
  return `${c.spec.fuse.hostPathForMount.replace(/\/+$/, '')}/${FUSE_MOUNT_SUBDIR}`;
}

const shq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

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
  const point = fuseMountPoint(c);
  const mountArgs = ['fuse', 'mount', '-f', point];
  if (f.mountOptions.length) mountArgs.push('-o', f.mountOptions.join(','));
  // Start: clear a mount a killed FUSE left behind ("Transport endpoint is not connected"), then run
  // in the foreground under tini (`alluxio fuse mount` also clears a stale mount itself).
  const start = [`umount -l ${shq(point)} 2>/dev/null || true`, `mkdir -p ${shq(point)}`,
    `exec alluxio ${mountArgs.map(shq).join(' ')}`].join('; ');
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
          terminationGracePeriodSeconds: 60,
          ...(pullSecrets(c) ? { imagePullSecrets: pullSecrets(c) } : {}),
          ...placement(f),
          containers: [{
            name: 'alluxio-fuse',
            image: alluxioImage(c),
            imagePullPolicy: c.spec.imagePullPolicy,
            command: ['/usr/bin/tini', '--', 'sh', '-c', start],
            env: alluxioEnv(f.env),
            securityContext: { privileged: true },
            ports: [{ name: 'web', containerPort: PORTS.fuseWeb }],
            // Ready once mounted; alive while the mount answers: a hung mount blocks stat and readdir
            // (readdir always reaches the FUSE process; stat may be answered from the kernel's
            // attribute cache), which are killed after 10 s (FUSE waits are killable): three misses
            // restart the pod, and the start clears the dead mount.
            readinessProbe: { exec: { command: ['mountpoint', '-q', point] }, periodSeconds: 10, timeoutSeconds: 5 },
            livenessProbe: { exec: { command: ['timeout', '-s', 'KILL', '10', 'sh', '-c', 'stat -t "$0" > /dev/null && ls -f "$0" > /dev/null', point] },
              initialDelaySeconds: 10, periodSeconds: 30, timeoutSeconds: 15, failureThreshold: 3 },
            lifecycle: { preStop: { exec: { command: ['sh', '-c', `alluxio fuse unmount ${shq(point)} || umount -l ${shq(point)}`] } } },
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

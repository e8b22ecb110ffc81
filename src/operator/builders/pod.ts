import { INIT_MESSAGE, MOUNT_KEY_SECRET_KEY, PATHS, PORTS } from '../constants.js';
import type { AlluxioCluster, Component } from '../api/alluxio-cluster.js';
import { clusterNames, serviceHost } from './names.js';
import { canonicalQuantity } from './quantity.js';

// Pieces every Alluxio pod template shares: image, security, the conf volume, the user's
// secrets/configMaps/hostPaths/pvcMounts, storage directories, init containers, placement.

type Obj = Record<string, unknown>;

export function alluxioImage(c: AlluxioCluster): string {
  return `${c.spec.image}:${c.spec.imageTag}`;
}

export function pullSecrets(c: AlluxioCluster): Obj[] | undefined {
  const s = c.spec.imagePullSecrets;
  return s && s.length ? s.map((name) => ({ name })) : undefined;
}

export function alluxioEnv(extra: Record<string, string> | undefined): Obj[] {
  const env: Obj[] = [
    { name: 'ALLUXIO_CONF_DIR', value: PATHS.confDir },
    { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
    { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
    { name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
  ];
  for (const [name, value] of Object.entries(extra ?? {}).sort()) env.push({ name, value });
  return env;
}

export const confVolume = (c: AlluxioCluster): Obj => ({ name: 'alluxio-conf', configMap: { name: clusterNames(c).conf } });
export const confMount: Obj = { name: 'alluxio-conf', mountPath: PATHS.confDir, readOnly: true };

/**
 * The Secret <cluster>-mount-credentials-key (created by the operator, or by hand before
 * `k8s render | kubectl apply`): the key that encrypts mount credentials at rest. Mode 0400;
 * with the pod's fsGroup the kubelet makes it group-readable by the Alluxio user. Not optional:
 * without it a mount with credentials would be refused, so the pod waits for the Secret.
 */
export const mountKeyVolume = (c: AlluxioCluster): Obj => ({
  name: 'mount-credentials-key',
  secret: { secretName: clusterNames(c).mountCredentialsKey, defaultMode: 0o400, items: [{ key: MOUNT_KEY_SECRET_KEY, path: 'key' }] },
});
export const mountKeyMount: Obj = { name: 'mount-credentials-key', mountPath: PATHS.mountCredentialsKeyDir, readOnly: true };

/** Volume name from an arbitrary key: lowercase DNS label, at most 63 characters, unique by index. */
function volumeName(prefix: string, i: number, key: string): string {
  const base = key.toLowerCase().replace(/[^a-z0-9-]/g, '-').replace(/^-+|-+$/g, '');
  return `${prefix}-${i}-${base}`.slice(0, 63).replace(/-+$/, '');
}

/** The user's extra volumes for one component (spec.secrets, configMaps, hostPaths, pvcMounts). */
export function userMounts(c: AlluxioCluster, component: Component): { volumes: Obj[]; mounts: Obj[] } {
  const volumes: Obj[] = [];
  const mounts: Obj[] = [];
  const add = (kind: 'secret' | 'cm' | 'host' | 'pvc', map: Record<string, string> | undefined, source: (key: string) => Obj) => {
    Object.entries(map ?? {}).sort(([a], [b]) => a.localeCompare(b)).forEach(([key, mountPath], i) => {
      const name = volumeName(kind, i, key);
      volumes.push({ name, ...source(key) });
      mounts.push({ name, mountPath, ...(kind === 'secret' || kind === 'cm' ? { readOnly: true } : {}) });
    });
  };
  add('secret', c.spec.secrets?.[component], (k) => ({ secret: { secretName: k } }));
  add('cm', c.spec.configMaps?.[component], (k) => ({ configMap: { name: k } }));
  add('host', c.spec.hostPaths?.[component], (k) => ({ hostPath: { path: k, type: 'DirectoryOrCreate' } }));
  add('pvc', c.spec.pvcMounts?.[component], (k) => ({ persistentVolumeClaim: { claimName: k } }));
  return { volumes, mounts };
}

export interface StorageDir { type: 'hostPath' | 'persistentVolumeClaim' | 'emptyDir'; hostPath: string; storageClass?: string; size: string }

/** A volume (hostPath / emptyDir) or a volumeClaimTemplate (persistentVolumeClaim) for a directory. */
export function storageVolume(name: string, d: StorageDir): { volume?: Obj; claim?: Obj } {
  if (d.type === 'hostPath') return { volume: { name, hostPath: { path: d.hostPath, type: 'DirectoryOrCreate' } } };
  if (d.type === 'emptyDir') return { volume: { name, emptyDir: { sizeLimit: canonicalQuantity(d.size) } } };
  return { claim: pvcTemplate(name, d.size, d.storageClass) };
}

export function pvcTemplate(name: string, size: string, storageClass: string | undefined): Obj {
  return {
    metadata: { name },
    spec: {
      accessModes: ['ReadWriteOnce'],
      ...(storageClass !== undefined ? { storageClassName: storageClass } : {}),
      resources: { requests: { storage: canonicalQuantity(size) } },
    },
  };
}

export interface HostDirCheck {
  /** Path in the init container. */
  path: string;
  /** Path on the node, for the message. */
  hostPath: string;
  /** Minimum total disk size in bytes (page store), checked with df. */
  minBytes?: number;
  sizeText?: string;
}

/**
 * Init container `path-permission`: makes each hostPath directory writable by uid 1000, and
 * fails with a message the operator recognises (INIT_MESSAGE) when it is not writable or its
 * disk is smaller than the page store quota.
 */
export function pathPermissionInit(c: AlluxioCluster, dirs: HostDirCheck[], volumeMounts: Obj[]): Obj {
  const lines = ['set -u', 'fail() { echo "$1" > /dev/termination-log; echo "$1" >&2; exit 1; }'];
  for (const d of dirs) {
    lines.push(`mkdir -p '${d.path}' 2>/dev/null && touch '${d.path}/.alluxio-write-test' 2>/dev/null || ` +
      `fail "${INIT_MESSAGE.notWritable} hostPath ${d.hostPath} on node $NODE_NAME is not writable (read-only file system?); set it to a writable directory, e.g. /home/alluxio/..."`);
    lines.push(`rm -f '${d.path}/.alluxio-write-test'; chown ${c.spec.user}:${c.spec.group} '${d.path}'`);
    if (d.minBytes) {
      const kib = Math.ceil(d.minBytes / 1024);
      lines.push(`total=$(df -Pk '${d.path}' | awk 'NR==2 {print $2}')`);
      lines.push(`[ "$total" -ge ${kib} ] || fail "${INIT_MESSAGE.tooLarge} worker.pagestore.size ${d.sizeText} (${(d.minBytes / 1e9).toFixed(1)} GB) exceeds the total disk space at ${d.hostPath} on node $NODE_NAME ($(( total * 1024 / 1000000000 )) GB); set it to about 90% of the disk, in Gi"`);
    }
  }
  return {
    name: 'path-permission',
    image: alluxioImage(c),
    imagePullPolicy: c.spec.imagePullPolicy,
    command: ['sh', '-c', lines.join('\n')],
    env: [{ name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }],
    securityContext: { runAsUser: 0, runAsGroup: 0, runAsNonRoot: false },
    terminationMessagePolicy: 'FallbackToLogsOnError',
    volumeMounts,
  };
}

/** Init container `wait-etcd`: waits until etcd accepts TCP connections. */
export function waitEtcdInit(c: AlluxioCluster, endpoints: string): Obj {
  const script = `const ep=process.argv[1].split(',').map(u=>new URL(u));const net=require('net');` +
    `const tryOne=()=>{const e=ep[Math.floor(Math.random()*ep.length)];const s=net.connect(Number(e.port||2379),e.hostname);` +
    `s.setTimeout(2000);s.on('connect',()=>process.exit(0));const retry=()=>{s.destroy();console.log('waiting for etcd at '+e.host);setTimeout(tryOne,2000)};` +
    `s.on('error',retry);s.on('timeout',retry)};tryOne();`;
  return {
    name: 'wait-etcd',
    image: alluxioImage(c),
    imagePullPolicy: c.spec.imagePullPolicy,
    command: ['node', '-e', script, endpoints],
  };
}

/** Pod securityContext of the coordinator and workers: spec.user / group / fsGroup (default 1000). */
export function securityContext(c: AlluxioCluster): Obj {
  const { user, group, fsGroup } = c.spec;
  return user === 0
    ? { runAsUser: 0, runAsGroup: group, ...(fsGroup !== 0 ? { fsGroup } : {}) }
    : { runAsUser: user, runAsGroup: group, fsGroup, runAsNonRoot: true };
}

export function placement(p: { nodeSelector?: Record<string, string>; affinity?: Record<string, unknown>; tolerations?: unknown[] }): Obj {
  return {
    ...(p.nodeSelector && Object.keys(p.nodeSelector).length ? { nodeSelector: p.nodeSelector } : {}),
    ...(p.affinity && Object.keys(p.affinity).length ? { affinity: p.affinity } : {}),
    ...(p.tolerations && p.tolerations.length ? { tolerations: p.tolerations } : {}),
  };
}

/** Container resources as the spec gives them, every amount in the form the API server stores (quantity.ts). */
export function resourcesOf(r: { limits?: Record<string, string | number>; requests?: Record<string, string | number> } | undefined): Obj {
  if (!r || !(r.limits || r.requests)) return {};
  const canonical = (m: Record<string, string | number>) => Object.fromEntries(Object.entries(m).map(([k, v]) => [k, canonicalQuantity(v)]));
  return { resources: { ...r, ...(r.limits ? { limits: canonical(r.limits) } : {}), ...(r.requests ? { requests: canonical(r.requests) } : {}) } };
}

export function httpProbe(path: string, port: number, liveness = false): Obj {
  return {
    httpGet: { path, port },
    initialDelaySeconds: liveness ? 30 : 5,
    periodSeconds: 10,
    timeoutSeconds: 5,
    failureThreshold: liveness ? 6 : 3,
  };
}

export function coordinatorUrl(c: AlluxioCluster): string {
  return `http://${serviceHost(c, clusterNames(c).coordinator)}:${PORTS.coordinatorWeb}`;
}

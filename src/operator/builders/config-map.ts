import { createHash } from 'node:crypto';
import { parseSize } from '../../common/sizes.js';
import type { PropertyName } from '../../conf/property-keys.js';
import { PATHS, PORTS } from '../constants.js';
import { pagestoreDirs, type AlluxioCluster } from '../api/alluxio-cluster.js';
import type { KubeObject } from '../kube/types.js';
import { clusterNames, meta, namespaceOf } from './names.js';

// ConfigMap <name>-alluxio-conf: alluxio-site.properties (what the operator sets, then
// spec.properties, which wins), alluxio-env.sh, logging and metrics configuration.

const MiB = 1024 * 1024;

export function etcdEndpoints(c: AlluxioCluster): string {
  const user = c.spec.properties?.['alluxio.etcd.endpoints'];
  if (!c.spec.etcd.enabled && user) return user;
  const n = clusterNames(c);
  return `http://${n.etcd}.${namespaceOf(c)}:${PORTS.etcdClient}`;
}

export function coordinatorHost(c: AlluxioCluster): string {
  const n = clusterNames(c);
  return `${n.coordinator}-0.${n.coordinatorHeadless}.${namespaceOf(c)}.svc`;
}

/** reservedSize, or 10% of size (of the smallest directory), in a form Alluxio reads. */
export function reservedSize(c: AlluxioCluster): string {
  const ps = c.spec.worker.pagestore;
  if (ps.reservedSize) return ps.reservedSize;
  const smallest = Math.min(...pagestoreDirs(ps).map((d) => parseSize(d.size)));
  return `${Math.max(1, Math.floor(smallest / 10 / MiB))}Mi`;
}

/** Page store directories in the worker container: one per disk (builders/worker.ts mounts them). */
export function pagestoreMountPaths(c: AlluxioCluster): string[] {
  const dirs = pagestoreDirs(c.spec.worker.pagestore);
  return dirs.length === 1 ? [PATHS.pagestore] : dirs.map((_, i) => `${PATHS.pagestore}-${i}`);
}

/** What the operator sets; keys typed against the property registry, so a renamed key fails to compile. */
export function operatorProperties(c: AlluxioCluster): [PropertyName, string][] {
  const ps = c.spec.worker.pagestore;
  return [
    ['alluxio.cluster.name', `${namespaceOf(c)}-${c.metadata.name}`],
    ['alluxio.etcd.endpoints', etcdEndpoints(c)],
    ['alluxio.worker.membership.manager.type', 'ETCD'],
    ['alluxio.mount.table.source', 'ETCD'],
    // The Secret <cluster>-mount-credentials-key mounted in every pod (builders/pod.ts).
    ['alluxio.mount.credentials.encryption.key.file', PATHS.mountCredentialsKeyFile],
    // S3 and REST authentication on, with the Secret <cluster>-s3-credentials (builders/s3-credentials-secret.ts);
    // spec.properties alluxio.worker.s3.auth.enabled=false turns it off.
    ['alluxio.worker.s3.auth.enabled', 'true'],
    ['alluxio.worker.s3.auth.credentials.file', PATHS.s3CredentialsFile],
    ['alluxio.user.auth.token.file', PATHS.s3TokenFile],
    ['alluxio.coordinator.hostname', coordinatorHost(c)],
    ['alluxio.coordinator.rpc.port', String(PORTS.coordinatorRpc)],
    ['alluxio.coordinator.web.port', String(PORTS.coordinatorWeb)],
    ['alluxio.worker.page.store.type', 'LOCAL'],
    ['alluxio.worker.page.store.page.size', '4MB'],
    ['alluxio.worker.page.store.dirs', pagestoreMountPaths(c).join(',')],
    ['alluxio.worker.page.store.sizes', pagestoreDirs(ps).map((d) => d.size).join(',')],
    ['alluxio.worker.page.store.reserved.size', reservedSize(c)],
    ['alluxio.worker.identity.uuid.file.path', PATHS.identityFile],
  ];
}

function escapeProperty(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

export function siteProperties(c: AlluxioCluster): string {
  const user = c.spec.properties ?? {};
  const lines = [`# Written by alluxio-operator for AlluxioCluster ${namespaceOf(c)}/${c.metadata.name}.`, '# Set by the operator:'];
  for (const [k, v] of operatorProperties(c)) if (!(k in user)) lines.push(`${k}=${escapeProperty(v)}`);
  const keys = Object.keys(user).sort();
  if (keys.length) lines.push('# From spec.properties:');
  for (const k of keys) lines.push(`${k}=${escapeProperty(user[k]!)}`);
  return lines.join('\n') + '\n';
}

export function buildConfigMap(c: AlluxioCluster): KubeObject {
  const n = clusterNames(c);
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: meta(c, n.conf, 'conf'),
    data: {
      'alluxio-site.properties': siteProperties(c),
      'alluxio-env.sh': [
        '# Sourced by the container entrypoint.',
        `export ALLUXIO_CONF_DIR=${PATHS.confDir}`,
        'export ALLUXIO_LOG_LEVEL="${ALLUXIO_LOG_LEVEL:-info}"',
        '',
      ].join('\n'),
      'logging.properties': '# pino log level of every process (trace, debug, info, warn, error)\nlevel=info\n',
      'metrics.properties': 'sink.prometheus.class=alluxio.metrics.sink.PrometheusMetricsServlet\n',
    },
  };
}

/** sha256 of a config map's data; in the pod template, so a change rolls the pods. */
export function configHash(cm: KubeObject): string {
  const data = cm.data as Record<string, string>;
  const h = createHash('sha256');
  for (const k of Object.keys(data).sort()) h.update(`${k}\0${data[k]}\0`);
  return h.digest('hex').slice(0, 32);
}

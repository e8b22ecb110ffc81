import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { AlluxioError } from '../common/errors.js';
import { loadConfiguration, type AlluxioConfiguration } from '../conf/index.js';
import { setLogFormat } from '../common/log-format.js';
import type { MountStore } from '../mount/mount-store.js';
import type { AlluxioClient } from '../client/alluxio-client.js';

export interface GlobalOptions {
  conf?: string[];
}

/**
 * The configuration a command runs with. Without ALLUXIO_CONF_DIR, a local cluster started from
 * this directory (`alluxio local start`) is found at ./.alluxio-local/conf, so that
 * `alluxio fs ls /` works right after `npm start`.
 */
export function commandConf(global: GlobalOptions): AlluxioConfiguration {
  const env = { ...process.env };
  const dir = commandConfDir();
  if (dir.kind === 'local') env.ALLUXIO_CONF_DIR = dir.path;
  const conf = loadConfiguration({ cliConf: global.conf ?? [], env });
  setLogFormat(conf.getEnum('alluxio.logger.format'));
  return conf;
}

/** Where a command's alluxio-site.properties comes from: ALLUXIO_CONF_DIR, ./.alluxio-local/conf, or nowhere (defaults). */
export function commandConfDir(): { kind: 'env' | 'local'; path: string } | { kind: 'none' } {
  if (process.env.ALLUXIO_CONF_DIR) return { kind: 'env', path: resolve(process.env.ALLUXIO_CONF_DIR) };
  const local = resolve('.alluxio-local', 'conf');
  return existsSync(join(local, 'alluxio-site.properties')) ? { kind: 'local', path: local } : { kind: 'none' };
}

/** Says which configuration a command used: an error about an unreachable cluster must name it. */
export function describeConfDir(): string {
  const d = commandConfDir();
  if (d.kind === 'env') return `configuration from ALLUXIO_CONF_DIR=${d.path}`;
  if (d.kind === 'local') return `configuration of the local cluster in ${d.path}`;
  return 'ALLUXIO_CONF_DIR is not set and ./.alluxio-local/conf does not exist, so the default settings are used; ' +
    "for a cluster started with 'alluxio local start --dir DIR', export ALLUXIO_CONF_DIR=DIR/conf";
}

/** How long a command waits for etcd before it gives up with a message naming the endpoints. */
const ETCD_PROBE_MS = 3000;

/**
 * When the configuration puts membership or the mount table in etcd, checks once that etcd
 * answers, so a command fails within seconds with what to check instead of after the client's
 * retries (which are for long-running processes riding out an outage).
 */
export async function ensureEtcdReachable(conf: AlluxioConfiguration): Promise<void> {
  if (conf.getEnum('alluxio.worker.membership.manager.type') === 'ETCD' || conf.getEnum('alluxio.mount.table.source') === 'ETCD') await probe(conf);
}

/** The mount store of the command's configuration, once etcd (when it is the source) answers. */
export async function commandMountStore(global: GlobalOptions, opts: { decryptCredentials?: boolean } = {}): Promise<MountStore> {
  const conf = commandConf(global);
  if (conf.getEnum('alluxio.mount.table.source') === 'ETCD') await probe(conf);
  const { openMountStore } = await import('../client/from-conf.js');
  return openMountStore(conf, opts);
}

async function probe(conf: AlluxioConfiguration): Promise<void> {
  const { probeEtcd, ETCD_PROPERTY } = await import('../membership/etcd-client.js');
  const { etcdOptionsFromConf } = await import('../client/from-conf.js');
  const opts = await etcdOptionsFromConf(conf);
  try {
    await probeEtcd(opts, ETCD_PROBE_MS);
  } catch (err) {
    if (!(err instanceof AlluxioError) || err.code !== 'ALX_ERR_ETCD_UNAVAILABLE') throw err;
    // The gRPC text of the cause helps nobody at a shell prompt (ALLUXIO_DEBUG prints it).
    throw new AlluxioError('ALX_ERR_ETCD_UNAVAILABLE',
      `cannot reach etcd at ${opts.endpoints.join(',')}: is the cluster running? (alluxio local start). ` +
      `No answer within ${ETCD_PROBE_MS / 1000}s. Check that etcd is running and reachable from this host, and that ${ETCD_PROPERTY.endpoints} ` +
      `lists its client URLs (alluxio conf get ${ETCD_PROPERTY.endpoints} --source). Used: ${describeConfDir()}`, { cause: err });
  }
}

/** Runs fn with a client, closing it afterwards. CLI logs stay quiet unless ALLUXIO_LOG_LEVEL says otherwise. */
export async function withClient<T>(global: GlobalOptions, fn: (c: AlluxioClient, conf: AlluxioConfiguration) => Promise<T>): Promise<T> {
  const conf = commandConf(global);
  // Imported here, not at the top: the client and etcd/gRPC cost start-up time that commands
  // without a client (conf get, --help) should not pay; pino loads only if the client logs. The
  // client calls workers over node:http: undici would cost a one-shot command about 0.25 s to load.
  const [fromConf, { lazyLogger }, { nodeHttpTransport: transport }] = await Promise.all([
    import('../client/from-conf.js'), import('../common/logging.js'), import('../common/protocol/node-http-transport.js'),
  ]);
  const log = lazyLogger('cli', process.env.ALLUXIO_LOG_LEVEL ?? 'error');
  const authorization = fromConf.restAuthorizationFromConf(conf);
  const etcdCluster = conf.getEnum('alluxio.worker.membership.manager.type') === 'ETCD' && conf.getEnum('alluxio.mount.table.source') === 'ETCD';
  const snapshot = etcdCluster ? await (await import('./coordinator-snapshot.js')).coordinatorSnapshot(conf, authorization) : undefined;
  let client: AlluxioClient;
  if (snapshot) {
    const { Namespace } = await import('../mount/namespace.js');
    const namespace = await Namespace.open(snapshot.mounts, fromConf.ufsOptionsFromConf(conf), false);
    client = await fromConf.createClient(conf, { log, membership: snapshot.membership, namespace, transport });
  } else {
    await ensureEtcdReachable(conf);
    client = await fromConf.createClient(conf, { log, transport });
  }
  try {
    return await fn(client, conf);
  } finally {
    await client.close();
  }
}

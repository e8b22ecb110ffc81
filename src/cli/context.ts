import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
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
  if (!env.ALLUXIO_CONF_DIR) {
    const local = resolve('.alluxio-local', 'conf');
    if (existsSync(join(local, 'alluxio-site.properties'))) env.ALLUXIO_CONF_DIR = local;
  }
  const conf = loadConfiguration({ cliConf: global.conf ?? [], env });
  setLogFormat(conf.getEnum('alluxio.logger.format'));
  return conf;
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
  const { probeEtcd } = await import('../membership/etcd-client.js');
  const { etcdOptionsFromConf } = await import('../client/from-conf.js');
  await probeEtcd(await etcdOptionsFromConf(conf), ETCD_PROBE_MS);
}

/** Runs fn with a client, closing it afterwards. CLI logs stay quiet unless ALLUXIO_LOG_LEVEL says otherwise. */
export async function withClient<T>(global: GlobalOptions, fn: (c: AlluxioClient, conf: AlluxioConfiguration) => Promise<T>): Promise<T> {
  const conf = commandConf(global);
  await ensureEtcdReachable(conf);
  // Imported here, not at the top: the client, etcd/gRPC and pino cost start-up time that commands
  // without a client (conf get, --help) should not pay.
  const [{ createClient }, { createLogger }] = await Promise.all([import('../client/from-conf.js'), import('../common/logging.js')]);
  const client = await createClient(conf, { log: createLogger('cli', process.env.ALLUXIO_LOG_LEVEL ?? 'error') });
  try {
    return await fn(client, conf);
  } finally {
    await client.close();
  }
}

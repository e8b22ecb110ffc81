import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadConfiguration, type AlluxioConfiguration } from '../conf/index.js';
import { createLogger } from '../common/logging.js';
import { createClient } from '../client/from-conf.js';
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
  return loadConfiguration({ cliConf: global.conf ?? [], env });
}

/** Runs fn with a client, closing it afterwards. CLI logs stay quiet unless ALLUXIO_LOG_LEVEL says otherwise. */
export async function withClient<T>(global: GlobalOptions, fn: (c: AlluxioClient, conf: AlluxioConfiguration) => Promise<T>): Promise<T> {
  const conf = commandConf(global);
  const client = await createClient(conf, { log: createLogger('cli', process.env.ALLUXIO_LOG_LEVEL ?? 'error') });
  try {
    return await fn(client, conf);
  } finally {
    await client.close();
  }
}

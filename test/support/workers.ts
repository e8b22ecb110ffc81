import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfiguration, type AlluxioConfiguration } from '../../src/conf/index.js';
import { createLogger } from '../../src/common/logging.js';
import { startWorker, type RunningWorker } from '../../src/worker/worker-process.js';
import { hostPort } from '../../src/common/protocol/index.js';

export { freePort } from './ports.js';
import { freePort } from './ports.js';

export interface TestCluster {
  workers: RunningWorker[];
  confDir: string;
  /** Configuration a client of this cluster uses (STATIC membership, STATIC_FILE mounts). */
  conf: AlluxioConfiguration;
  env: Record<string, string>;
  ports: Array<{ http: number; s3: number; web: number }>;
  stop(): Promise<void>;
}

export interface TestClusterOptions {
  /** Root dir of the test: conf/, pagestore-i/ go below it. */
  dir: string;
  /** Root mount UFS (a local dir or s3:// URI). */
  rootUfs?: string;
  workers?: number;
  pageSize?: string;
  cacheSize?: string;
  /** The address the workers listen on and advertise (default 127.0.0.1; '::1' for IPv6). */
  host?: string;
  /** Extra properties for every worker and the client. */
  properties?: Record<string, string>;
  /** Properties of worker i only (over `properties`), e.g. a worker configured unlike the others. */
  workerProperties?: Array<Record<string, string> | undefined>;
}

/**
 * Starts workers in this process on free ports with STATIC membership and a STATIC_FILE mount
 * table: the shape `alluxio local start` gives, without child processes. Metrics are shared by
 * the in-process workers (one registry per process): tests that read metrics per worker should
 * use the CLI's local cluster instead.
 */
export async function startTestCluster(o: TestClusterOptions): Promise<TestCluster> {
  const n = o.workers ?? 1;
  const confDir = join(o.dir, 'conf');
  mkdirSync(confDir, { recursive: true });
  const ports = [];
  for (let i = 0; i < n; i++) ports.push({ http: await freePort(), s3: await freePort(), web: await freePort() });
  const host = o.host ?? '127.0.0.1';
  writeFileSync(join(confDir, 'workers'), ports.map((p) => `${hostPort(host, p.http)} s3=${p.s3} web=${p.web}`).join('\n') + '\n');
  writeFileSync(join(confDir, 'mount_table'), '');
  const props: Record<string, string> = {
    'alluxio.worker.membership.manager.type': 'STATIC',
    'alluxio.worker.static.membership.manager.config.file': join(confDir, 'workers'),
    'alluxio.mount.table.source': 'STATIC_FILE',
    'alluxio.mount.table.static.conf.file': join(confDir, 'mount_table'),
    'alluxio.worker.hostname': host,
    'alluxio.worker.bind.host': host,
    'alluxio.worker.page.store.page.size': o.pageSize ?? '64KB',
    'alluxio.worker.page.store.sizes': o.cacheSize ?? '64MB',
    ...(o.rootUfs ? { 'alluxio.master.mount.table.root.ufs': o.rootUfs } : {}),
    ...o.properties,
  };
  writeFileSync(join(confDir, 'alluxio-site.properties'), Object.entries(props).map(([k, v]) => `${k}=${v}`).join('\n') + '\n');
  const env = { ALLUXIO_CONF_DIR: confDir };
  const workers: RunningWorker[] = [];
  const log = createLogger('test-worker', process.env.ALLUXIO_LOG_LEVEL ?? 'silent');
  for (let i = 0; i < n; i++) {
    const conf = loadConfiguration({
      env,
      overrides: {
        'alluxio.worker.http.server.port': String(ports[i]!.http),
        'alluxio.worker.rest.port': String(ports[i]!.s3),
        'alluxio.worker.web.port': String(ports[i]!.web),
        'alluxio.worker.page.store.dirs': join(o.dir, `pagestore-${i}`),
        ...o.workerProperties?.[i],
      },
    });
    workers.push(await startWorker(conf, log));
  }
  return {
    workers, confDir, env, ports,
    conf: loadConfiguration({ env }),
    async stop() {
      await Promise.all(workers.map((w) => w.close()));
    },
  };
}

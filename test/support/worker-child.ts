import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN } from './cli.js';
import { waitFor } from './etcd.js';
import { freePort } from './ports.js';

/**
 * One real `alluxio process start worker` child with STATIC membership and a local root mount,
 * for tests that need its own logs, its own metrics registry, or signals.
 */
export interface WorkerChild {
  readonly proc: ChildProcess;
  readonly rest: string;
  readonly web: string;
  /** http://127.0.0.1:PORT of its S3 API. */
  readonly s3: string;
  /** Everything the process wrote to stdout and stderr so far (pino JSON lines). */
  output(): string;
  /** Sends `signal` and resolves whether the process exited within `ms`; SIGKILLs it otherwise. */
  stop(signal?: NodeJS.Signals, ms?: number): Promise<boolean>;
}

export async function startWorkerChild(o: {
  dir: string; ufs: string; pagestore: string; properties?: Record<string, string>; logLevel?: string;
}): Promise<WorkerChild> {
  const confDir = join(o.dir, 'conf');
  mkdirSync(confDir, { recursive: true });
  const [http, s3, web] = [await freePort(), await freePort(), await freePort()];
  writeFileSync(join(confDir, 'workers'), `127.0.0.1:${http} s3=${s3} web=${web}\n`);
  writeFileSync(join(confDir, 'mount_table'), '');
  writeFileSync(join(confDir, 'alluxio-site.properties'), Object.entries({
    'alluxio.worker.membership.manager.type': 'STATIC',
    'alluxio.worker.static.membership.manager.config.file': join(confDir, 'workers'),
    'alluxio.mount.table.source': 'STATIC_FILE',
    'alluxio.mount.table.static.conf.file': join(confDir, 'mount_table'),
    'alluxio.master.mount.table.root.ufs': o.ufs,
    'alluxio.worker.hostname': '127.0.0.1',
    'alluxio.worker.bind.host': '127.0.0.1',
    'alluxio.worker.http.server.port': String(http),
    'alluxio.worker.rest.port': String(s3),
    'alluxio.worker.web.port': String(web),
    'alluxio.worker.page.store.dirs': o.pagestore,
    'alluxio.worker.page.store.page.size': '64KB',
    'alluxio.worker.page.store.sizes': '16MB',
    ...o.properties,
  }).map(([k, v]) => `${k}=${v}`).join('\n') + '\n');
  const proc = spawn(process.execPath, [BIN, 'process', 'start', 'worker'], {
    env: { ...process.env, ALLUXIO_CONF_DIR: confDir, ALLUXIO_LOG_LEVEL: o.logLevel ?? 'info' }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
  proc.stderr!.on('data', (d: Buffer) => { out += d.toString(); });
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const alive = (): boolean => proc.exitCode === null && proc.signalCode === null;
  const child: WorkerChild = {
    proc,
    rest: `http://127.0.0.1:${http}`,
    web: `http://127.0.0.1:${web}`,
    s3: `http://127.0.0.1:${s3}`,
    output: () => out,
    async stop(signal = 'SIGTERM', ms = 30_000) {
      if (!alive()) return true;
      proc.kill(signal);
      const gone = await Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(r, ms, false).unref())]);
      if (!gone) {
        proc.kill('SIGKILL');
        await exited;
      }
      return gone;
    },
  };
  try {
    await waitFor('worker healthy', async () => {
      if (!alive()) throw new Error(`worker exited: ${out.slice(-2000)}`);
      return (await fetch(`${child.rest}/v1/health`)).ok;
    }, 30_000, 100);
  } catch (err) {
    await child.stop('SIGKILL');
    throw err;
  }
  return child;
}

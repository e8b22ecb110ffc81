// A cluster kept together by a real etcd, for tests: a conf dir with ETCD membership and an ETCD
// mount table, and workers either in this process (cheap) or as real `alluxio process start worker`
// child processes (per-process metrics, kill -9). Every worker has its own identity file and page
// store dir, so a restarted worker comes back as itself with its cache.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfiguration, type AlluxioConfiguration } from '../../src/conf/index.js';
import { createLogger } from '../../src/common/logging.js';
import { startWorker, type RunningWorker } from '../../src/worker/worker-process.js';
import type { AlluxioClient } from '../../src/client/alluxio-client.js';
import { BIN } from '../support/cli.js';
import { freePort, waitFor } from '../support/etcd.js';

export interface EtcdClusterConf {
  confDir: string;
  env: Record<string, string>;
  clusterName: string;
  conf(overrides?: Record<string, string>): AlluxioConfiguration;
}

/** Writes alluxio-site.properties for a cluster on `endpoints` with a unique cluster name. */
export function writeEtcdConf(dir: string, endpoints: string[], props: Record<string, string> = {}): EtcdClusterConf {
  const confDir = join(dir, 'conf');
  mkdirSync(confDir, { recursive: true });
  const clusterName = `test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const all: Record<string, string> = {
    'alluxio.cluster.name': clusterName,
    'alluxio.etcd.endpoints': endpoints.join(','),
    'alluxio.worker.membership.manager.type': 'ETCD',
    'alluxio.mount.table.source': 'ETCD',
    'alluxio.worker.failure.detection.timeout': '3s',
    'alluxio.worker.hostname': '127.0.0.1',
    'alluxio.worker.bind.host': '127.0.0.1',
    'alluxio.coordinator.hostname': '127.0.0.1',
    'alluxio.coordinator.bind.host': '127.0.0.1',
    'alluxio.worker.page.store.page.size': '64KB',
    'alluxio.worker.page.store.sizes': '64MB',
    'alluxio.user.network.connect.timeout': '1s',
    'alluxio.user.streaming.data.read.timeout': '5s',
    ...props,
  };
  writeFileSync(join(confDir, 'alluxio-site.properties'), Object.entries(all).map(([k, v]) => `${k}=${v}`).join('\n') + '\n');
  const env = { ALLUXIO_CONF_DIR: confDir };
  return { confDir, env, clusterName, conf: (overrides = {}) => loadConfiguration({ env, overrides }) };
}

export interface WorkerPorts { http: number; s3: number; web: number }

export async function workerPorts(): Promise<WorkerPorts> {
  return { http: await freePort(), s3: await freePort(), web: await freePort() };
}

function workerOverrides(dir: string, i: number, p: WorkerPorts, extra: Record<string, string> = {}): Record<string, string> {
  return {
    'alluxio.worker.http.server.port': String(p.http),
    'alluxio.worker.rest.port': String(p.s3),
    'alluxio.worker.web.port': String(p.web),
    'alluxio.worker.page.store.dirs': join(dir, `worker-${i}`, 'pagestore'),
    'alluxio.worker.identity.uuid.file.path': join(dir, `worker-${i}`, 'worker_identity'),
    ...extra,
  };
}

/** Starts worker i in this process (shared metrics registry). */
export async function startInProcessWorker(c: EtcdClusterConf, dir: string, i: number, extra: Record<string, string> = {}): Promise<RunningWorker> {
  const p = await workerPorts();
  return startWorker(c.conf(workerOverrides(dir, i, p, extra)), createLogger('test-worker', process.env.ALLUXIO_LOG_LEVEL ?? 'silent'));
}

/** Starts workers 0..n-1 as processes; if any fails, the others are stopped and the error thrown. */
export async function startWorkerProcesses(c: EtcdClusterConf, dir: string, n: number, extra: Record<string, string> = {}): Promise<WorkerProcess[]> {
  const settled = await Promise.allSettled(Array.from({ length: n }, (_, i) => WorkerProcess.start(c, dir, i, extra)));
  const started = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    await Promise.all(started.map((w) => w.kill()));
    throw failed.reason;
  }
  return started;
}

/** A worker running as its own `alluxio process start worker` process. */
/** An `alluxio process start ...` child process of a test, with the last of its output for failure messages. */
abstract class ServiceProcess {
  proc?: ChildProcess;
  private output: string[] = [];

  constructor(readonly c: EtcdClusterConf) {}

  /**
   * Spawns `alluxio <args>` with the cluster's environment (ALLUXIO_LOG_LEVEL: `logLevel`, else
   * this process's, else warn) unless it runs already, and waits until `healthUrl` answers 2xx.
   * A process that exits first fails the start with its last output.
   */
  protected async spawnUntilHealthy(name: string, args: string[], logLevel: string | undefined, healthUrl: string, timeoutMs: number): Promise<void> {
    if (this.proc) return;
    this.output = [];
    const proc = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...this.c.env, ALLUXIO_LOG_LEVEL: logLevel ?? process.env.ALLUXIO_LOG_LEVEL ?? 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (d: Buffer) => { if (this.output.length < 400) this.output.push(d.toString()); };
    proc.stdout!.on('data', keep);
    proc.stderr!.on('data', keep);
    this.proc = proc;
    let exited: string | undefined;
    proc.once('exit', (code, sig) => { exited = `${name} exited (${code ?? sig}): ${this.output.join('').slice(-3000)}`; });
    await waitFor(`${name} healthy`, async () => {
      if (exited) throw new Error(exited);
      return (await fetch(healthUrl, { signal: AbortSignal.timeout(1000) })).ok;
    }, timeoutMs, 100).catch((err) => { if (exited) throw new Error(exited); throw err; });
  }

  /** Kills the process (SIGKILL by default) and waits for it to be gone. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const proc = this.proc;
    this.proc = undefined;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      proc.once('exit', () => resolve());
      proc.kill(signal);
    });
  }

  logs(): string {
    return this.output.join('');
  }
}

export class WorkerProcess extends ServiceProcess {
  /** ALLUXIO_LOG_LEVEL of the process (default: this process's, else warn). */
  logLevel?: string;

  constructor(c: EtcdClusterConf, readonly dir: string, readonly index: number, readonly ports: WorkerPorts,
    readonly extra: Record<string, string> = {}, readonly spawnPrefix: string[] = []) {
    super(c);
  }

  static async start(c: EtcdClusterConf, dir: string, i: number, extra: Record<string, string> = {}): Promise<WorkerProcess> {
    const w = new WorkerProcess(c, dir, i, await workerPorts(), extra);
    try {
      await w.start();
    } catch (err) {
      await w.kill(); // never leave a half-started worker behind
      throw err;
    }
    return w;
  }

  get rest(): string { return `http://127.0.0.1:${this.ports.http}`; }
  get metricsUrl(): string { return `http://127.0.0.1:${this.ports.web}/metrics`; }

  async start(): Promise<void> {
    const args = ['process', 'start', 'worker'];
    for (const [k, v] of Object.entries(workerOverrides(this.dir, this.index, this.ports, this.extra))) args.push('--conf', `${k}=${v}`);
    // tsx start-up on a loaded machine is slow
    await this.spawnUntilHealthy(`worker ${this.index}`, args, this.logLevel, `${this.rest}/v1/health`, 120_000);
  }
}

export async function readAll(c: AlluxioClient, path: string): Promise<Buffer> {
  const { stream } = await c.read(path);
  const chunks: Buffer[] = [];
  for await (const x of stream) chunks.push(x as Buffer);
  return Buffer.concat(chunks);
}

/** The coordinator as its own `alluxio process start coordinator` process, on free ports. */
export class CoordinatorProcess extends ServiceProcess {
  private constructor(c: EtcdClusterConf, readonly web: number, readonly rpc: number) {
    super(c);
  }

  /** `web`: the web port to use (a port the workers' configuration already names); a free one by default. */
  static async start(c: EtcdClusterConf, web?: number): Promise<CoordinatorProcess> {
    const p = new CoordinatorProcess(c, web ?? await freePort(), await freePort());
    try {
      await p.start();
    } catch (err) {
      await p.kill();
      throw err;
    }
    return p;
  }

  get url(): string { return `http://127.0.0.1:${this.web}`; }

  async start(): Promise<void> {
    const args = ['process', 'start', 'coordinator', '--conf', `alluxio.coordinator.web.port=${this.web}`, '--conf', `alluxio.coordinator.rpc.port=${this.rpc}`];
    await this.spawnUntilHealthy('coordinator', args, undefined, `${this.url}/api/v1/health`, 60_000);
  }
}

// A real `alluxio fuse mount -f` child process for tests, and ordinary tools run against its
// mount point as child processes (a FUSE server must never be called synchronously from the
// process that serves it; the test process is not that process, but tools still run as children
// so each has a deadline).
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { BIN } from '../support/cli.js';
import { waitFor } from '../support/etcd.js';
import { freePort } from '../support/ports.js';
import { mountAt, probeMount, detachMount } from '../../src/fuse/local-mounts.js';

export interface Sh {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command (no shell unless `bash -c`), with a deadline; never throws on a non-zero exit. */
export function sh(cmd: string, args: string[], opts: { timeoutMs?: number; env?: Record<string, string> } = {}): Promise<Sh> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: opts.timeoutMs ?? 120_000, maxBuffer: 256 << 20, env: { ...process.env, ...opts.env } }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

export async function bash(script: string, timeoutMs?: number): Promise<Sh> {
  return sh('bash', ['-c', script], { timeoutMs });
}

export class FuseProcess {
  proc?: ChildProcess;
  private out: string[] = [];

  constructor(readonly point: string, readonly env: Record<string, string>, readonly webPort: number, readonly conf: string[] = []) {}

  static async start(point: string, env: Record<string, string>, conf: string[] = []): Promise<FuseProcess> {
    const f = new FuseProcess(point, env, await freePort(), conf);
    await f.start();
    return f;
  }

  get pid(): number {
    return this.proc!.pid!;
  }

  get metricsUrl(): string {
    return `http://127.0.0.1:${this.webPort}/metrics`;
  }

  /** Resident set size of the FUSE process in bytes (VmRSS). */
  rss(): number {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${this.pid}/status`, 'utf8'));
    return Number(m![1]) * 1024;
  }

  async start(): Promise<void> {
    const args = [BIN, '--conf', `alluxio.fuse.web.port=${this.webPort}`, ...this.conf.flatMap((c) => ['--conf', c]), 'fuse', 'mount', '-f', this.point];
    this.out = [];
    const proc = spawn(process.execPath, args, { env: { ...process.env, ...this.env, ALLUXIO_LOG_LEVEL: process.env.ALLUXIO_LOG_LEVEL ?? 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (d: Buffer) => { if (this.out.length < 2000) this.out.push(d.toString()); };
    proc.stdout!.on('data', keep);
    proc.stderr!.on('data', keep);
    this.proc = proc;
    let exited: string | undefined;
    proc.once('exit', (code, sig) => { exited = `fuse exited (${code ?? sig}): ${this.logs().slice(-3000)}`; });
    await waitFor('FUSE mount answers', async () => {
      if (exited) throw new Error(exited);
      // The process's own web port answers healthy only once ITS mount is up. /proc/mounts and a
      // stat alone are not enough after a stale mount: between the lazy detach of the dead
      // process's mount and the new mount, the point is the bare directory underneath (stat ok,
      // every file ENOENT), and /proc/mounts may still have listed the stale entry a moment before.
      const healthy = await fetch(`http://127.0.0.1:${this.webPort}/health`, { signal: AbortSignal.timeout(2000) }).then((r) => r.ok, () => false);
      if (!healthy) return false;
      const m = await mountAt(this.point);
      return m?.fstype === 'fuse.alluxio-fuse' && (await probeMount(this.point)) === 'ok';
    }, 120_000, 100);
  }

  /** Sends a signal and waits for the exit code (SIGKILL after `ms`). */
  async stop(signal: NodeJS.Signals = 'SIGTERM', ms = 30_000): Promise<number | null> {
    const proc = this.proc;
    if (!proc) return null;
    this.proc = undefined;
    if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode;
    const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
    proc.kill(signal);
    const t = setTimeout(() => proc.kill('SIGKILL'), ms);
    const code = await exited;
    clearTimeout(t);
    return code;
  }

  logs(): string {
    return this.out.join('');
  }
}

/** Last resort in after(): no mount left behind. */
export async function forceUnmount(point: string): Promise<void> {
  if (await mountAt(point)) await detachMount(point, true).catch(() => {});
}

import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { makeTempDir, type TempDir } from './tmp.js';

const LAUNCHER = fileURLToPath(new URL('./s3rver-launcher.mjs', import.meta.url));
const START_TIMEOUT_MS = 15_000;

export interface S3TestServer {
  /** http://127.0.0.1:PORT (the same after a restart). */
  readonly endpoint: string;
  readonly port: number;
  readonly accessKeyId: 'S3RVER';
  readonly secretAccessKey: 'S3RVER';
  /** s3rver's data directory (kept across restarts). */
  readonly directory: string;
  /** False once the process has exited (stopped, or crashed). */
  readonly running: boolean;
  /** The current server process's id. */
  readonly pid: number;
  /** Resolves when the current process exits (at once if it already has). */
  exited(): Promise<void>;
  /** Options for an S3 UFS that talks to this server (endpoint, credentials). */
  ufsOptions(): Record<string, string>;
  /** Starts the server again on the same port with the same data (after a crash, or to test one). */
  restart(): Promise<void>;
  /** Stops the process and removes its data directory. */
  stop(): Promise<void>;
}

/**
 * Starts s3rver as a child process (`node --openssl-legacy-provider`, bound to 127.0.0.1 on a
 * free port) with the given buckets, and waits until it listens.
 */
export async function startS3Server(opts: { buckets: string[] }): Promise<S3TestServer> {
  const dir = await makeTempDir('alluxio-s3rver-');
  try {
    const first = await launch(dir, 0, opts.buckets);
    return new S3ServerHandle(dir, opts.buckets, first.child, first.port);
  } catch (err) {
    await dir.cleanup();
    throw err;
  }
}

class S3ServerHandle implements S3TestServer {
  readonly accessKeyId = 'S3RVER' as const;
  readonly secretAccessKey = 'S3RVER' as const;
  private exitedFlag = false;

  constructor(private readonly dir: TempDir, private readonly buckets: string[], private child: ChildProcess, public port: number) {
    this.watch(child);
  }

  get endpoint(): string { return `http://127.0.0.1:${this.port}`; }
  get directory(): string { return this.dir.path; }
  get running(): boolean { return !this.exitedFlag; }
  get pid(): number { return this.child.pid ?? -1; }

  exited(): Promise<void> {
    const child = this.child;
    if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => child.once('exit', () => resolve()));
  }

  ufsOptions(): Record<string, string> {
    return {
      'alluxio.underfs.s3.endpoint': this.endpoint,
      's3a.accessKeyId': this.accessKeyId,
      's3a.secretKey': this.secretAccessKey,
    };
  }

  async restart(): Promise<void> {
    await this.kill();
    let started: { child: ChildProcess; port: number };
    try {
      started = await launch(this.dir, this.port, this.buckets);
    } catch {
      started = await launch(this.dir, 0, this.buckets); // the old port was taken meanwhile
    }
    this.child = started.child;
    this.port = started.port;
    this.exitedFlag = false;
    this.watch(started.child);
  }

  async stop(): Promise<void> {
    await this.kill();
    await this.dir.cleanup();
  }

  private watch(child: ChildProcess): void {
    child.once('exit', () => { if (child === this.child) this.exitedFlag = true; });
  }

  private async kill(): Promise<void> {
    const child = this.child;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    await gone;
    clearTimeout(timer);
  }
}

function launch(dir: TempDir, port: number, buckets: string[]): Promise<{ child: ChildProcess; port: number }> {
  const env = { ...process.env };
  delete env.NODE_OPTIONS; // no tsx loader or test-runner hooks in the server
  delete env.NODE_TEST_CONTEXT;
  const child = spawn(process.execPath, ['--openssl-legacy-provider', LAUNCHER, JSON.stringify({ port, directory: dir.path, buckets })], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env,
  });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    let settled = false;
    const fail = (why: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`s3rver did not start: ${why}${err ? `; stderr: ${err.slice(-2000)}` : ''}`));
    };
    const timer = setTimeout(() => fail(`no port within ${START_TIMEOUT_MS} ms`), START_TIMEOUT_MS);
    child.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const nl = out.indexOf('\n');
      if (nl === -1 || settled) return;
      let p: number;
      try {
        p = (JSON.parse(out.slice(0, nl)) as { port: number }).port;
      } catch {
        fail(`unexpected output ${JSON.stringify(out.slice(0, 200))}`);
        return;
      }
      settled = true;
      clearTimeout(timer);
      resolve({ child, port: p });
    });
    child.once('exit', (code, signal) => fail(`exited with ${signal ?? code}`));
    child.once('error', (e) => fail(e.message));
  });
}

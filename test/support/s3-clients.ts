import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { S3Servers } from '../../src/worker/s3/s3-server.js';
import { makeTempDir, type TempDir } from './tmp.js';
import { startTestCluster, type TestCluster } from './workers.js';

// A test cluster with the S3 API on each worker, and the real S3 clients (awscli v2, s3cmd,
// boto3) run as child processes against it. Child processes are always spawned asynchronously:
// the workers run in this process, so a blocking call would deadlock.

export const ACCESS_KEY = 'alluxio-test';
export const SECRET_KEY = 'alluxio-test-secret-0123456789';

export interface S3TestCluster {
  tmp: TempDir;
  /** The root mount's directory: buckets are its top-level directories. */
  ufsDir: string;
  cluster: TestCluster;
  s3: S3Servers[];
  /** http://127.0.0.1:PORT of each worker's S3 API. */
  endpoints: string[];
  stop(): Promise<void>;
}

export interface S3TestClusterOptions {
  workers?: number;
  properties?: Record<string, string>;
  /** Properties of worker i only (see TestClusterOptions.workerProperties). */
  workerProperties?: Array<Record<string, string> | undefined>;
  /** Write a credentials file and turn SigV4 verification on. */
  auth?: boolean;
  cacheSize?: string;
  pageSize?: string;
  buckets?: string[];
  /** Mount the UFS dir at / (default true); false leaves the namespace without a root mount. */
  rootMount?: boolean;
}

export async function startS3TestCluster(o: S3TestClusterOptions = {}): Promise<S3TestCluster> {
  const tmp = await makeTempDir('alluxio-s3-');
  const ufsDir = join(tmp.path, 'ufs');
  for (const b of o.buckets ?? ['bucket']) mkdirSync(join(ufsDir, b), { recursive: true });
  const props: Record<string, string> = { ...o.properties };
  if (o.auth) {
    const cred = join(tmp.path, 's3-credentials');
    writeFileSync(cred, `# test credentials\n${ACCESS_KEY}:${SECRET_KEY}\n`);
    props['alluxio.worker.s3.auth.enabled'] = 'true';
    props['alluxio.worker.s3.auth.credentials.file'] = cred;
  }
  let cluster: TestCluster | undefined;
  const s3: S3Servers[] = [];
  try {
    cluster = await startTestCluster({ dir: tmp.path, rootUfs: o.rootMount === false ? undefined : ufsDir, workers: o.workers ?? 1, properties: props, workerProperties: o.workerProperties, cacheSize: o.cacheSize, pageSize: o.pageSize });
    // Every worker serves S3 on its own alluxio.worker.rest.port.
    for (const w of cluster.workers) s3.push(w.s3);
  } catch (err) {
    await cluster?.stop();
    await tmp.cleanup();
    throw err;
  }
  const c = cluster;
  return {
    tmp, ufsDir, cluster: c, s3,
    endpoints: s3.map((s) => `http://127.0.0.1:${s.httpPort}`),
    async stop() {
      await c.stop();
      await tmp.cleanup();
    },
  };
}

/** The multipart uploads staged on any worker (each stages in its own state dir, see state-dir.ts). */
export function stagedUploads(c: S3TestCluster): string[] {
  return c.cluster.workers.flatMap((_, i) => {
    const dir = join(c.tmp.path, `pagestore-${i}`, 'state', 's3-multipart');
    // completed/ holds the records of finished uploads (no data), not staged uploads.
    return existsSync(dir) ? readdirSync(dir).filter((n) => n !== 'completed') : [];
  });
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command without blocking the event loop; never throws for a non-zero exit. */
export function run(cmd: string, args: string[], opts: { env?: Record<string, string>; cwd?: string; timeoutMs?: number; input?: string } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: { PATH: '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...opts.env }, cwd: opts.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 300_000);
    child.on('error', (e) => { clearTimeout(timer); reject(e); });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr });
    });
    child.stdin.on('error', () => {}); // a child that exits at once closes its stdin (EPIPE)
    child.stdin.end(opts.input ?? '');
  });
}

/** Environment for awscli v2 (/usr/bin/aws) and boto3: credentials, region, path-style addressing. */
export function awsEnv(dir: string, keys: { accessKey?: string; secretKey?: string } = {}): Record<string, string> {
  const config = join(dir, 'aws-config');
  writeFileSync(config, '[default]\nregion = us-east-1\ns3 =\n    addressing_style = path\n');
  return {
    AWS_ACCESS_KEY_ID: keys.accessKey ?? ACCESS_KEY,
    AWS_SECRET_ACCESS_KEY: keys.secretKey ?? SECRET_KEY,
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_CONFIG_FILE: config,
    AWS_SHARED_CREDENTIALS_FILE: join(dir, 'no-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_PAGER: '',
  };
}

/** `/usr/bin/aws --endpoint-url E args...` (awscli v2 from Debian, not a pyenv v1 on PATH). */
export function aws(endpoint: string, env: Record<string, string>, args: string[], timeoutMs?: number): Promise<RunResult> {
  return run('/usr/bin/aws', ['--endpoint-url', endpoint, ...args], { env, timeoutMs });
}

/** A config file for /usr/bin/s3cmd: path-style, plain HTTP, SigV4. */
export function s3cmdConfig(dir: string, endpoint: string): string {
  const hostPort = endpoint.replace(/^https?:\/\//, '');
  const file = join(dir, 's3cfg');
  writeFileSync(file, [
    '[default]', `access_key = ${ACCESS_KEY}`, `secret_key = ${SECRET_KEY}`, `host_base = ${hostPort}`, `host_bucket = ${hostPort}`,
    'use_https = False', 'signature_v2 = False', 'bucket_location = us-east-1', 'check_ssl_certificate = False', 'guess_mime_type = False', '',
  ].join('\n'));
  return file;
}

export function s3cmd(config: string, args: string[], timeoutMs?: number): Promise<RunResult> {
  return run('/usr/bin/s3cmd', ['-c', config, ...args], { timeoutMs });
}

/** Runs a Python script with Debian's python3 (and its boto3), with the awscli environment. */
export function python(script: string, args: string[], env: Record<string, string>, timeoutMs?: number): Promise<RunResult> {
  return run('/usr/bin/python3', [script, ...args], { env, timeoutMs });
}

// Preload (issue 13): our distributed load job against `rclone copy --transfers 16` of the same
// files from the same S3 server to a local directory, in one run. s3rver runs in its own network
// namespace behind a link shaped to RATE (tc tbf, as bench/cold-s3-remote.ts), so both read a
// store that is remote. Two datasets: SMALL files of 256 KiB and BIG files of 512 MiB (the issue:
// 5,000 and 8). Needs root (ip netns, tc), etcd-server and rclone.
// Usage: node --import tsx bench/preload.ts [SMALL_COUNT] [BIG_COUNT] [BIG_MB] [RATE]
// Per set it also prints the requests s3rver received from each side (by method, ranged or not)
// and the CPU seconds of s3rver and of each cluster process. PRELOAD_CPU_PROF=DIR writes a CPU
// profile of each cluster process into DIR when the cluster stops (bench/cpu-profile.mjs).
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createTestNetwork, netnsUnavailable } from '../test/support/netns.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const smallCount = Number(process.argv[2] ?? 5000);
const bigCount = Number(process.argv[3] ?? 8);
const bigMb = Number(process.argv[4] ?? 512);
const rate = process.argv[5] ?? '1gbit';
const why = netnsUnavailable();
if (why) {
  console.error(`cannot run: ${why}`);
  process.exit(2);
}
// The machine's load swings the figures: the ratio is what compares, and the load goes with it.
const loadStart = loadavg()[0]!.toFixed(1);
const work = mkdtempSync(join(tmpdir(), 'alluxio-bench-preload-'));
const net = createTestNetwork(['s3']);
const host = net.host('s3');
// Local cluster ports stay below the ephemeral range; PRELOAD_PORT_BASE moves them off another cluster's.
const base = Number(process.env.PRELOAD_PORT_BASE ?? 2600);
const profDir = process.env.PRELOAD_CPU_PROF;
const clusterEnv = { ...process.env, ALLUXIO_CONF_DIR: join(work, 'state', 'conf'), ...(profDir ? { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${new URL('./cpu-profile.mjs', import.meta.url).pathname}`, CPU_PROFILE_DIR: profDir } : {}) };
const cli = (...args: string[]) => spawnSync(process.execPath, ['bin/alluxio.js', ...args], { encoding: 'utf8', env: clusterEnv });
const launcher = new URL('../test/support/s3rver-launcher.mjs', import.meta.url).pathname;
let s3rver: ReturnType<typeof spawn> | undefined;
let s3rverLines: AsyncIterator<string> | undefined;

/** The requests s3rver received since the last call, as `METHOD what: N` (its launcher counts them). */
async function s3Requests(): Promise<string> {
  s3rver!.kill('SIGUSR2');
  const { requests, connections } = JSON.parse((await s3rverLines!.next()).value as string) as { requests: Record<string, number>; connections: number };
  return `${Object.entries(requests).sort().map(([k, n]) => `${k} ${n}`).join(', ')}; ${connections} connections`;
}

/** CPU seconds (user + system) of a process so far; 0 once it is gone. */
function cpuSeconds(pid: number): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return 0;
  }
}

/** s3rver and the cluster's processes (from the local cluster's state file), by name. */
function processes(): Array<[string, number]> {
  const state = JSON.parse(readFileSync(join(work, 'state', 'cluster.json'), 'utf8')) as { processes: Array<{ role: string; index: number; pid: number }> };
  return [['s3rver', s3rver!.pid!], ...state.processes.map((p): [string, number] => [`${p.role}-${p.index}`, p.pid])];
}

function cpuNow(): Map<string, number> {
  return new Map(processes().map(([name, pid]) => [name, cpuSeconds(pid)]));
}

function cpuSince(before: Map<string, number>): string {
  return [...cpuNow()].map(([name, s]) => `${name} ${(s - (before.get(name) ?? 0)).toFixed(2)}`).join(', ');
}

const coordinator = `http://127.0.0.1:${19999 + base}`;

/**
 * Our preload: the load job submitted to the coordinator's REST API, timed from the submit to the
 * job's end (polled every 100 ms). The CLI's start-up is left out: from a clone without dist/ it
 * runs through tsx, seconds on a loaded machine, which is not preload work.
 */
async function timedJob(path: string): Promise<number> {
  const t0 = process.hrtime.bigint();
  const sub = await fetch(`${coordinator}/api/v1/load`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ path }) });
  if (sub.status !== 200) throw new Error(`load ${path}: ${sub.status} ${await sub.text()}`);
  for (;;) {
    const p = await (await fetch(`${coordinator}/api/v1/load?path=${encodeURIComponent(path)}`)).json() as { jobState: string; filesFailed: number };
    if (p.jobState !== 'RUNNING') {
      if (p.jobState !== 'SUCCEEDED') throw new Error(`load ${path} ended ${p.jobState}: ${JSON.stringify(p)}`);
      return Number(process.hrtime.bigint() - t0) / 1e9;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

function timed(what: string, fn: () => { status: number | null; stderr: string }): number {
  const t0 = process.hrtime.bigint();
  const r = fn();
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`${what} failed: ${r.stderr}`);
  return s;
}

try {
  execFileSync('ip', ['netns', 'exec', host.ns, 'tc', 'qdisc', 'add', 'dev', host.dev, 'root', 'tbf', 'rate', rate, 'burst', '512kb', 'latency', '50ms']);
  s3rver = spawn('ip', ['netns', 'exec', host.ns, process.execPath, '--openssl-legacy-provider', launcher,
    JSON.stringify({ port: 9000, address: host.ip, directory: join(work, 's3rver'), buckets: ['bench'] })], { stdio: ['pipe', 'pipe', 'inherit'] });
  s3rverLines = createInterface({ input: s3rver.stdout! })[Symbol.asyncIterator]();
  await Promise.race([s3rverLines.next(), new Promise((_, reject) => s3rver!.once('exit', (code) => reject(new Error(`s3rver exited (${code})`))))]);
  const endpoint = `http://${host.ip}:9000`;
  const client = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
  const keys: Array<[string, number]> = [];
  for (let i = 0; i < smallCount; i++) keys.push([`small/d${i % 50}/f${i}.bin`, 256 * 1024]);
  for (let i = 0; i < bigCount; i++) keys.push([`big/b${i}.bin`, bigMb << 20]);
  let next = 0;
  await Promise.all(Array.from({ length: 16 }, async () => {
    while (next < keys.length) {
      const [k, n] = keys[next++]!;
      await client.send(new PutObjectCommand({ Bucket: 'bench', Key: k, Body: randomBytes(n) }));
    }
  }));
  client.destroy();
  const totalMb = (smallCount * 256 * 1024 + bigCount * (bigMb << 20)) / 2 ** 20;

  const conf = Object.entries({
    'alluxio.underfs.s3.endpoint': endpoint, 's3a.accessKeyId': 'S3RVER', 's3a.secretKey': 'S3RVER',
    'alluxio.master.mount.table.root.ufs': 's3://bench/',
  }).flatMap(([k, v]) => ['--conf', `${k}=${v}`]);
  const started = cli('local', 'start', '--workers', '2', '--ufs', join(work, 'unused'), '--dir', join(work, 'state'), '--page-size', '1MB',
    '--cache-size', `${Math.ceil(totalMb) + 256}MB`, '--port-base', String(base), ...conf);
  if (started.status !== 0) throw new Error(started.stderr);

  const rcloneConf = join(work, 'rclone.conf');
  writeFileSync(rcloneConf, `[s3]\ntype = s3\nprovider = Other\nenv_auth = false\naccess_key_id = S3RVER\nsecret_access_key = S3RVER\nendpoint = ${endpoint}\nregion = us-east-1\nforce_path_style = true\n`);
  const rows: string[] = [];
  const details: string[] = [];
  await s3Requests(); // forget the upload's
  for (const set of ['small', 'big'] as const) {
    const count = set === 'small' ? smallCount : bigCount;
    if (count === 0) continue;
    const cpu = cpuNow();
    const ours = await timedJob(`/${set}`);
    details.push(`  ${set}, job: s3rver got ${await s3Requests()}; CPU s: ${cpuSince(cpu)}`);
    const cpuRclone = cpuNow();
    const dest = join(work, `rclone-${set}`);
    mkdirSync(dest);
    // rclone's S3 client refuses a custom CA bundle on a plain-HTTP endpoint: keep AWS_CA_BUNDLE away from it.
    const { AWS_CA_BUNDLE: _ca, ...rcloneEnv } = process.env;
    const theirs = timed('rclone copy', () => spawnSync('rclone', ['--config', rcloneConf, 'copy', '--transfers', '16', `s3:bench/${set}`, dest], { encoding: 'utf8', env: rcloneEnv }));
    details.push(`  ${set}, rclone: s3rver got ${await s3Requests()}; CPU s: ${cpuSince(cpuRclone)}`);
    const mb = set === 'small' ? (count * 256) / 1024 : count * bigMb;
    rows.push(`${set === 'small' ? `${count} x 256 KiB` : `${count} x ${bigMb} MiB`}: job ${ours.toFixed(2)}s (${(mb / ours).toFixed(1)} MiB/s), rclone ${theirs.toFixed(2)}s (${(mb / theirs).toFixed(1)} MiB/s), ratio ${(ours / theirs).toFixed(2)} (target <= 0.8)`);
  }
  console.log(`preload from s3rver behind a ${rate} link, 2 workers (page 1 MiB), alluxio.job.max.tasks.per.worker=3, load average ${loadStart} at the start, ${loadavg()[0]!.toFixed(1)} at the end:`);
  for (const r of rows) console.log(r);
  for (const d of details) console.log(d);
} finally {
  cli('local', 'stop', '--dir', join(work, 'state'));
  s3rver?.kill('SIGTERM');
  net.cleanup();
  rmSync(work, { recursive: true, force: true });
}

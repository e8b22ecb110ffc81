// Cold reads through a worker whose UFS is an S3 server on another host: s3rver in its own network
// namespace behind a link shaped to RATE (tc tbf, default 1gbit, about what one S3 GET stream gets
// from AWS), against GETs of the same object over the same link, in one run. Unlike
// bench/cold-s3-ufs.ts, where s3rver shares the loopback and the CPU with the worker, this shows
// whether the cold path keeps up with a store that is remote. Needs root (ip netns, tc).
// Before timing, the worker reads another object cold once and the VM's memory is warmed, as in
// bench/cold-s3-ufs.ts.
// Usage: node --import tsx bench/cold-s3-remote.ts [SIZE_MB] [RUNS] [RATE]
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { scrapeMetric } from '../test/support/cli.js';
import { createTestNetwork, netnsUnavailable } from '../test/support/netns.js';
import { curlSeconds, recycleMemory } from './cold-common.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const sizeMb = Number(process.argv[2] ?? 256);
const runs = Number(process.argv[3] ?? 3);
const rate = process.argv[4] ?? '1gbit';
const why = netnsUnavailable();
if (why) {
  console.error(`cannot run: ${why}`);
  process.exit(2);
}
const work = mkdtempSync(join(tmpdir(), 'alluxio-bench-remote-'));
const net = createTestNetwork(['s3']);
const host = net.host('s3');
const base = 2500; // worker ports stay below the ephemeral range (32768+)
const cli = (...args: string[]) => spawnSync(process.execPath, ['bin/alluxio.js', ...args], { encoding: 'utf8' });
const launcher = new URL('../test/support/s3rver-launcher.mjs', import.meta.url).pathname;
let s3rver: ReturnType<typeof spawn> | undefined;

const curl = curlSeconds;

try {
  // Egress from the S3 host is shaped: that is the direction objects travel.
  execFileSync('ip', ['netns', 'exec', host.ns, 'tc', 'qdisc', 'add', 'dev', host.dev, 'root', 'tbf', 'rate', rate, 'burst', '512kb', 'latency', '50ms']);
  s3rver = spawn('ip', ['netns', 'exec', host.ns, process.execPath, '--openssl-legacy-provider', launcher,
    JSON.stringify({ port: 9000, address: host.ip, directory: join(work, 's3rver'), buckets: ['bench'] })], { stdio: ['pipe', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: s3rver!.stdout! }).once('line', () => resolve());
    s3rver!.once('exit', (code) => reject(new Error(`s3rver exited (${code})`)));
  });
  const endpoint = `http://${host.ip}:9000`;
  const client = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
  const warmMb = Math.min(64, sizeMb);
  await client.send(new PutObjectCommand({ Bucket: 'bench', Key: 'big.bin', Body: randomBytes(sizeMb << 20) }));
  await client.send(new PutObjectCommand({ Bucket: 'bench', Key: 'warmup.bin', Body: randomBytes(warmMb << 20) }));
  client.destroy();
  const conf = Object.entries({
    'alluxio.underfs.s3.endpoint': endpoint, 's3a.accessKeyId': 'S3RVER', 's3a.secretKey': 'S3RVER',
    'alluxio.master.mount.table.root.ufs': 's3://bench/',
  }).flatMap(([k, v]) => ['--conf', `${k}=${v}`]);
  const started = cli('local', 'start', '--no-etcd', '--ufs', join(work, 'unused'), '--dir', join(work, 'state'), '--cache-size', `${sizeMb * 2 + warmMb}MB`, '--port-base', String(base), ...conf);
  if (started.status !== 0) throw new Error(started.stderr);
  const rest = `http://127.0.0.1:${28080 + base}/v1/read?path=`;

  curl(`${rest}/warmup.bin`, warmMb);
  recycleMemory(work, sizeMb * 2);

  const direct = Array.from({ length: runs }, () => curl(`${endpoint}/bench/big.bin`, sizeMb));
  const workerPid = Number(spawnSync('pgrep', ['-f', `${join(work, 'state')}.*process start worker|process start worker.*${join(work, 'state')}`], { encoding: 'utf8' }).stdout.trim().split('\n')[0]);
  // User and system seconds of the worker, and its major GCs (prom-client's default metrics).
  const cpu = (pid: number) => { try { const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' '); return [Number(f[11]) / 100, Number(f[12]) / 100] as const; } catch { return [NaN, NaN] as const; } };
  const majorGcs = () => scrapeMetric(`http://127.0.0.1:${30000 + base}/metrics`, 'nodejs_gc_duration_seconds_count', { kind: 'major' });
  const [user0, sys0] = cpu(workerPid);
  const gc0 = await majorGcs();
  const cold = curl(`${rest}/big.bin`, sizeMb);
  const [user1, sys1] = cpu(workerPid);
  const coldGcs = (await majorGcs()) - gc0;
  const coldCpu = user1 - user0 + sys1 - sys0;
  const cached = Array.from({ length: runs }, () => curl(`${rest}/big.bin`, sizeMb));
  const best = (xs: number[]) => Math.min(...xs);
  const mbps = (s: number) => (sizeMb / s).toFixed(1);
  console.log(`object: ${sizeMb} MiB in s3rver on another host, link shaped to ${rate}; best of ${runs} runs (cold: one run)`);
  console.log(`direct GET over the link        ${best(direct).toFixed(3)}s  ${mbps(best(direct))} MiB/s`);
  console.log(`worker REST, cold (S3 -> cache) ${cold.toFixed(3)}s  ${mbps(cold)} MiB/s`);
  console.log(`worker REST, cached             ${best(cached).toFixed(3)}s  ${mbps(best(cached))} MiB/s`);
  console.log(`worker CPU during the cold read: ${coldCpu.toFixed(2)} s (${(100 * coldCpu / cold).toFixed(0)} % of one core; user ${(user1 - user0).toFixed(2)}, system ${(sys1 - sys0).toFixed(2)}; ${coldGcs} major GCs)`);
  console.log(`cold time / direct UFS time = ${(cold / best(direct)).toFixed(2)}   (target <= 1.2)`);
} finally {
  cli('local', 'stop', '--dir', join(work, 'state'));
  s3rver?.kill('SIGTERM');
  net.cleanup();
  rmSync(work, { recursive: true, force: true });
}

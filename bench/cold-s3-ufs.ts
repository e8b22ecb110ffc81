// Cold and cached reads of one object through a worker whose UFS is an S3-compatible server (s3rver,
// a separate process), against reading the same object from that server directly, in one run.
// Before timing, the worker reads another object cold once (so V8 has compiled the cold path: a
// long-running worker has), and a scratch file as large as the cache writes is written and deleted
// (this VM backs guest memory on first touch, which made fresh page-cache pages cost ~5 ms of
// kernel time per MiB written against ~0.7 once recycled; a machine that has run a while has none).
// Usage: node --import tsx bench/cold-s3-ufs.ts [SIZE_MB] [RUNS]
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { startS3Server } from '../test/support/s3-server.js';
import { curlSeconds, recycleMemory } from './cold-common.js';

const sizeMb = Number(process.argv[2] ?? 256);
const runs = Number(process.argv[3] ?? 3);
const work = mkdtempSync(join(tmpdir(), 'alluxio-bench-s3-'));
const s3 = await startS3Server({ buckets: ['bench'] });
const base = 2400; // worker ports stay below the ephemeral range (32768+)
const cli = (...args: string[]) => spawnSync(process.execPath, ['bin/alluxio.js', ...args], { encoding: 'utf8' });

const curl = (url: string, mb = sizeMb) => curlSeconds(url, mb);

try {
  const client = new S3Client({ endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } });
  await client.send(new PutObjectCommand({ Bucket: 'bench', Key: 'big.bin', Body: randomBytes(sizeMb * 1024 * 1024) }));
  const warmMb = Math.min(64, sizeMb);
  await client.send(new PutObjectCommand({ Bucket: 'bench', Key: 'warmup.bin', Body: randomBytes(warmMb * 1024 * 1024) }));
  const direct = `${s3.endpoint}/bench/big.bin`; // s3rver serves unsigned GETs
  const conf = Object.entries({ ...s3.ufsOptions(), 'alluxio.master.mount.table.root.ufs': 's3://bench/' }).flatMap(([k, v]) => ['--conf', `${k}=${v}`]);
  const started = cli('local', 'start', '--no-etcd', '--ufs', join(work, 'unused'), '--dir', join(work, 'state'), '--cache-size', `${sizeMb * 2}MB`, '--port-base', String(base), ...conf);
  if (started.status !== 0) throw new Error(started.stderr);
  const url = `http://127.0.0.1:${28080 + base}/v1/read?path=/big.bin`;

  curl(url.replace('big.bin', 'warmup.bin'), warmMb);
  recycleMemory(work, sizeMb * 2);
  const directTimes = Array.from({ length: runs }, () => curl(direct));
  const cold = curl(url);
  for (let i = 0; i < 2; i++) curl(url); // pages the cache disk skipped during the cold read
  const cachedTimes = Array.from({ length: runs }, () => curl(url));
  const best = (xs: number[]) => Math.min(...xs);
  const mbps = (s: number) => (sizeMb / s).toFixed(1);
  console.log(`object: ${sizeMb} MiB in s3rver; best of ${runs} runs (cold: one run)`);
  console.log(`direct GET from the S3 server     ${best(directTimes).toFixed(3)}s  ${mbps(best(directTimes))} MiB/s`);
  console.log(`worker REST, cold (S3 -> cache)   ${cold.toFixed(3)}s  ${mbps(cold)} MiB/s`);
  console.log(`worker REST, cached               ${best(cachedTimes).toFixed(3)}s  ${mbps(best(cachedTimes))} MiB/s`);
  console.log(`cold time / direct UFS time = ${(cold / best(directTimes)).toFixed(2)}   (target <= 1.2)`);
  console.log(`cached speed-up over the UFS = ${(best(directTimes) / best(cachedTimes)).toFixed(2)}x`);
} finally {
  cli('local', 'stop', '--dir', join(work, 'state'));
  await s3.stop();
  rmSync(work, { recursive: true, force: true });
}

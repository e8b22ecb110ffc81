// A single-stream PUT through the worker's S3 API (local UFS; the worker hashes the body with MD5
// for its ETag and fsyncs the file before it answers) against `cp` of the same bytes into the UFS
// directory, in one run. `cp` is timed twice: alone, and followed by `sync` of the copy (the PUT's
// durability); the ratio against the second is the like-for-like one. RUNS rounds alternate cp
// and PUT; the ratios reported are the medians of the rounds' ratios.
// The worker is a real worker process (`alluxio local start --no-etcd --workers 1`), as deployed.
// Usage: npx tsx bench/s3/s3-put-vs-cp.ts [--size-mb 1024] [--runs 3]
import { randomFillSync } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { run } from './bench-servers.js';

const { values: args } = parseArgs({
  options: {
    'size-mb': { type: 'string', default: '1024' },
    runs: { type: 'string', default: '3' },
  },
});
const SIZE_MB = Number(args['size-mb']);
const RUNS = Number(args.runs);
const BYTES = SIZE_MB * 1024 * 1024;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

/** Seconds a command takes (it must succeed). */
async function timed(cmd: string, argv: string[]): Promise<number> {
  const t0 = process.hrtime.bigint();
  const r = await run(cmd, argv);
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.code !== 0) throw new Error(`${cmd} ${argv.join(' ')} failed (${r.code}): ${r.err.slice(0, 600)} ${r.out.slice(0, 600)}`);
  return s;
}

const work = mkdtempSync(join(tmpdir(), 'alluxio-bench-put-'));
const ufsDir = join(work, 'ufs');
const state = join(work, 'state');
const BASE = 2500; // worker ports stay below the ephemeral range (32768+); s3-vs-nginx uses 2400
const cli = (...argv: string[]) => spawnSync(process.execPath, ['bin/alluxio.js', ...argv], { encoding: 'utf8' });
try {
  const dir = join(ufsDir, 'bench');
  mkdirSync(dir, { recursive: true });
  const src = join(work, 'source.bin');
  process.stdout.write(`writing a ${SIZE_MB} MiB source file...\n`);
  const fd = openSync(src, 'w');
  const block = Buffer.allocUnsafe(16 << 20);
  for (let left = BYTES; left > 0; left -= block.length) writeSync(fd, randomFillSync(block), 0, Math.min(block.length, left));
  closeSync(fd);
  const started = cli('local', 'start', '--no-etcd', '--workers', '1', '--ufs', ufsDir, '--dir', state, '--cache-size', '256MB', '--port-base', String(BASE));
  if (started.status !== 0) throw new Error(`alluxio local start failed: ${started.stderr}`);
  const s3 = `http://127.0.0.1:${29998 + BASE}`;
  await run('sync', []);

  const rounds: Array<{ cp: number; cpSync: number; put: number }> = [];
  for (let i = 0; i < RUNS; i++) {
    const cpDst = join(dir, `cp-${i}.bin`);
    const cp = await timed('cp', [src, cpDst]);
    const cpSync = cp + (await timed('sync', [cpDst]));
    rmSync(cpDst);
    await run('sync', []);
    const put = await timed('curl', ['-sf', '-o', '/dev/null', '-T', src, `${s3}/bench/put-${i}.bin`]);
    rmSync(join(dir, `put-${i}.bin`));
    await run('sync', []);
    rounds.push({ cp, cpSync, put });
    process.stdout.write(`round ${i + 1}: cp ${cp.toFixed(2)} s, cp+sync ${cpSync.toFixed(2)} s, PUT ${put.toFixed(2)} s\n`);
  }
  const mibps = (s: number) => (SIZE_MB / s).toFixed(0);
  const ratioSync = median(rounds.map((r) => r.cpSync / r.put));
  const ratioCp = median(rounds.map((r) => r.cp / r.put));
  const lines = [
    `machine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}; one worker process, local UFS on the same disk as the source`,
    '',
    `${RUNS} rounds, each cp then PUT; medians; a ratio is the median of the rounds' ratios (PUT speed / cp speed)`,
    '',
    '| test | cp | cp + sync | S3 PUT (curl -T) | PUT / (cp + sync) | PUT / cp | each round (vs cp + sync) | target |',
    '|---|---|---|---|---|---|---|---|',
    `| ${SIZE_MB} MiB, one stream | ${mibps(median(rounds.map((r) => r.cp)))} MiB/s | ${mibps(median(rounds.map((r) => r.cpSync)))} MiB/s | ` +
      `${mibps(median(rounds.map((r) => r.put)))} MiB/s | **${ratioSync.toFixed(2)}** | ${ratioCp.toFixed(2)} | ` +
      `${rounds.map((r) => (r.cpSync / r.put).toFixed(2)).join(', ')} | >= 0.8 |`,
  ];
  process.stdout.write('\n' + lines.join('\n') + '\n');
} finally {
  cli('local', 'stop', '--dir', state);
  rmSync(work, { recursive: true, force: true });
}

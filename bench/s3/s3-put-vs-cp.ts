// A single-stream PUT through the worker's S3 API (local UFS) against `cp` of the same bytes into
// the UFS directory, in one run. What each side does:
// - PUT (`curl -T`, auth off): the worker streams the body to a temp file in the UFS directory,
//   hashing it with MD5 for its ETag (on a hashing thread) and flushing it to disk every 64 MiB as
//   it goes, then fsyncs the file, renames it into place, fsyncs the directory and writes the
//   ETag's sidecar before it answers.
// - cp: `cp` alone (the kernel may copy in the page cache, nothing on disk yet), and `cp` followed
//   by `sync FILE` (fsync of the copy: on disk, as the PUT); the ratio against the second is the
//   like-for-like one.
// - MD5 alone: node:crypto's MD5 of the same file from the page cache on one thread, the ceiling of
//   any single-stream PUT whose ETag is the MD5 of its body (MD5 is serial).
// RUNS rounds alternate cp and PUT; the ratios reported are the medians of the rounds' ratios.
// The worker is a real worker process (`alluxio local start --no-etcd --workers 1`), as deployed.
// Usage: npx tsx bench/s3/s3-put-vs-cp.ts [--size-mb 1024] [--runs 3]
import { randomFillSync } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
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

/** Seconds node:crypto takes to MD5 a file (read in 16 MiB chunks, one thread), in a child process. */
const MD5_SCRIPT = `const fs = require('node:fs'); const h = require('node:crypto').createHash('md5');
const b = Buffer.allocUnsafe(16 << 20); const fd = fs.openSync(process.argv[1], 'r'); let n;
const t0 = process.hrtime.bigint(); while ((n = fs.readSync(fd, b, 0, b.length)) > 0) h.update(b.subarray(0, n));
h.digest(); process.stdout.write(String(Number(process.hrtime.bigint() - t0) / 1e9));`;

async function md5Seconds(file: string): Promise<number> {
  const r = await run(process.execPath, ['-e', MD5_SCRIPT, file]);
  if (r.code !== 0) throw new Error(`md5 timing failed: ${r.err.slice(0, 600)}`);
  return Number(r.out);
}

const work = mkdtempSync(join(tmpdir(), 'alluxio-bench-put-'));
const ufsDir = join(work, 'ufs');
const state = join(work, 'state');
const BASE = 2500; // worker ports stay below the ephemeral range (32768+); s3-vs-nginx uses 2400
const cli = (...argv: string[]) => spawnSync(process.execPath, ['bin/alluxio.js', ...argv], { encoding: 'utf8' });
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');
const loadAtStart = load();
process.stdout.write(`load average at start: ${loadAtStart}\n`);
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

  const rounds: Array<{ cp: number; cpSync: number; put: number; md5: number }> = [];
  for (let i = 0; i < RUNS; i++) {
    const cpDst = join(dir, `cp-${i}.bin`);
    const cp = await timed('cp', [src, cpDst]);
    const cpSync = cp + (await timed('sync', [cpDst]));
    rmSync(cpDst);
    await run('sync', []);
    const put = await timed('curl', ['-sf', '-o', '/dev/null', '-T', src, `${s3}/bench/put-${i}.bin`]);
    rmSync(join(dir, `put-${i}.bin`));
    await run('sync', []);
    const md5 = await md5Seconds(src);
    rounds.push({ cp, cpSync, put, md5 });
    process.stdout.write(`round ${i + 1}: cp ${cp.toFixed(2)} s, cp+sync ${cpSync.toFixed(2)} s, PUT ${put.toFixed(2)} s, MD5 alone ${md5.toFixed(2)} s\n`);
  }
  const mibps = (s: number) => (SIZE_MB / s).toFixed(0);
  const ratioSync = median(rounds.map((r) => r.cpSync / r.put));
  const ratioCp = median(rounds.map((r) => r.cp / r.put));
  const lines = [
    `machine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}; one worker process, local UFS on the same disk as the source`,
    `load average (1, 5, 15 min): ${loadAtStart} at start, ${load()} at end`,
    '',
    `${RUNS} rounds, each cp then PUT; medians; a ratio is the median of the rounds' ratios (PUT speed / cp speed)`,
    '',
    '| test | cp | cp + sync | S3 PUT (curl -T) | MD5 alone | PUT / (cp + sync) | PUT / cp | PUT / MD5 alone | each round (vs cp + sync) | target |',
    '|---|---|---|---|---|---|---|---|---|---|',
    `| ${SIZE_MB} MiB, one stream | ${mibps(median(rounds.map((r) => r.cp)))} MiB/s | ${mibps(median(rounds.map((r) => r.cpSync)))} MiB/s | ` +
      `${mibps(median(rounds.map((r) => r.put)))} MiB/s | ${mibps(median(rounds.map((r) => r.md5)))} MiB/s | **${ratioSync.toFixed(2)}** | ${ratioCp.toFixed(2)} | ` +
      `${median(rounds.map((r) => r.md5 / r.put)).toFixed(2)} | ${rounds.map((r) => (r.cpSync / r.put).toFixed(2)).join(', ')} | >= 0.8 |`,
    '',
    'PUT: body to a temp file with the MD5 on a hashing thread and fdatasync every 64 MiB, then fsync, rename, directory fsync, ETag sidecar;',
    'cp + sync: cp, then fsync of the copy (sync FILE); MD5 alone: node:crypto MD5 of the file from the page cache, one thread (the ceiling of a PUT whose ETag is the MD5).',
  ];
  process.stdout.write('\n' + lines.join('\n') + '\n');
} finally {
  cli('local', 'stop', '--dir', state);
  rmSync(work, { recursive: true, force: true });
}

// The worker's S3 API against nginx (sendfile on, one worker process) on the same machine, in one run:
//   1. a 1 GiB object, cached, fetched with curl: MiB/s;
//   2. a 4 KiB object, cached, with `wrk -c 32 -t 2 -d DURATION`: requests per second.
// Each is measured in RUNS rounds that alternate nginx and the worker, so that a change in the
// machine's load hits both sides of a round; the ratio reported is the median of the rounds' ratios.
// The worker is a real worker process (`alluxio local start --no-etcd --workers 1`), as deployed.
// Prints the ratios and writes them, with the command, to docs/benchmarks.md.
// Usage: npx tsx bench/s3/s3-vs-nginx.ts [--size-mb 1024] [--runs 3] [--duration 10s] [--page-size 1MB] [--no-doc]
import { randomFillSync } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync, closeSync, readFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseSize } from '../../src/common/sizes.js';
import { scrapeMetric } from '../../test/support/cli.js';
import { run, startNginx, wrkRequestsPerSecond } from './bench-servers.js';

const { values: args } = parseArgs({
  options: {
    'size-mb': { type: 'string', default: '1024' },
    runs: { type: 'string', default: '5' },
    duration: { type: 'string', default: '5s' },
    'page-size': { type: 'string', default: '1MB' },
    'no-doc': { type: 'boolean', default: false },
    /** Extra worker properties, k=v (repeatable), e.g. alluxio.worker.page.store.checksum.enabled=false. */
    prop: { type: 'string', multiple: true, default: [] },
  },
});
const SIZE_MB = Number(args['size-mb']);
const RUNS = Number(args.runs);

/** Throughput of one curl download, MiB/s. */
async function curlMiBps(url: string): Promise<number> {
  const r = await run('curl', ['-sf', '-o', '/dev/null', '-w', '%{speed_download} %{size_download}', url]);
  if (r.code !== 0) throw new Error(`curl ${url} failed (${r.code}): ${(await run('curl', ['-s', url])).out.slice(0, 600)}`);
  const [speed, size] = r.out.trim().split(' ').map(Number);
  if (size !== SIZE_MB * 1024 * 1024) throw new Error(`curl ${url}: got ${size} bytes, expected ${SIZE_MB} MiB`);
  return speed! / (1024 * 1024);
}

/** RUNS rounds of [reference, ours]; returns every round's pair. */
async function rounds(measure: (url: string) => Promise<number>, ref: string, ours: string): Promise<Array<[number, number]>> {
  const out: Array<[number, number]> = [];
  for (let i = 0; i < RUNS; i++) out.push([await measure(ref), await measure(ours)]);
  return out;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

/** Median over rounds of ours/reference, and the medians of each side. */
function summary(r: Array<[number, number]>): { ref: number; ours: number; ratio: number; each: string } {
  return {
    ref: median(r.map(([a]) => a)),
    ours: median(r.map(([, b]) => b)),
    ratio: median(r.map(([a, b]) => b / a)),
    each: r.map(([a, b]) => (b / a).toFixed(2)).join(', '),
  };
}

const wrkRps = (url: string) => wrkRequestsPerSecond(url, args.duration!);

const work = mkdtempSync(join(tmpdir(), 'alluxio-bench-s3-'));
const ufsDir = join(work, 'ufs');
const state = join(work, 'state');
const BASE = 2400; // worker ports stay below the ephemeral range (32768+)
const cli = (...argv: string[]) => spawnSync(process.execPath, ['bin/alluxio.js', ...argv], { encoding: 'utf8' });
let nginx: { port: number; stop(): Promise<void> } | undefined;
try {
  const dir = join(ufsDir, 'bench');
  mkdirSync(dir, { recursive: true });
  process.stdout.write(`writing a ${SIZE_MB} MiB object...\n`);
  const fd = openSync(join(dir, 'big.bin'), 'w');
  const block = Buffer.allocUnsafe(16 << 20);
  for (let left = SIZE_MB << 20; left > 0; left -= block.length) writeSync(fd, randomFillSync(block), 0, Math.min(block.length, left));
  closeSync(fd);
  writeFileSync(join(dir, 'small.bin'), randomFillSync(Buffer.alloc(4096)));
  const started = cli('local', 'start', '--no-etcd', '--workers', '1', '--ufs', ufsDir, '--dir', state, '--cache-size', `${SIZE_MB * 2 + 64}MB`,
    '--page-size', args['page-size']!, '--port-base', String(BASE), ...(args.prop ?? []).flatMap((kv) => ['--conf', kv]));
  if (started.status !== 0) throw new Error(`alluxio local start failed: ${started.stderr}`);
  // nginx's worker runs as an unprivileged user: let it into the temp tree.
  for (const d of [work, ufsDir, dir]) chmodSync(d, 0o755);
  nginx = await startNginx(ufsDir, work);

  const s3 = `http://127.0.0.1:${29998 + BASE}`;
  const ng = `http://127.0.0.1:${nginx.port}`;
  process.stdout.write('warming the cache...\n');
  // Pages the cache disk could not take during a read are cached by the next ones: read until the
  // worker's page count says the whole object is in the store.
  const cachedPages = () => scrapeMetric(`http://127.0.0.1:${30000 + BASE}/metrics`, 'alluxio_data_cached_pages');
  const pages = Math.ceil((SIZE_MB << 20) / parseSize(args['page-size']!));
  let cached = await cachedPages();
  for (let i = 0; i < 20 && cached < pages; i++) {
    await curlMiBps(`${s3}/bench/big.bin`);
    cached = await cachedPages();
  }
  if (cached < pages) throw new Error(`only ${cached} of ${pages} pages cached after 20 reads`);
  await curlMiBps(`${ng}/bench/big.bin`);
  await run('curl', ['-sf', '-o', '/dev/null', `${s3}/bench/small.bin`]);
  // The object and the page files were just written: flush them now, or the kernel's writeback of
  // those dirty pages (30 s after they were written) lands in the middle of the timed rounds.
  await run('sync', []);

  const big = summary(await rounds(curlMiBps, `${ng}/bench/big.bin`, `${s3}/bench/big.bin`));
  const small = summary(await rounds(wrkRps, `${ng}/bench/small.bin`, `${s3}/bench/small.bin`));

  const lines = [
    `machine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}; page size ${args['page-size']}; one worker process, nginx worker_processes 1`,
    '',
    `${RUNS} rounds, each nginx then the S3 API; medians; the ratio is the median of the rounds' ratios`,
    '',
    '| test | nginx | S3 API | ratio | each round | target |',
    '|---|---|---|---|---|---|',
    `| ${SIZE_MB} MiB cached object, curl | ${big.ref.toFixed(0)} MiB/s | ${big.ours.toFixed(0)} MiB/s | **${big.ratio.toFixed(2)}** | ${big.each} | >= 0.8 |`,
    `| 4 KiB cached object, wrk -c 32 -t 2 -d ${args.duration} | ${small.ref.toFixed(0)} req/s | ${small.ours.toFixed(0)} req/s | **${small.ratio.toFixed(2)}** | ${small.each} | >= 0.35 |`,
  ];
  process.stdout.write('\n' + lines.join('\n') + '\n');
  if (!args['no-doc']) {
    const cmd = `npx tsx bench/s3/s3-vs-nginx.ts --size-mb ${SIZE_MB} --runs ${RUNS} --duration ${args.duration} --page-size ${args['page-size']}`;
    const block = ['<!-- results: written by bench/s3/s3-vs-nginx.ts -->', '```', cmd, '```', '',
      `Measured ${new Date().toISOString().slice(0, 10)}:`, '', ...lines, '<!-- /results -->'].join('\n');
    const file = new URL('../../docs/benchmarks.md', import.meta.url);
    let doc: string;
    try {
      doc = readFileSync(file, 'utf8');
    } catch {
      doc = '# S3 API against nginx\n\n<!-- results --><!-- /results -->\n';
    }
    // Only the results block is replaced: the analysis around it is kept.
    doc = /<!-- results[^]*?<!-- \/results -->/.test(doc) ? doc.replace(/<!-- results[^]*?<!-- \/results -->/, () => block) : doc + '\n' + block + '\n';
    writeFileSync(file, doc);
  }
} finally {
  await nginx?.stop();
  cli('local', 'stop', '--dir', state);
  rmSync(work, { recursive: true, force: true });
}

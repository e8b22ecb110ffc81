// The worker's S3 API against nginx (sendfile on, one worker process) on the same machine, in one run:
//   1. a 1 GiB object, cached, fetched with curl: best of RUNS, MiB/s;
//   2. a 4 KiB object, cached, with `wrk -c 32 -t 2 -d 10s`: requests per second.
// Prints the ratios and writes them, with the command, to docs/benchmarks.md.
// Usage: npx tsx bench/s3/s3-vs-nginx.ts [--size-mb 1024] [--runs 3] [--duration 10s] [--page-size 1MB] [--no-doc]
import { spawn } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import { chmodSync, mkdirSync, openSync, writeFileSync, writeSync, closeSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { freePort } from '../../test/support/workers.js';
import { startS3TestCluster } from '../../test/support/s3-clients.js';

const { values: args } = parseArgs({
  options: {
    'size-mb': { type: 'string', default: '1024' },
    runs: { type: 'string', default: '3' },
    duration: { type: 'string', default: '10s' },
    'page-size': { type: 'string', default: '1MB' },
    'no-doc': { type: 'boolean', default: false },
    /** Extra worker properties, k=v (repeatable), e.g. alluxio.worker.page.store.checksum.enabled=false. */
    prop: { type: 'string', multiple: true, default: [] },
  },
});
const SIZE_MB = Number(args['size-mb']);
const RUNS = Number(args.runs);

function run(cmd: string, argv: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const c = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    c.stdout.on('data', (d: Buffer) => { out += d; });
    c.stderr.on('data', (d: Buffer) => { err += d; });
    c.on('error', reject);
    c.on('close', (code) => resolve({ code: code ?? 1, out, err }));
  });
}

/** Throughput of one curl download, MiB/s. */
async function curlMiBps(url: string): Promise<number> {
  const r = await run('curl', ['-sf', '-o', '/dev/null', '-w', '%{speed_download} %{size_download}', url]);
  if (r.code !== 0) throw new Error(`curl ${url} failed (${r.code}): ${(await run('curl', ['-s', url])).out.slice(0, 600)}`);
  const [speed, size] = r.out.trim().split(' ').map(Number);
  if (size !== SIZE_MB * 1024 * 1024) throw new Error(`curl ${url}: got ${size} bytes, expected ${SIZE_MB} MiB`);
  return speed! / (1024 * 1024);
}

async function best(url: string): Promise<number> {
  let b = 0;
  for (let i = 0; i < RUNS; i++) b = Math.max(b, await curlMiBps(url));
  return b;
}

async function wrkRps(url: string): Promise<number> {
  const r = await run('wrk', ['-c', '32', '-t', '2', '-d', args.duration!, url]);
  const m = /Requests\/sec:\s+([\d.]+)/.exec(r.out);
  if (r.code !== 0 || !m) throw new Error(`wrk ${url} failed: ${r.out} ${r.err}`);
  if (/Non-2xx/.test(r.out)) throw new Error(`wrk ${url}: non-2xx answers:\n${r.out}`);
  return Number(m[1]);
}

async function startNginx(root: string, work: string): Promise<{ port: number; stop(): Promise<void> }> {
  const port = await freePort();
  const dir = join(work, 'nginx');
  mkdirSync(join(dir, 'logs'), { recursive: true });
  mkdirSync(join(dir, 'tmp'), { recursive: true });
  const tmp = join(dir, 'tmp');
  writeFileSync(join(dir, 'nginx.conf'), `worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/logs/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  client_body_temp_path ${tmp}; proxy_temp_path ${tmp}; fastcgi_temp_path ${tmp}; uwsgi_temp_path ${tmp}; scgi_temp_path ${tmp};
  server { listen 127.0.0.1:${port}; root ${root}; }
}
`);
  const r = await run('nginx', ['-c', join(dir, 'nginx.conf'), '-p', dir]);
  if (r.code !== 0) throw new Error(`nginx failed to start: ${r.err}`);
  return {
    port,
    async stop() {
      try { process.kill(Number(readFileSync(join(dir, 'nginx.pid'), 'utf8').trim())); } catch { /* gone */ }
    },
  };
}

const props = Object.fromEntries((args.prop ?? []).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
const c = await startS3TestCluster({ workers: 1, properties: props, cacheSize: `${SIZE_MB * 2 + 64}MB`, pageSize: args['page-size'], buckets: ['bench'] });
let nginx: { port: number; stop(): Promise<void> } | undefined;
try {
  const dir = join(c.ufsDir, 'bench');
  process.stdout.write(`writing a ${SIZE_MB} MiB object...\n`);
  const fd = openSync(join(dir, 'big.bin'), 'w');
  const block = Buffer.allocUnsafe(16 << 20);
  for (let left = SIZE_MB << 20; left > 0; left -= block.length) writeSync(fd, randomFillSync(block), 0, Math.min(block.length, left));
  closeSync(fd);
  writeFileSync(join(dir, 'small.bin'), randomFillSync(Buffer.alloc(4096)));
  // nginx's worker runs as an unprivileged user: let it into the temp tree.
  for (const d of [c.tmp.path, c.ufsDir, dir]) chmodSync(d, 0o755);
  nginx = await startNginx(c.ufsDir, c.tmp.path);

  const s3 = c.endpoints[0]!;
  const ng = `http://127.0.0.1:${nginx.port}`;
  process.stdout.write('warming the cache...\n');
  await curlMiBps(`${s3}/bench/big.bin`);
  await curlMiBps(`${s3}/bench/big.bin`);
  await curlMiBps(`${ng}/bench/big.bin`);
  await run('curl', ['-sf', '-o', '/dev/null', `${s3}/bench/small.bin`]);

  const ngBig = await best(`${ng}/bench/big.bin`);
  const s3Big = await best(`${s3}/bench/big.bin`);
  const ngSmall = await wrkRps(`${ng}/bench/small.bin`);
  const s3Small = await wrkRps(`${s3}/bench/small.bin`);
  const bigRatio = s3Big / ngBig;
  const smallRatio = s3Small / ngSmall;

  const lines = [
    `machine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}; page size ${args['page-size']}; one worker process, nginx worker_processes 1`,
    '',
    '| test | nginx | S3 API | ratio | target |',
    '|---|---|---|---|---|',
    `| ${SIZE_MB} MiB cached object, curl, best of ${RUNS} | ${ngBig.toFixed(0)} MiB/s | ${s3Big.toFixed(0)} MiB/s | ${bigRatio.toFixed(2)} | >= 0.8 |`,
    `| 4 KiB cached object, wrk -c 32 -t 2 -d ${args.duration} | ${ngSmall.toFixed(0)} req/s | ${s3Small.toFixed(0)} req/s | ${smallRatio.toFixed(2)} | >= 0.35 |`,
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
  await c.stop();
}

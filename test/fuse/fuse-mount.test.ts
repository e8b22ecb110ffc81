// The FUSE mount for real: `alluxio fuse mount -f` as its own process over two worker processes
// and etcd, used with ordinary tools (ls, stat, cat, cp, find, du, sha256sum, mv, rm, python3).
// The sizes: a 1 GiB file (read with dd, and with sha256sum while its worker is kill -9ed)
// and a directory of 100,000 files. The 1 GiB file is one random 1 MiB block repeated with its
// index stamped in, so making it costs a write, not a gigabyte of randomness.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, writeFileSync, existsSync, renameSync, openSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { createClient } from '../../src/client/from-conf.js';
import type { AlluxioClient } from '../../src/client/alluxio-client.js';
import { createLogger } from '../../src/common/logging.js';
import { mountAt } from '../../src/fuse/local-mounts.js';
import { runCli, scrapeMetric } from '../support/cli.js';
import { startEtcd, waitFor, type EtcdCluster } from '../support/etcd.js';
import { makeTempDir, type TempDir } from '../support/tmp.js';
import { startWorkerProcesses, writeEtcdConf, type EtcdClusterConf, type WorkerProcess } from '../cluster/harness.js';
import { bash, forceUnmount, FuseProcess, sh } from './fuse-harness.js';

const SMALL_FILES = 1000;
const BIG_DIR_ENTRIES = 100_000;
const BIG_FILE = 1 << 30;
/** RSS cap of the FUSE process while 64 readers run: Node's own ~100 MB plus the 128 MB read-ahead budget and slack. */
const RSS_CAP = 400 << 20;

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('FUSE mount', { timeout: 900_000 }, () => {
  let tmp: TempDir;
  let etcd: EtcdCluster;
  let cc: EtcdClusterConf;
  let workers: WorkerProcess[] = [];
  let fuse: FuseProcess;
  let client: AlluxioClient;
  let ufs: string;
  let mnt: string;
  const sums = new Map<string, string>();
  let bigSum = '';

  before(async () => {
    tmp = await makeTempDir('alluxio-fuse-');
    ufs = join(tmp.path, 'ufs');
    mnt = join(tmp.path, 'mnt');
    mkdirSync(join(ufs, 'small'), { recursive: true });
    for (let i = 0; i < SMALL_FILES; i++) {
      const data = randomBytes(1000 + ((i * 7919) % 60_000));
      const name = `small/f${String(i).padStart(4, '0')}.bin`;
      writeFileSync(join(ufs, name), data);
      sums.set(name, sha(data));
    }
    mkdirSync(join(ufs, 'big-dir'));
    let t0 = Date.now();
    for (let i = 0; i < BIG_DIR_ENTRIES; i++) closeSync(openSync(join(ufs, 'big-dir', `e${i}`), 'w'));
    console.log(`made ${BIG_DIR_ENTRIES} empty files in ${Date.now() - t0} ms`);
    t0 = Date.now();
    bigSum = writeBigFile(join(ufs, 'big.bin'), BIG_FILE);
    console.log(`made the ${BIG_FILE >> 20} MiB file in ${Date.now() - t0} ms`);
    etcd = await startEtcd();
    cc = writeEtcdConf(tmp.path, etcd.endpoints, { 'alluxio.master.mount.table.root.ufs': ufs, 'alluxio.worker.page.store.sizes': '1280MB' });
    workers = await startWorkerProcesses(cc, tmp.path, 2);
    client = await createClient(cc.conf(), { log: createLogger('test-client', 'silent') });
    await waitFor('client sees 2 workers', () => client.ring.liveWorkers.length === 2, 60_000);
    fuse = await FuseProcess.start(mnt, cc.env);
  });

  after(async () => {
    await fuse?.stop('SIGTERM').catch(() => {});
    if (mnt) await forceUnmount(mnt);
    await client?.close().catch(() => {});
    await Promise.all(workers.map((w) => w.kill('SIGKILL')));
    await etcd?.cleanup();
    await tmp?.cleanup();
  });

  test('ls -la, stat, cat, find, du and sha256sum of 100 files agree with the UFS', async () => {
    const ls = await sh('ls', ['-la', mnt]);
    assert.equal(ls.code, 0, ls.stderr);
    assert.match(ls.stdout, /^d.* small$/m);
    assert.match(ls.stdout, new RegExp(`^-rw-r--r-- .* ${BIG_FILE} .* big\\.bin$`, 'm'));
    const st = await sh('stat', ['-c', '%s %F', join(mnt, 'small/f0001.bin')]);
    assert.equal(st.stdout.trim(), `${readFileSync(join(ufs, 'small/f0001.bin')).length} regular file`);
    const cat = await sh('bash', ['-c', `cat ${join(mnt, 'small/f0002.bin')} | sha256sum`]);
    assert.equal(cat.stdout.split(' ')[0], sums.get('small/f0002.bin'));
    const find = await sh('find', [join(mnt, 'small'), '-type', 'f']);
    assert.equal(find.stdout.trim().split('\n').length, SMALL_FILES);
    const du = await sh('du', ['-sb', join(mnt, 'small')]);
    const expected = readdirSync(join(ufs, 'small')).reduce((n, f) => n + readFileSync(join(ufs, 'small', f)).length, 0);
    assert.equal(Number(du.stdout.split('\t')[0]) - 4096, expected, du.stdout); // du -b counts the directory's own 4096
    const names = [...sums.keys()].slice(0, 100);
    const r = await sh('sha256sum', names.map((n) => join(mnt, n)));
    assert.equal(r.code, 0, r.stderr);
    const got = new Map(r.stdout.trim().split('\n').map((l) => { const [s, p] = l.split(/\s+/); return [p!.slice(mnt.length + 1), s!]; }));
    for (const n of names) assert.equal(got.get(n), sums.get(n), n);
  });

  test('python3 open().read() and os.scandir', async () => {
    const py = `
import os, hashlib, json
d = ${JSON.stringify(join(mnt, 'small'))}
entries = sorted((e.name, e.is_file(), e.stat().st_size) for e in os.scandir(d))
h = hashlib.sha256(open(os.path.join(d, 'f0003.bin'), 'rb').read()).hexdigest()
print(json.dumps({"n": len(entries), "first": entries[0], "sum": h}))`;
    const r = await sh('python3', ['-c', py]);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { n: number; first: [string, boolean, number]; sum: string };
    assert.equal(out.n, SMALL_FILES);
    assert.deepEqual(out.first, ['f0000.bin', true, readFileSync(join(ufs, 'small/f0000.bin')).length]);
    assert.equal(out.sum, sums.get('small/f0003.bin'));
  });

  test('cp -r out and in, a write appears in the UFS byte-identical, mv, rm -r, mkdir', async () => {
    const out = join(tmp.path, 'copied-out');
    let r = await sh('cp', ['-r', join(mnt, 'small'), out]);
    assert.equal(r.code, 0, r.stderr);
    for (const n of ['f0000.bin', 'f0500.bin', 'f0999.bin']) assert.equal(sha(readFileSync(join(out, n))), sums.get(`small/${n}`));
    assert.equal(readdirSync(out).length, SMALL_FILES);

    const src = join(tmp.path, 'to-copy-in');
    mkdirSync(join(src, 'sub'), { recursive: true });
    const payload = randomBytes(5_000_000 + 123);
    writeFileSync(join(src, 'a.bin'), payload);
    writeFileSync(join(src, 'sub', 'b.txt'), 'hello from the mount\n');
    r = await sh('cp', ['-r', src, join(mnt, 'in')]);
    assert.equal(r.code, 0, r.stderr);
    // Committed when cp closed each file: in the UFS now, byte for byte.
    assert.ok(readFileSync(join(ufs, 'in', 'a.bin')).equals(payload));
    assert.equal(readFileSync(join(ufs, 'in', 'sub', 'b.txt'), 'utf8'), 'hello from the mount\n');
    const back = await sh('bash', ['-c', `sha256sum < ${join(mnt, 'in', 'a.bin')}`]);
    assert.equal(back.stdout.split(' ')[0], sha(payload));

    r = await sh('python3', ['-c', `open(${JSON.stringify(join(mnt, 'in', 'py.txt'))}, 'w').write('x' * 100000)`]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(readFileSync(join(ufs, 'in', 'py.txt'), 'utf8'), 'x'.repeat(100000));

    r = await sh('mv', [join(mnt, 'in', 'sub', 'b.txt'), join(mnt, 'in', 'moved.txt')]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(!existsSync(join(ufs, 'in', 'sub', 'b.txt')));
    assert.equal(readFileSync(join(ufs, 'in', 'moved.txt'), 'utf8'), 'hello from the mount\n');
    r = await sh('mkdir', [join(mnt, 'in', 'newdir')]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(existsSync(join(ufs, 'in', 'newdir')));

    r = await sh('rm', ['-r', join(mnt, 'in')]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(!existsSync(join(ufs, 'in')));
    const ls = await sh('ls', [join(mnt, 'in')]);
    assert.notEqual(ls.code, 0);
    assert.match(ls.stderr, /No such file or directory/);
  });

  test('what the UFS cannot do is a clear errno, never a hang: append and in-place writes are ENOTSUP', async () => {
    writeFileSync(join(ufs, 'keep.txt'), 'original\n');
    let r = await bash(`echo more >> ${join(mnt, 'keep.txt')}`);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /Operation not supported/);
    r = await sh('python3', ['-c', `
import errno
f = open(${JSON.stringify(join(mnt, 'keep.txt'))}, 'r+b')
f.seek(3)
try:
    f.write(b'X'); f.flush(); print('wrote')
except OSError as e:
    print(errno.errorcode[e.errno])`]);
    assert.match(r.stdout.trim(), /^(EOPNOTSUPP|ENOTSUP)$/); // one errno (95), two names
    assert.equal(readFileSync(join(ufs, 'keep.txt'), 'utf8'), 'original\n', 'the file is left as it was');
    r = await sh('truncate', ['-s', '0', join(mnt, 'keep.txt')]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(readFileSync(join(ufs, 'keep.txt'), 'utf8'), '');
  });

  test('a file replaced under an open handle reads as the old bytes or fails, never a mix', async () => {
    const size = 8 << 20;
    const v1 = Buffer.alloc(size, 0x41);
    writeFileSync(join(ufs, 'replaced.bin'), v1);
    const py = `
import sys, os
f = open(${JSON.stringify(join(mnt, 'replaced.bin'))}, 'rb', buffering=0)
head = f.read(65536)
sys.stdout.write('opened\\n'); sys.stdout.flush()
sys.stdin.readline()
try:
    rest = b''
    while True:
        b = f.read(1 << 20)
        if not b: break
        rest += b
    data = head + rest
    print('read', len(data), 'A' if data == b'A' * len(data) else ('B' if data == b'B' * len(data) else 'MIX'))
except OSError as e:
    print('error', e.errno)`;
    const { spawn } = await import('node:child_process');
    const p = spawn('python3', ['-c', py], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    await waitFor('python opened the file', () => out.includes('opened'), 30_000);
    // Replace it in the UFS (a new file renamed over it: a new version).
    const tmpFile = join(ufs, '.replaced.tmp');
    const fd = openSync(tmpFile, 'w');
    writeSync(fd, Buffer.alloc(size, 0x42));
    closeSync(fd);
    renameSync(tmpFile, join(ufs, 'replaced.bin'));
    p.stdin.end('go\n');
    await new Promise((r) => p.once('exit', r));
    assert.match(out, /read 8388608 A|error (5|116)/, out);
  });

  test('64 concurrent readers over 1,000 files: every sum right, FUSE RSS under the cap', async () => {
    const names = [...sums.keys()];
    let peak = 0;
    const sampler = setInterval(() => { try { peak = Math.max(peak, fuse.rss()); } catch { /* exited */ } }, 50);
    try {
      const readers = Array.from({ length: 64 }, (_, i) => sh('sha256sum', names.filter((_, j) => j % 64 === i).map((n) => join(mnt, n))));
      const results = await Promise.all(readers);
      for (const r of results) {
        assert.equal(r.code, 0, r.stderr);
        for (const line of r.stdout.trim().split('\n')) {
          const [s, p] = line.split(/\s+/);
          assert.equal(s, sums.get(p!.slice(mnt.length + 1)), p);
        }
      }
    } finally {
      clearInterval(sampler);
    }
    peak = Math.max(peak, fuse.rss());
    console.log(`FUSE RSS peak during 64 readers: ${(peak / 1048576).toFixed(1)} MiB (cap ${RSS_CAP / 1048576} MiB)`);
    assert.ok(peak < RSS_CAP, `FUSE RSS ${peak} over the cap ${RSS_CAP}`);
  });

  test(`a directory of ${BIG_DIR_ENTRIES} files lists completely, paged against the worker`, async () => {
    const pages = () => Promise.all(workers.map((w) => scrapeMetric(w.metricsUrl, 'alluxio_rest_requests_total', { route: 'files-page' }))).then((n) => n.reduce((a, b) => a + b, 0));
    const pagesBefore = await pages();
    const ls = await firstAndLast('ls', [join(mnt, 'big-dir')]);
    console.log(`ls of ${BIG_DIR_ENTRIES} entries: first line after ${ls.firstMs} ms, done after ${ls.totalMs} ms`);
    assert.equal(ls.code, 0, ls.stderr);
    assert.equal(ls.lines, BIG_DIR_ENTRIES);
    // Paged: many bounded requests to the worker, never one answer with every entry.
    assert.ok((await pages()) - pagesBefore >= BIG_DIR_ENTRIES / 10_000, `ls made ${(await pages()) - pagesBefore} page requests`);
    const py = await sh('python3', ['-c', `import os; print(sum(1 for _ in os.scandir(${JSON.stringify(join(mnt, 'big-dir'))})))`]);
    assert.equal(Number(py.stdout.trim()), BIG_DIR_ENTRIES);
  });

  test('ls -R learns entry types from readdir: no getattr per file', async () => {
    for (let d = 0; d < 10; d++) {
      mkdirSync(join(ufs, 'tree', `d${d}`), { recursive: true });
      for (let f = 0; f < 50; f++) closeSync(openSync(join(ufs, 'tree', `d${d}`, `f${f}`), 'w'));
    }
    const getattrs = () => scrapeMetric(fuse.metricsUrl, 'alluxio_fuse_call_latency_seconds_count', { op: 'getattr' });
    const before = await getattrs();
    const r = await sh('ls', ['-R', join(mnt, 'tree')]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.split('\n').filter((l) => /^f\d+$/.test(l)).length, 500);
    // The tree and its 10 directories are looked up; without entry types ls would stat all 500 files.
    const calls = (await getattrs()) - before;
    assert.ok(calls < 50, `ls -R made ${calls} getattr calls for 500 files`);
  });

  test('the mount\'s kernel read-ahead is alluxio.fuse.kernel.read.ahead.size (4MB), not the kernel\'s 128 KB', async () => {
    const m = await mountAt(mnt);
    assert.ok(m, 'mounted');
    // Root sets it (the tests run as root); otherwise the mount warns and keeps the default.
    assert.equal(readFileSync(`/sys/class/bdi/${m.device}/read_ahead_kb`, 'utf8').trim(), '4096');
  });

  test('metrics on the FUSE web port: call latency by operation, bytes, errors', async () => {
    assert.ok(await scrapeMetric(fuse.metricsUrl, 'alluxio_fuse_call_latency_seconds_count', { op: 'read' }) > 0);
    assert.ok(await scrapeMetric(fuse.metricsUrl, 'alluxio_fuse_call_latency_seconds_count', { op: 'getattr' }) > 0);
    assert.ok(await scrapeMetric(fuse.metricsUrl, 'alluxio_fuse_bytes_total', { op: 'read' }) > 0);
    assert.ok(await scrapeMetric(fuse.metricsUrl, 'alluxio_fuse_bytes_total', { op: 'write' }) > 0);
    assert.ok(await scrapeMetric(fuse.metricsUrl, 'alluxio_fuse_errors_total', { op: 'write', errno: 'ENOTSUP' }) > 0);
  });

  test(`dd of the ${BIG_FILE >> 20} MiB file reads every byte right`, async () => {
    const t0 = Date.now();
    const r = await bash(`set -o pipefail; dd if=${join(mnt, 'big.bin')} bs=1M | sha256sum`, 600_000);
    const s = (Date.now() - t0) / 1000;
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, new RegExp(`^${BIG_FILE} bytes`, 'm'));
    assert.equal(r.stdout.split(' ')[0], bigSum);
    console.log(`dd of ${BIG_FILE >> 20} MiB through the mount: ${s.toFixed(1)} s, ${((BIG_FILE >> 20) / s).toFixed(0)} MiB/s (first read: the workers fill their caches)`);
  });

  test(`a worker kill -9ed during a sha256sum of a ${BIG_FILE >> 20} MiB file: the read completes with the right sum`, async () => {
    const owner = client.owners('/big.bin', 1)[0]!;
    const victim = workers.find((w) => w.ports.http === owner.address.HttpServerPort)!;
    const before = await scrapeMetric(fuse.metricsUrl, 'alluxio_fuse_bytes_total', { op: 'read' });
    // The dd test left the file in the kernel's page cache (kernel_cache): drop it, so the mount serves this read.
    const drop = await sh('dd', [`if=${join(mnt, 'big.bin')}`, 'iflag=nocache', 'count=0']);
    assert.equal(drop.code, 0, drop.stderr);
    const sum = sh('sha256sum', [join(mnt, 'big.bin')], { timeoutMs: 600_000 });
    await waitFor('the read under way', async () => (await scrapeMetric(fuse.metricsUrl, 'alluxio_fuse_bytes_total', { op: 'read' })) - before > 16 << 20, 60_000, 10);
    await victim.kill('SIGKILL');
    const r = await sum;
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.split(' ')[0], bigSum);
    await victim.start();
  });

  test('the FUSE process kill -9ed: the stale mount answers ENOTCONN, the next mount on the same point cleans it and serves', async () => {
    await fuse.stop('SIGKILL');
    const stale = await sh('stat', [mnt]);
    assert.match(stale.stderr, /Transport endpoint is not connected/);
    fuse = await FuseProcess.start(mnt, cc.env);
    const r = await bash(`set -o pipefail; cat ${join(mnt, 'small/f0004.bin')} | sha256sum`);
    assert.equal(r.code, 0, `cat after the remount failed: ${r.stderr}\nFUSE log: ${fuse.logs().slice(-3000)}`);
    assert.equal(r.stdout.split(' ')[0], sums.get('small/f0004.bin'));
    assert.match(fuse.logs(), /cleaned a stale mount/);
  });

  test('SIGTERM unmounts cleanly and exits 0; fuse stat and fuse unmount', async () => {
    const stat = await runCli(['fuse', 'stat'], cc.env);
    assert.match(stat.stdout, new RegExp(`${mnt}\\s+fuse\\.alluxio-fuse\\s+ok`));
    assert.equal(await fuse.stop('SIGTERM'), 0);
    assert.equal(await mountAt(mnt), undefined);
    // unmount from outside (a preStop hook): the process notices and exits 0.
    fuse = await FuseProcess.start(mnt, cc.env);
    const u = await runCli(['fuse', 'unmount', mnt], cc.env);
    assert.equal(u.code, 0, u.stderr);
    await waitFor('the FUSE process exits after the unmount', () => fuse.proc?.exitCode === 0 || undefined, 30_000);
  });

  test('every call has a deadline: with every worker hung (SIGSTOP), stat fails with ETIMEDOUT instead of hanging', async () => {
    fuse = await FuseProcess.start(mnt, cc.env, ['alluxio.fuse.call.timeout=3s']);
    for (const w of workers) w.proc!.kill('SIGSTOP');
    try {
      const started = Date.now();
      const r = await sh('stat', [join(mnt, 'small', 'f0010.bin')], { timeoutMs: 60_000 });
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /Connection timed out/, r.stderr);
      console.log(`stat on a hung cluster answered ETIMEDOUT after ${Date.now() - started} ms`);
    } finally {
      for (const w of workers) w.proc?.kill('SIGCONT');
    }
    // Resumed workers may still time out the first calls: wait until cat itself succeeds (pipefail:
    // a failed cat must not pass as the sum of empty input), then compare the bytes.
    const r = await waitFor('cat succeeds once the workers answer', async () => {
      const t = await bash(`set -o pipefail; cat ${join(mnt, 'small/f0010.bin')} | sha256sum`);
      return t.code === 0 ? t : undefined;
    }, 60_000);
    assert.equal(r.stdout.split(' ')[0], sums.get('small/f0010.bin'), 'the mount serves again once the workers answer');
    assert.equal(await fuse.stop('SIGTERM'), 0);
  });
});

/** Writes `size` bytes: one random 1 MiB block, each copy stamped with its index; returns the SHA-256. */
function writeBigFile(path: string, size: number): string {
  const block = randomBytes(1 << 20);
  const h = createHash('sha256');
  const fd = openSync(path, 'w');
  try {
    for (let i = 0; i * block.length < size; i++) {
      block.writeUInt32BE(i, 0);
      const part = block.subarray(0, Math.min(block.length, size - i * block.length));
      writeSync(fd, part);
      h.update(part);
    }
  } finally {
    closeSync(fd);
  }
  return h.digest('hex');
}

/** Runs a command, counting its output lines and timing its first output and its exit. */
function firstAndLast(cmd: string, args: string[]): Promise<{ code: number | null; lines: number; firstMs: number; totalMs: number; stderr: string }> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let firstMs = -1;
    let lines = 0;
    let stderr = '';
    const timer = setTimeout(() => p.kill('SIGKILL'), 300_000);
    p.stdout.on('data', (d: Buffer) => {
      if (firstMs < 0) firstMs = Date.now() - t0;
      for (const b of d) if (b === 10) lines++;
    });
    p.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    p.once('error', reject);
    p.once('close', (code) => { clearTimeout(timer); resolve({ code, lines, firstMs, totalMs: Date.now() - t0, stderr }); });
  });
}

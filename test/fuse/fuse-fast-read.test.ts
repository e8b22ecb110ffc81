// Reads answered on libfuse's thread (the binding fork, native/fuse/fast-read.c): a real
// `alluxio fuse mount -f` next to a real worker whose page store it reads, so a read of checked
// pages never reaches node's thread. /api/v1/info's fastReads counts those reads. A second mount
// with alluxio.fuse.direct.page.read.enabled=false answers every read in JS. Reads go through
// python3 with the kernel's caching out of the way (page-files.ts OPEN), so each is a FUSE read.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdirSync, readlinkSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { scrapeMetric } from '../support/cli.js';
import { startEtcd, waitFor, type EtcdCluster } from '../support/etcd.js';
import { makeTempDir, type TempDir } from '../support/tmp.js';
import { startWorkerProcesses, writeEtcdConf, type WorkerProcess } from '../cluster/harness.js';
import { forceUnmount, FuseProcess, sh } from './fuse-harness.js';
import { fastReads, killPythons, OPEN, python, sidecars } from './page-files.js';

const PS = 64 * 1024; // the harness's page size

/** Descriptors of process `pid` open on files in directory `dir`. */
function fdsInto(pid: number, dir: string): number {
  let n = 0;
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      if (dirname(readlinkSync(`/proc/${pid}/fd/${fd}`)) === dir) n++;
    } catch { /* closed meanwhile */ }
  }
  return n;
}

/** Python: `count` reads of random sizes at random offsets (page edges and the end included), each checked against the UFS file. */
function randomReads(mounted: string, ufsFile: string, size: number, count: number): string {
  return `import random
want = open(${JSON.stringify(ufsFile)}, 'rb').read()
${OPEN(mounted)}
rng = random.Random(7)
bad = []
for _ in range(${count}):
    n = rng.choice([1, 4096, 4096, 4096, 65536, 65537, 131072])
    off = max(0, rng.choice([rng.randrange(${size}), rng.randrange(${Math.ceil(size / PS) + 1}) * ${PS} - 3, ${size} - 10]))
    os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    got = os.pread(fd, n, off)
    if got != want[off:off + n]: bad.append((off, n, len(got)))
print('bad', len(bad), bad[:5])
`;
}

describe('FUSE reads answered in the binding (fast reads)', { timeout: 600_000 }, () => {
  let tmp: TempDir;
  let etcd: EtcdCluster;
  let workers: WorkerProcess[] = [];
  let fuse: FuseProcess;
  let plain: FuseProcess;
  let ufs: string;
  let mnt: string;
  let mntPlain: string;
  let pages: string;

  async function warm(name: string, size: number): Promise<string> {
    const r = await sh('cat', [join(mnt, name)]);
    assert.equal(r.code, 0, r.stderr);
    const want = Math.ceil(size / PS);
    let dir = '';
    await waitFor(`sidecar of ${name} lists ${want} pages`, () => {
      const s = sidecars(pages).find((x) => x.ufsUri.endsWith(`/${name}`) && Object.keys(x.checksums).length === want);
      dir = s ? dirname(s.path) : '';
      return s !== undefined;
    }, 60_000);
    return dir;
  }

  before(async () => {
    tmp = await makeTempDir('alluxio-fuse-fast-');
    ufs = join(tmp.path, 'ufs');
    mnt = join(tmp.path, 'mnt');
    mntPlain = join(tmp.path, 'mnt-plain');
    pages = join(tmp.path, 'worker-0', 'pagestore');
    await sh('mkdir', ['-p', ufs]);
    etcd = await startEtcd();
    const cc = writeEtcdConf(tmp.path, etcd.endpoints, {
      'alluxio.master.mount.table.root.ufs': ufs,
      'alluxio.user.metadata.cache.expiration.time': '1s',
    });
    workers = await startWorkerProcesses(cc, tmp.path, 1);
    fuse = await FuseProcess.start(mnt, cc.env, [`alluxio.worker.page.store.dirs=${pages}`]);
    plain = await FuseProcess.start(mntPlain, cc.env, [`alluxio.worker.page.store.dirs=${pages}`, 'alluxio.fuse.direct.page.read.enabled=false']);
  });

  after(async () => {
    killPythons();
    await fuse?.stop('SIGTERM').catch(() => {});
    await plain?.stop('SIGTERM').catch(() => {});
    if (mnt) await forceUnmount(mnt);
    if (mntPlain) await forceUnmount(mntPlain);
    await Promise.all(workers.map((w) => w.kill('SIGKILL')));
    await etcd?.cleanup();
    await tmp?.cleanup();
  });

  test('random reads of a cached file are byte-exact and answered in the binding; with direct page reads off, none is', async () => {
    const size = 12 * PS + 777;
    writeFileSync(join(ufs, 'random.bin'), randomBytes(size));
    await warm('random.bin', size);
    const before = (await fastReads(fuse.webPort))!;
    const directBefore = await scrapeMetric(fuse.metricsUrl, 'alluxio_fuse_direct_read_bytes_total');
    const callsBefore = await scrapeMetric(fuse.metricsUrl, 'alluxio_fuse_call_latency_seconds_count', { op: 'read' });
    const py = python(randomReads(join(mnt, 'random.bin'), join(ufs, 'random.bin'), size, 500));
    assert.equal(await py.exited, 0, py.out());
    assert.equal(py.out().trim(), 'bad 0 []');
    const after = (await fastReads(fuse.webPort))!;
    // The first read of each page goes to JS (which checks it and registers it); the rest do not.
    assert.ok(after.reads - before.reads >= 250, `reads answered in the binding: ${after.reads - before.reads} of 500`);
    // Those reads are in the FUSE metrics too (added at each scrape).
    const direct = (await scrapeMetric(fuse.metricsUrl, 'alluxio_fuse_direct_read_bytes_total')) - directBefore;
    assert.ok(direct >= after.bytes - before.bytes, `direct bytes ${direct} count the binding's ${after.bytes - before.bytes}`);
    const calls = (await scrapeMetric(fuse.metricsUrl, 'alluxio_fuse_call_latency_seconds_count', { op: 'read' })) - callsBefore;
    assert.ok(calls >= after.reads - before.reads, `the binding's reads are counted FUSE read calls (${calls} calls, ${after.reads - before.reads} in the binding)`);

    const off = python(randomReads(join(mntPlain, 'random.bin'), join(ufs, 'random.bin'), size, 200));
    assert.equal(await off.exited, 0, off.out());
    assert.equal(off.out().trim(), 'bad 0 []');
    assert.deepEqual(await fastReads(plain.webPort), { reads: 0, bytes: 0, descriptors: 0 });
  });

  test('a page file replaced on disk by a corrupt one after it was registered: the reads stay right', async () => {
    const size = 6 * PS;
    const data = randomBytes(size);
    writeFileSync(join(ufs, 'swap.bin'), data);
    const dir = await warm('swap.bin', size);
    const readAll = `out = b''
while len(out) < ${size}:
    os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    b = os.pread(fd, 4096, len(out))
    if not b: break
    out += b
`;
    const py = python(`${OPEN(join(mnt, 'swap.bin'))}${readAll}sys.stdout.write('ready\\n'); sys.stdout.flush()
sys.stdin.readline()
${readAll}print('same' if out == open(${JSON.stringify(join(ufs, 'swap.bin'))}, 'rb').read() else 'DIFFERENT')
`);
    await waitFor('python read the file once', () => py.out().includes('ready'), 30_000);
    const before = (await fastReads(fuse.webPort))!;
    // Same length, wrong bytes, put in place by rename (the way page files change).
    for (const p of [2, 3]) {
      const bad = Buffer.from(data.subarray(p * PS, (p + 1) * PS));
      bad[100] ^= 0xff;
      writeFileSync(join(dir, `.bad-${p}`), bad);
      renameSync(join(dir, `.bad-${p}`), join(dir, String(p)));
    }
    py.stdin.end('go\n');
    assert.equal(await py.exited, 0, py.out());
    assert.match(py.out(), /ready\nsame/);
    const after = (await fastReads(fuse.webPort))!;
    assert.ok(after.reads - before.reads >= size / 4096 / 2, `the second pass was answered in the binding (${after.reads - before.reads} reads)`);
  });

  test('a file replaced in the UFS under an open handle, its page files replaced by the worker: the binding keeps serving the old bytes, never a mix', async () => {
    const size = 16 * PS;
    writeFileSync(join(ufs, 'replaced.bin'), Buffer.alloc(size, 0x41));
    await warm('replaced.bin', size);
    const v1 = sidecars(pages).find((s) => s.ufsUri.endsWith('/replaced.bin'))!.version;
    const readAll = `out = b''
while len(out) < ${size}:
    os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    b = os.pread(fd, 65536, len(out))
    if not b: break
    out += b
`;
    // Read whole twice: the first pass checks and registers every page, the second is the binding's.
    const py = python(`${OPEN(join(mnt, 'replaced.bin'))}${readAll}${readAll}sys.stdout.write('opened\\n'); sys.stdout.flush()
sys.stdin.readline()
try:
${readAll.trimEnd().replace(/^/gm, '    ')}
    print('read', len(out), 'A' if out == b'A' * len(out) else ('B' if out == b'B' * len(out) else 'MIX'))
except OSError as e:
    print('error', e.errno)
`);
    await waitFor('python read the file', () => py.out().includes('opened'), 30_000);
    writeFileSync(join(ufs, '.replaced.tmp'), Buffer.alloc(size, 0x42));
    renameSync(join(ufs, '.replaced.tmp'), join(ufs, 'replaced.bin'));
    // The worker caches the new version, read through the other mount (this one's open handle stays on v1).
    await waitFor('the worker cached the new version', async () => {
      await python(`${OPEN(join(mntPlain, 'replaced.bin'))}\nwhile os.read(fd, 1 << 20): pass\n`).exited;
      const s = sidecars(pages).find((x) => x.ufsUri.endsWith('/replaced.bin'));
      return s !== undefined && s.version !== v1 && Object.keys(s.checksums).length === 16;
    }, 60_000, 500);
    const before = (await fastReads(fuse.webPort))!;
    py.stdin.end('go\n');
    await py.exited;
    // Every page of v1 is registered and this mount never saw v2: the old bytes, all from the binding's dups.
    assert.match(py.out(), /opened\nread 1048576 A\n/, py.out());
    const after = (await fastReads(fuse.webPort))!;
    assert.ok(after.reads - before.reads >= 8, `the old bytes came from the binding (${after.reads - before.reads} reads)`);
  });

  test('the binding closes its descriptors of a file when its last handle is released', async () => {
    const size = 4 * PS;
    writeFileSync(join(ufs, 'fds.bin'), randomBytes(size));
    const dir = await warm('fds.bin', size);
    const py = python(`${OPEN(join(mnt, 'fds.bin'))}
for _ in range(2):
    os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    off = 0
    while os.pread(fd, 4096, off): off += 4096
sys.stdout.write('ready\\n'); sys.stdout.flush()
sys.stdin.readline()
os.close(fd)
`);
    await waitFor('python read the file twice', () => py.out().includes('ready'), 30_000);
    // One descriptor per page is JS's (checked, kept for the next open), one the binding's dup of it.
    assert.equal(fdsInto(fuse.pid, dir), 8, 'JS and the binding each hold one descriptor per page');
    assert.ok((await fastReads(fuse.webPort))!.descriptors >= 4);
    py.stdin.end('go\n');
    assert.equal(await py.exited, 0, py.out());
    await waitFor('the binding closed its dups', () => fdsInto(fuse.pid, dir) === 4, 30_000, 100);
    assert.equal((await fastReads(fuse.webPort))!.descriptors, 0, 'no other file is open');
  });
});

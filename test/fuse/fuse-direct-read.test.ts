// Direct page reads (alluxio.fuse.direct.page.read.enabled): a real `alluxio fuse mount -f` whose
// configuration names the page store directory of the worker process on the same host, so cached
// pages are read from the page files instead of through the worker. Reads go through python3 with
// the kernel's read-ahead off (POSIX_FADV_RANDOM) and its cached pages dropped (POSIX_FADV_DONTNEED),
// so every byte asked for is a FUSE read.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scrapeMetric } from '../support/cli.js';
import { startEtcd, waitFor, type EtcdCluster } from '../support/etcd.js';
import { makeTempDir, type TempDir } from '../support/tmp.js';
import { startWorkerProcesses, writeEtcdConf, type EtcdClusterConf, type WorkerProcess } from '../cluster/harness.js';
import { forceUnmount, FuseProcess, sh } from './fuse-harness.js';
import { fastReads, killPythons, OPEN, python, sidecars } from './page-files.js';

const PS = 64 * 1024; // the harness's page size
const DIRECT = 'alluxio_fuse_direct_read_bytes_total';

describe('FUSE direct page reads', { timeout: 600_000 }, () => {
  let tmp: TempDir;
  let etcd: EtcdCluster;
  let cc: EtcdClusterConf;
  let workers: WorkerProcess[] = [];
  let fuse: FuseProcess;
  let ufs: string;
  let mnt: string;
  let pages: string;

  /** Reads the file through the mount once (the worker caches it) and waits for its sidecar to list every page. */
  async function warm(name: string, size: number): Promise<void> {
    const r = await sh('cat', [join(mnt, name)]);
    assert.equal(r.code, 0, r.stderr);
    const want = Math.ceil(size / PS);
    await waitFor(`sidecar of ${name} lists ${want} pages`, () => sidecars(pages).some((s) => s.ufsUri.endsWith(`/${name}`) && Object.keys(s.checksums).length === want), 60_000);
  }

  before(async () => {
    tmp = await makeTempDir('alluxio-fuse-direct-');
    ufs = join(tmp.path, 'ufs');
    mnt = join(tmp.path, 'mnt');
    pages = join(tmp.path, 'worker-0', 'pagestore');
    await sh('mkdir', ['-p', ufs]);
    etcd = await startEtcd();
    cc = writeEtcdConf(tmp.path, etcd.endpoints, {
      'alluxio.master.mount.table.root.ufs': ufs,
      'alluxio.user.metadata.cache.expiration.time': '1s',
    });
    workers = await startWorkerProcesses(cc, tmp.path, 1);
    // The FUSE process learns the worker's page store directory from its configuration.
    fuse = await FuseProcess.start(mnt, cc.env, [`alluxio.worker.page.store.dirs=${pages}`]);
  });

  after(async () => {
    killPythons();
    await fuse?.stop('SIGTERM').catch(() => {});
    if (mnt) await forceUnmount(mnt);
    await Promise.all(workers.map((w) => w.kill('SIGKILL')));
    await etcd?.cleanup();
    await tmp?.cleanup();
  });

  test('cached pages are read from the page files, and ranges across page edges and the short last page are exact', async () => {
    const size = 5 * PS + 1000;
    const data = randomBytes(size);
    writeFileSync(join(ufs, 'edges.bin'), data);
    await warm('edges.bin', size);
    const before = await scrapeMetric(fuse.metricsUrl, DIRECT);
    const ranges: Array<[number, number]> = [[PS - 1, 2], [2 * PS - 1, PS + 2], [5 * PS, 1000], [5 * PS + 999, 1], [100, 200_000], [3 * PS, PS]];
    const py = python(`${OPEN(join(mnt, 'edges.bin'))}
os.pread(fd, 1, 0)  # the first read pins the version (through the worker)
for off, n in ${JSON.stringify(ranges)}:
    sys.stdout.write(os.pread(fd, n, off).hex() + '\\n')
`);
    assert.equal(await py.exited, 0, py.out());
    const got = py.out().trim().split('\n');
    ranges.forEach(([off, n], i) => assert.equal(got[i], data.subarray(off, Math.min(off + n, size)).toString('hex'), `bytes at ${off} (+${n})`));
    const direct = (await scrapeMetric(fuse.metricsUrl, DIRECT)) - before;
    assert.ok(direct >= 1000, `the reads after the first came from the page files (${direct} bytes direct)`);
  });

  test('small random reads (answered synchronously from checked descriptors) are byte-exact, from one reader and from 8 at once', async () => {
    const size = 8 * PS + 4321;
    const data = randomBytes(size);
    writeFileSync(join(ufs, 'random.bin'), data);
    await warm('random.bin', size);
    const before = await scrapeMetric(fuse.metricsUrl, DIRECT);
    // Sizes up to 64 KiB (the synchronous path) and past it, at random offsets (page edges and EOF included).
    const py = python(`import random, threading
want = open(${JSON.stringify(join(ufs, 'random.bin'))}, 'rb').read()
bad = []
def reader(seed, n):
    fd = os.open(${JSON.stringify(join(mnt, 'random.bin'))}, os.O_RDONLY)
    os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_RANDOM)
    os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    os.pread(fd, 1, 0)
    rng = random.Random(seed)
    for _ in range(n):
        size = rng.choice([1, 4096, 4096, 4096, 65536, 65537, 131072])
        off = rng.choice([rng.randrange(${size}), rng.randrange(9) * ${PS} - 3, ${size} - 10])
        off = max(0, off)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)  # every read a FUSE read
        got = os.pread(fd, size, off)
        if got != want[off:off + size]: bad.append((seed, off, size, len(got)))
    os.close(fd)
reader(0, 400)
ts = [threading.Thread(target=reader, args=(s, 200)) for s in range(1, 9)]
for t in ts: t.start()
for t in ts: t.join()
print('bad', len(bad), bad[:5])
`);
    assert.equal(await py.exited, 0, py.out());
    assert.equal(py.out().trim(), 'bad 0 []');
    const direct = (await scrapeMetric(fuse.metricsUrl, DIRECT)) - before;
    assert.ok(direct >= 400 * 4096, `the reads came from the page files (${direct} bytes direct)`);
  });

  test('a page evicted behind the mount\'s back is fetched again; a corrupt page file is never served', async () => {
    const size = 6 * PS;
    const data = randomBytes(size);
    writeFileSync(join(ufs, 'evict.bin'), data);
    await warm('evict.bin', size);
    const meta = sidecars(pages).find((s) => s.ufsUri.endsWith('/evict.bin'))!;
    const fileDir = meta.path.slice(0, -'/.meta'.length);
    await sh('rm', ['-f', join(fileDir, '2')]); // evicted (as an eviction would: unlinked)
    const corrupt = Buffer.from(data.subarray(3 * PS, 4 * PS));
    corrupt[777] ^= 0xff; // same length, wrong bytes: only the checksum tells
    writeFileSync(join(fileDir, '3'), corrupt);
    const py = python(`${OPEN(join(mnt, 'evict.bin'))}
out = b''
while len(out) < ${size}:
    b = os.pread(fd, 100000, len(out))
    if not b: break
    out += b
sys.stdout.write(out.hex())
`);
    assert.equal(await py.exited, 0, py.out());
    assert.equal(py.out(), data.toString('hex'), 'every byte right: the missing page re-fetched, the corrupt one not served');
  });

  test('a file replaced in the UFS under an open handle: the old bytes or EIO, never a mix, with pages of the new version on disk', async () => {
    const size = 16 * PS;
    writeFileSync(join(ufs, 'replaced.bin'), Buffer.alloc(size, 0x41));
    await warm('replaced.bin', size);
    const v1 = sidecars(pages).find((s) => s.ufsUri.endsWith('/replaced.bin'))!.version;
    const fastBefore = (await fastReads(fuse.webPort))!;
    const py = python(`${OPEN(join(mnt, 'replaced.bin'))}
head = os.pread(fd, 1, 0) + os.pread(fd, 4 * ${PS} - 1, 1)  # pins the version, then pages 0-3 (page files)
os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
if os.pread(fd, 4 * ${PS}, 0) != head: print('MIX in the head')  # again: answered by the binding (pages checked above)
sys.stdout.write('opened\\n'); sys.stdout.flush()
sys.stdin.readline()
os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
try:
    rest = b''
    while len(head) + len(rest) < ${size}:
        b = os.pread(fd, 100000, len(head) + len(rest))
        if not b: break
        rest += b
    data = head + rest
    print('read', len(data), 'A' if data == b'A' * len(data) else ('B' if data == b'B' * len(data) else 'MIX'))
except OSError as e:
    print('error', e.errno)
`);
    await waitFor('python read the first pages', () => py.out().includes('opened'), 30_000);
    assert.ok((await fastReads(fuse.webPort))!.reads > fastBefore.reads, 'the head was read again through the binding\'s fast path');
    // A new version, renamed over the old one, and read through the mount: the worker replaces the
    // page files of the old version with the new one's.
    writeFileSync(join(ufs, '.replaced.tmp'), Buffer.alloc(size, 0x42));
    renameSync(join(ufs, '.replaced.tmp'), join(ufs, 'replaced.bin'));
    await waitFor('the worker cached the new version', async () => {
      // Not cat: with kernel_cache the kernel may answer it from the pages it kept of the old version.
      await python(`${OPEN(join(mnt, 'replaced.bin'))}\nwhile os.read(fd, 1 << 20): pass\n`).exited;
      const s = sidecars(pages).find((x) => x.ufsUri.endsWith('/replaced.bin'));
      return s !== undefined && s.version !== v1 && Object.keys(s.checksums).length === 16;
    }, 60_000, 500);
    py.stdin.end('go\n');
    await py.exited;
    assert.match(py.out(), /read 1048576 A|error (5|116)/, py.out());
    assert.doesNotMatch(py.out(), /MIX/);
  });
});

// Probes of the reads answered on libfuse's thread (native/fuse/fast-read.c) against the worker and
// the process around them: the worker evicting the very pages the binding holds dups of (a tiny
// page store), and the mount going away (SIGTERM, fusermount -u) while the binding's preads run.
// A real `alluxio fuse mount -f` next to a real worker whose page store it reads (as in
// fuse-fast-read.test.ts); python3 readers keep the kernel's caching out of the way (page-files.ts OPEN).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { startEtcd, waitFor, type EtcdCluster } from '../support/etcd.js';
import { makeTempDir, type TempDir } from '../support/tmp.js';
import { startWorkerProcesses, writeEtcdConf, type EtcdClusterConf, type WorkerProcess } from '../cluster/harness.js';
import { forceUnmount, FuseProcess, sh } from './fuse-harness.js';
import { fastReads, killPythons, OPEN, python, sidecars } from './page-files.js';

const PS = 64 * 1024; // the harness's page size

/** Descriptors of process `pid` open on deleted files in directory `dir`. */
function deletedFdsInto(pid: number, dir: string): number {
  let n = 0;
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const l = readlinkSync(`/proc/${pid}/fd/${fd}`);
      if (l.endsWith(' (deleted)') && dirname(l) === dir) n++;
    } catch { /* closed meanwhile */ }
  }
  return n;
}

/** Python: reads `fd` whole in preads of 65541 bytes (each spans a page edge), `passes` times, comparing with `ufsFile`. */
function readWhole(size: number, ufsFile: string, passes: number): string {
  return `want = open(${JSON.stringify(ufsFile)}, 'rb').read()
for _ in range(${passes}):
    out = b''
    while len(out) < ${size}:
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        b = os.pread(fd, 65541, len(out))
        if not b: break
        out += b
    print('same' if out == want else 'DIFFERENT'); sys.stdout.flush()
`;
}

describe('FUSE fast reads against eviction and the mount going away', { timeout: 600_000 }, () => {
  let tmp: TempDir;
  let etcd: EtcdCluster;
  let workers: WorkerProcess[] = [];
  let cc: EtcdClusterConf;
  let fuse: FuseProcess;
  let ufs: string;
  let mnt: string;
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

  let fillers = 0;
  /** Reads a new 12-page file through the mount (a file read before may be read without the worker). */
  async function fill(): Promise<void> {
    const name = `filler-${fillers++}.bin`;
    writeFileSync(join(ufs, name), randomBytes(12 * PS));
    assert.equal((await sh('cat', [join(mnt, name)])).code, 0);
  }

  before(async () => {
    tmp = await makeTempDir('alluxio-fuse-churn-');
    ufs = join(tmp.path, 'ufs');
    mnt = join(tmp.path, 'mnt');
    pages = join(tmp.path, 'worker-0', 'pagestore');
    await sh('mkdir', ['-p', ufs]);
    etcd = await startEtcd();
    cc = writeEtcdConf(tmp.path, etcd.endpoints, {
      'alluxio.master.mount.table.root.ufs': ufs,
      'alluxio.user.metadata.cache.expiration.time': '1s',
      // 16 pages: reading other files evicts the pages the binding holds dups of.
      'alluxio.worker.page.store.sizes': '1MB',
    });
    workers = await startWorkerProcesses(cc, tmp.path, 1);
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

  test('the worker evicts the pages the binding holds: the open handle still reads the right bytes from the binding; after close the binding holds none of the deleted files', async () => {
    const size = 6 * PS;
    writeFileSync(join(ufs, 'held.bin'), randomBytes(size));
    const dir = await warm('held.bin', size);
    const py = python(`${OPEN(join(mnt, 'held.bin'))}${readWhole(size, join(ufs, 'held.bin'), 2)}sys.stdin.readline()
${readWhole(size, join(ufs, 'held.bin'), 1)}sys.stdin.readline()
os.close(fd)
`);
    await waitFor('the handle read the file twice', () => py.out().split('\n').length >= 3, 30_000);
    assert.equal(py.out(), 'same\nsame\n');
    // Other files through the mount fill the 16-page store: held.bin's pages are evicted (unlinked).
    // New files each round: pages the mount holds checked descriptors of are read without the worker.
    await waitFor('held.bin\'s 6 page files are deleted but open twice each (JS\'s descriptor and the binding\'s dup)', async () => {
      await fill();
      return deletedFdsInto(fuse.pid, dir) === 12;
    }, 90_000, 200);
    const before = (await fastReads(fuse.webPort))!;
    py.stdin.write('go\n');
    await waitFor('the handle read the file again', () => py.out().split('\n').length >= 4, 30_000);
    assert.equal(py.out(), 'same\nsame\nsame\n', 'the evicted pages of the version still read right');
    const after = (await fastReads(fuse.webPort))!;
    // Every read of the pass (6 of 65541 bytes, or more if the kernel splits them) found its pages registered.
    assert.ok(after.reads - before.reads >= Math.ceil(size / 65541), `the pass after eviction was the binding's (${after.reads - before.reads} reads)`);
    py.stdin.end('go\n');
    assert.equal(await py.exited, 0, py.out());
    await waitFor('the binding closed its dups of the evicted pages', async () => (await fastReads(fuse.webPort))!.descriptors === 0 && deletedFdsInto(fuse.pid, dir) === 6, 30_000, 100);
  });

  // DEFECT (src/client/direct-pages.ts, outside the binding): DirectPages keeps a checked descriptor
  // of every page it read (up to MAX_CHECKED_FDS = 1024, "for the next open") after the last handle
  // of the file is closed, and nothing drops one whose page file the worker evicted (unlinked), so
  // the FUSE process pins the disk space of up to 1024 evicted pages (1 GiB at the default 1 MiB
  // pages) that the worker's quota already counts as free, until LRU pushes them out. The binding's
  // own dups are closed (the test above); JS's stay. Unskip when DirectPages drops descriptors of
  // unlinked page files (e.g. fstat nlink === 0 when a file's last handle closes).
  test.skip('after the handles close, the FUSE process holds no deleted page file of the evicted pages', async () => {
    const size = 4 * PS;
    writeFileSync(join(ufs, 'gone.bin'), randomBytes(size));
    const dir = await warm('gone.bin', size);
    const py = python(`${OPEN(join(mnt, 'gone.bin'))}${readWhole(size, join(ufs, 'gone.bin'), 2)}os.close(fd)
`);
    assert.equal(await py.exited, 0, py.out());
    await waitFor('gone.bin\'s page files are evicted', async () => {
      await fill();
      return !existsSync(dir) || readdirSync(dir).every((f) => !/^\d+$/.test(f));
    }, 90_000, 500);
    await waitFor('no deleted page file of gone.bin is open in the FUSE process', () => deletedFdsInto(fuse.pid, dir) === 0, 30_000, 200);
  });

  for (const how of ['SIGTERM', 'fusermount -u -z'] as const) {
    test(`${how} while the binding's preads run: the process exits by itself with 0, and the next mount serves right bytes`, async () => {
      const size = 8 * PS;
      const name = `busy-${how.split(' ')[0]}.bin`;
      writeFileSync(join(ufs, name), randomBytes(size));
      await warm(name, size);
      // Readers loop until the mount fails them (ENOTCONN and the like): each read is checked.
      const loops = Array.from({ length: 4 }, (_, i) => python(`import random
want = open(${JSON.stringify(join(ufs, name))}, 'rb').read()
${OPEN(join(mnt, name))}rng = random.Random(${i})
bad = 0
print('reading'); sys.stdout.flush()
try:
    while True:
        off = rng.randrange(${size}); n = rng.choice([1, 4096, 65537])
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        got = os.pread(fd, n, off)
        # Wrong bytes are bad; a read the going-away cuts short (the kernel split it and its second
        # part failed: a 65537-byte read answers 65536) is a right prefix, as POSIX allows. Exact
        # lengths are checked in fuse-fast-read-probe.test.ts, where nothing goes away.
        if got != want[off:off + len(got)]: bad += 1
except OSError as e:
    print('ended', e.errno, 'bad', bad)
`));
      await waitFor('every reader has the file open', () => loops.every((l) => l.out().startsWith('reading\n')), 30_000, 100);
      const start = (await fastReads(fuse.webPort))!.reads;
      await waitFor('the binding answers the readers', async () => (await fastReads(fuse.webPort))!.reads - start >= 200, 60_000, 100);
      const proc = fuse.proc!;
      const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
      if (how === 'SIGTERM') proc.kill('SIGTERM');
      else assert.equal((await sh('fusermount', ['-u', '-z', mnt])).code, 0);
      // Generous: the process must exit by itself (a hang fails here, a crash exits non-zero).
      const code = await Promise.race([exited, new Promise<string>((r) => setTimeout(() => r('still running after 60 s'), 60_000))]);
      if (typeof code === 'string') proc.kill('SIGKILL');
      assert.equal(code, 0, `${how}: ${fuse.logs().slice(-2000)}`);
      for (const l of loops) assert.equal(await l.exited, 0, l.out());
      for (const l of loops) assert.match(l.out(), /^reading\nended \d+ bad 0\n$/, l.out());
      await forceUnmount(mnt);
      fuse = await FuseProcess.start(mnt, cc.env, [`alluxio.worker.page.store.dirs=${pages}`]);
      const py = python(`${OPEN(join(mnt, name))}${readWhole(size, join(ufs, name), 2)}`);
      assert.equal(await py.exited, 0, py.out());
      assert.equal(py.out(), 'same\nsame\n');
      assert.ok((await fastReads(fuse.webPort))!.reads > 0, 'the new mount answers in the binding');
    });
  }
});

// Probes of the reads answered on libfuse's thread (native/fuse/fast-read.c, src/fuse/fast-reads.ts)
// that try to make the mount return wrong bytes: many processes reading at once while others open
// and close the same files (so the binding's entries are made and freed and handles bound and
// released while its preads run), files replaced in the UFS under open handles, more checked pages
// than the binding's bound, and the small-file edges. Every byte read is compared with the UFS's.
// A real `alluxio fuse mount -f` next to a real worker whose page store it reads (as in
// fuse-fast-read.test.ts); python3 readers keep the kernel's caching out of the way (page-files.ts OPEN).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startEtcd, waitFor, type EtcdCluster } from '../support/etcd.js';
import { makeTempDir, type TempDir } from '../support/tmp.js';
import { startWorkerProcesses, writeEtcdConf, type WorkerProcess } from '../cluster/harness.js';
import { forceUnmount, FuseProcess, sh } from './fuse-harness.js';
import { fastReads, killPythons, python, sidecars } from './page-files.js';

const PS = 64 * 1024; // the harness's page size

/**
 * Python: `count` reads of `files` ([mounted, ufs] pairs, one picked at random per read) at random
 * offsets (page edges, EOF and past EOF included) of odd lengths, each compared with the UFS file;
 * the file is opened afresh every `reopen` reads. Prints `bad N [first ones]` and `reads N`.
 */
function reader(files: [string, string][], count: number, reopen: number, seed: number): string {
  return `import random
files = ${JSON.stringify(files)}
want = [open(u, 'rb').read() for _, u in files]
rng = random.Random(${seed})
bad = []
fds = {}
def fd_of(i):
    if i not in fds:
        fds[i] = os.open(files[i][0], os.O_RDONLY)
        os.posix_fadvise(fds[i], 0, 0, os.POSIX_FADV_RANDOM)
    return fds[i]
for k in range(${count}):
    i = rng.randrange(len(files))
    w = want[i]
    size = len(w)
    n = rng.choice([1, 7, 4095, 4096, 4097, 65535, 65536, 65537, 100000, 131072])
    pages = size // ${PS} + 2
    off = rng.choice([rng.randrange(size + 1), rng.randrange(pages) * ${PS}, rng.randrange(1, pages) * ${PS} - n, rng.randrange(pages) * ${PS} - 1, max(0, size - n), size - 1, size, size + 5000])
    off = max(0, off)
    fd = fd_of(i)
    os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    got = os.pread(fd, n, off)
    if got != w[off:off + n]: bad.append((files[i][0][-12:], off, n, len(got)))
    if k % ${reopen} == ${reopen} - 1:
        for f in fds.values(): os.close(f)
        fds = {}
print('bad', len(bad), bad[:5])
print('reads', ${count})
`;
}

/** Python: opens each file, reads a few pages (so the handle binds) and closes it, `rounds` times. */
function openCloser(mounted: string[], rounds: number, seed: number): string {
  return `import random
rng = random.Random(${seed})
for _ in range(${rounds}):
    for p in ${JSON.stringify(mounted)}:
        fd = os.open(p, os.O_RDONLY)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_RANDOM)
        for _ in range(rng.randrange(1, 4)):
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            os.pread(fd, 4096, rng.randrange(0, 1 << 20))
        os.close(fd)
print('done')
`;
}

describe('FUSE fast reads under hostile load: concurrency, replaced files, the bound, small files', { timeout: 600_000 }, () => {
  let tmp: TempDir;
  let etcd: EtcdCluster;
  let workers: WorkerProcess[] = [];
  let fuse: FuseProcess;
  let ufs: string;
  let mnt: string;
  let pages: string;

  /** Reads `name` whole through the mount and waits until the worker's sidecar lists all its pages. */
  async function warm(name: string, size: number): Promise<void> {
    const r = await sh('cat', [join(mnt, name)], { timeoutMs: 120_000 });
    assert.equal(r.code, 0, r.stderr);
    const want = Math.ceil(size / PS);
    await waitFor(`sidecar of ${name} lists ${want} pages`, () =>
      sidecars(pages).some((x) => x.ufsUri.endsWith(`/${name}`) && Object.keys(x.checksums).length === want), 60_000);
  }

  before(async () => {
    tmp = await makeTempDir('alluxio-fuse-probe-');
    ufs = join(tmp.path, 'ufs');
    mnt = join(tmp.path, 'mnt');
    pages = join(tmp.path, 'worker-0', 'pagestore');
    await sh('mkdir', ['-p', ufs]);
    etcd = await startEtcd();
    const cc = writeEtcdConf(tmp.path, etcd.endpoints, {
      'alluxio.master.mount.table.root.ufs': ufs,
      'alluxio.user.metadata.cache.expiration.time': '1s',
      // Room for more pages than the binding's bound (1024 of 64 KiB) without eviction.
      'alluxio.worker.page.store.sizes': '160MB',
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

  test('16 readers at random offsets (page edges, EOF, past EOF, small and empty files) while others open and close the same files: every byte right, no dup left', async () => {
    // Probe 5's shapes among them: shorter than a page, empty, exactly one page, whole pages, a tail.
    const shapes: [string, number][] = [['tiny.bin', 777], ['empty.bin', 0], ['one.bin', PS], ['four.bin', 4 * PS], ['odd.bin', 5 * PS + 12345], ['big.bin', 16 * PS + 1]];
    for (const [name, size] of shapes) writeFileSync(join(ufs, name), randomBytes(size));
    for (const [name, size] of shapes) if (size > 0) await warm(name, size);
    const pairs = shapes.map(([name]): [string, string] => [join(mnt, name), join(ufs, name)]);
    const before = (await fastReads(fuse.webPort))!;
    const readers = Array.from({ length: 16 }, (_, i) => python(reader(pairs, 400, 50 + i * 7, 100 + i)));
    const closers = Array.from({ length: 3 }, (_, i) => python(openCloser(pairs.map(([m]) => m), 40, 200 + i)));
    for (const p of [...readers, ...closers]) assert.equal(await p.exited, 0, p.out());
    for (const r of readers) assert.match(r.out(), /^bad 0 \[\]\nreads 400\n$/, r.out());
    const after = (await fastReads(fuse.webPort))!;
    // Most of them reached the binding (the first read of each page of a new entry goes to JS).
    assert.ok(after.reads - before.reads >= 16 * 400 / 4, `reads answered in the binding: ${after.reads - before.reads} of ${16 * 400}`);
    await waitFor('every handle released: the binding holds no descriptor', async () => (await fastReads(fuse.webPort))!.descriptors === 0, 30_000, 100);
  });

  // Found by this probe: the kernel's page cache is per inode, shared by every open handle of the
  // path, so pages one handle (pinned to version N+1) brought in were served to another handle
  // pinned to version N, within one read ([[2], [], []], [[3], [2]]); it failed the same with the
  // binding not loaded and with direct page reads off, and passed with direct_io. Fixed by choosing
  // keep_cache / direct_io per open (src/fuse/page-cache-groups.ts).
  test('a file replaced in the UFS again and again while handles read it: each handle reads one version only (or EIO), never a mix; fresh opens reach the new one', async () => {
    const size = 6 * PS + 4321;
    const versions = Array.from({ length: 4 }, () => randomBytes(size));
    const ufsFile = join(ufs, 'flip.bin');
    const put = (v: number): void => {
      writeFileSync(join(ufs, '.flip.tmp'), versions[v]);
      renameSync(join(ufs, '.flip.tmp'), ufsFile);
    };
    put(0);
    await warm('flip.bin', size);
    const vfiles = versions.map((b, i) => {
      const p = join(tmp.path, `flip-v${i}`);
      writeFileSync(p, b);
      return p;
    });
    // Each reader opens a handle, reads it 60 times at random, closes, opens again, ... until told
    // to stop. A handle's first read names its version; every later read must match that version.
    const script = (seed: number): string => `import random, errno, select
vs = [open(p, 'rb').read() for p in ${JSON.stringify(vfiles)}]
rng = random.Random(${seed})
bad = []; eio = 0; seen = set(); handles = 0
def which(off, got):
    return [i for i, v in enumerate(vs) if v[off:off + len(got)] == got]
while not select.select([sys.stdin], [], [], 0)[0]:
    fd = os.open(${JSON.stringify(join(mnt, 'flip.bin'))}, os.O_RDONLY)
    os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_RANDOM)
    handles += 1
    mine = None
    hist = []
    for _ in range(60):
        n = rng.choice([1, 4096, 65536, 65537, 131072])
        off = rng.choice([rng.randrange(${size}), rng.randrange(1, 7) * ${PS} - 5, ${size} - 3])
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        try:
            got = os.pread(fd, n, off)
        except OSError as e:
            if e.errno != errno.EIO and e.errno != errno.ESTALE: raise
            eio += 1
            break
        if len(got) != min(n, ${size} - off): bad.append(('short', off, n, len(got))); continue
        w = which(off, got)
        if mine is None and len(w) > 0: mine = set(w)
        elif mine is not None: mine &= set(w)
        hist.append(w)
        if not w or (mine is not None and not mine):
            # Which versions each page's part of this read matches: [[0], [1]] is a mix within one read.
            parts = [which(a, got[a - off:min(off + len(got), (a // ${PS} + 1) * ${PS}) - off]) for a in sorted({off} | set(range((off // ${PS} + 1) * ${PS}, off + len(got), ${PS})))]
            bad.append(('mix', off, n, hist[-4:], parts))
            break
    if mine: seen |= mine
    os.close(fd)
print('bad', len(bad), bad[:5], 'handles', handles, 'eio', eio, 'seen', sorted(seen))
`;
    const readers = Array.from({ length: 6 }, (_, i) => python(script(300 + i)));
    const mounted = join(mnt, 'flip.bin');
    for (let v = 1; v < versions.length; v++) {
      put(v);
      // A fresh open reaches the new version once the metadata cache (1 s) has expired; then the
      // readers' new handles hold it, their old ones the one before.
      await waitFor(`a fresh open reads version ${v}`, async () => {
        const r = await python(`fd = os.open(${JSON.stringify(mounted)}, os.O_RDONLY)
b = b''
while True:
    x = os.read(fd, 1 << 20)
    if not x: break
    b += x
print('v', [i for i, p in enumerate(${JSON.stringify(vfiles)}) if open(p, 'rb').read() == b])
`);
        await r.exited;
        return r.out().includes(`v [${v}]`);
      }, 60_000, 300);
      // Not a wait for a state: the time the readers get to open handles on this version (and keep
      // their older ones) before the next replacement.
      await new Promise((r) => setTimeout(r, 1500));
    }
    for (const r of readers) r.stdin.end('stop\n');
    for (const r of readers) assert.equal(await r.exited, 0, r.out());
    for (const r of readers) assert.match(r.out(), /^bad 0 \[\] handles \d+ eio \d+ seen \[/, r.out());
    // The last version was read through handles of the readers too (they opened after it was in place).
    assert.ok(readers.some((r) => /seen \[[^\]]*3\]/.test(r.out())), readers.map((r) => r.out()).join(''));
    await waitFor('every handle released: the binding holds no descriptor', async () => (await fastReads(fuse.webPort))!.descriptors === 0, 30_000, 100);
  });

  test('kernel_cache never mixes versions across opens: half a file cached by a closed handle, the file replaced (same length), a new open reads the new version whole', async () => {
    const size = 8 * PS;
    const v1 = randomBytes(size);
    const v2 = randomBytes(size);
    const ufsFile = join(ufs, 'seq.bin');
    writeFileSync(ufsFile, v1);
    const mounted = join(mnt, 'seq.bin');
    // A handle reads the first half only (the kernel keeps those pages: kernel_cache), and closes.
    const first = python(`fd = os.open(${JSON.stringify(mounted)}, os.O_RDONLY)
got = os.pread(fd, ${size / 2}, 0)
os.close(fd)
print('ok' if got == open(${JSON.stringify(ufsFile)}, 'rb').read()[:${size / 2}] else 'bad')
`);
    assert.equal(await first.exited, 0, first.out());
    assert.match(first.out(), /^ok$/m, first.out());
    writeFileSync(join(ufs, '.seq.tmp'), v2);
    renameSync(join(ufs, '.seq.tmp'), ufsFile);
    const v2file = join(tmp.path, 'seq-v2');
    const v1file = join(tmp.path, 'seq-v1');
    writeFileSync(v2file, v2);
    writeFileSync(v1file, v1);
    // Once the metadata cache (1 s) has expired, a new open reads the file whole: all of version 2
    // (or, while the mount still sees the old file, all of version 1), never half of each.
    await waitFor('a new open reads version 2 whole', async () => {
      const r = python(`fd = os.open(${JSON.stringify(mounted)}, os.O_RDONLY)
b = b''
while True:
    x = os.read(fd, 1 << 16)
    if not x: break
    b += x
os.close(fd)
v1 = open(${JSON.stringify(v1file)}, 'rb').read(); v2 = open(${JSON.stringify(v2file)}, 'rb').read()
print('v2' if b == v2 else 'v1' if b == v1 else 'mix %d %d' % (b[:${size / 2}] == v1[:${size / 2}], b[${size / 2}:] == v2[${size / 2}:]))
`);
      assert.equal(await r.exited, 0, r.out());
      assert.doesNotMatch(r.out(), /mix/, `a read mixed the two versions: ${r.out()}`);
      return r.out().includes('v2');
    }, 60_000, 300);
  });

  test('a reopened unchanged file (kept pages, pinned at open) is still answered in the binding', async () => {
    const size = 8 * PS;
    writeFileSync(join(ufs, 'again.bin'), randomBytes(size));
    await warm('again.bin', size);
    const mounted = join(mnt, 'again.bin');
    const want = join(ufs, 'again.bin');
    // Opens 1-2 pin the version and check the pages; open 3 reuses the group's version from its
    // open on, so its reads may all take the synchronous path: they must still reach the binding.
    const script = (reads: number): string => `import random
w = open(${JSON.stringify(want)}, 'rb').read()
rng = random.Random(5)
bad = 0
for _ in range(3):
    fd = os.open(${JSON.stringify(mounted)}, os.O_RDONLY)
    os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_RANDOM)
    for _ in range(${reads}):
        off = rng.randrange(${size} - 4096)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        if os.pread(fd, 4096, off) != w[off:off + 4096]: bad += 1
    os.close(fd)
print('bad', bad)
`;
    const warmUp = python(script(50));
    assert.equal(await warmUp.exited, 0, warmUp.out());
    const before = (await fastReads(fuse.webPort))!;
    const r = python(script(200));
    assert.equal(await r.exited, 0, r.out());
    assert.match(r.out(), /^bad 0$/m, r.out());
    const after = (await fastReads(fuse.webPort))!;
    assert.ok(after.reads - before.reads >= 300, `reads answered in the binding: ${after.reads - before.reads} of 600`);
  });

  test('more checked pages open than the binding holds (1024): reads beyond go to JS and stay right; the descriptors stay bounded and are all closed after', async () => {
    const files = 18;
    const size = 64 * PS; // 18 x 64 = 1152 pages
    const pairs: [string, string][] = [];
    for (let i = 0; i < files; i++) {
      const name = `many-${i}.bin`;
      writeFileSync(join(ufs, name), randomBytes(size));
      pairs.push([join(mnt, name), join(ufs, name)]);
    }
    for (let i = 0; i < files; i++) await warm(`many-${i}.bin`, size);
    // One process opens every file, reads every page twice (checked, then registered), holds the
    // handles open and reads at random across all of them; the binding's count is read meanwhile.
    const py = python(`import random
files = ${JSON.stringify(pairs)}
want = [open(u, 'rb').read() for _, u in files]
fds = []
for m, _ in files:
    fd = os.open(m, os.O_RDONLY)
    os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_RANDOM)
    fds.append(fd)
bad = []
for _ in range(2):
    for i, fd in enumerate(fds):
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        for p in range(${size / PS}):
            got = os.pread(fd, 4096, p * ${PS} + 100)
            if got != want[i][p * ${PS} + 100:p * ${PS} + 4196]: bad.append((i, p))
rng = random.Random(5)
for _ in range(3000):
    i = rng.randrange(len(fds))
    off = rng.randrange(${size})
    n = rng.choice([1, 4096, 65537])
    os.posix_fadvise(fds[i], 0, 0, os.POSIX_FADV_DONTNEED)
    if os.pread(fds[i], n, off) != want[i][off:off + n]: bad.append((i, off, n))
print('bad', len(bad), bad[:5]); sys.stdout.flush()
sys.stdin.readline()
`);
    await waitFor('the reader is done', () => py.out().includes('bad'), 240_000, 200);
    assert.match(py.out(), /^bad 0 \[\]\n$/, py.out());
    const held = (await fastReads(fuse.webPort))!;
    assert.ok(held.descriptors <= 1024, `the binding holds ${held.descriptors} descriptors (bound 1024)`);
    assert.ok(held.descriptors >= 512, `the binding still serves most pages (${held.descriptors} descriptors)`);
    // Whole process: JS's checked descriptors (at most 1024) plus the binding's (at most 1024) plus a few hundred others.
    const fds = readdirSync(`/proc/${fuse.pid}/fd`).length;
    assert.ok(fds <= 2048 + 400, `the FUSE process has ${fds} descriptors open`);
    py.stdin.end('go\n');
    assert.equal(await py.exited, 0, py.out());
    await waitFor('every handle released: the binding holds no descriptor', async () => (await fastReads(fuse.webPort))!.descriptors === 0, 30_000, 100);
  });
});

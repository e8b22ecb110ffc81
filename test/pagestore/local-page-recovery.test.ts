import assert from 'node:assert/strict';
import * as fsp from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { crc32 } from 'node:zlib';
import { LocalPageStore } from '../../src/pagestore/local-page-store.js';
import { bucketOf, fileIdOf } from '../../src/pagestore/page-layout.js';
import { makeTempDir, type TempDir } from '../support/tmp.js';
import { listFiles, listPageFiles, openLocal, pageData, quietLog, testFile, type TestFile } from './helpers.js';

const PS = 4096;

describe('LocalPageStore restart recovery', () => {
  let tmp: TempDir;
  let n = 0;
  const freshDir = (): string => join(tmp.path, `r${n++}`);
  before(async () => { tmp = await makeTempDir('pagestore-recovery-'); });
  after(async () => { await tmp.cleanup(); });

  const root = (dir: string): string => join(dir, 'LOCAL', String(PS));
  const fileDir = (dir: string, f: TestFile): string => join(root(dir), String(bucketOf(f.fileId)), f.fileId);

  /** Writes `pages` pages per file (the last one short) with a store that is then closed. */
  async function fill(dir: string, files: TestFile[], pages: number, lastSize = 1234): Promise<Map<string, Buffer>> {
    const store = await openLocal({ dirs: [dir], pageSize: PS });
    const datas = new Map<string, Buffer>();
    for (const f of files) {
      for (let i = 0; i < pages; i++) {
        const d = pageData(i === pages - 1 ? lastSize : PS);
        datas.set(`${f.fileId}/${i}`, d);
        await store.put(f.fileId, i, d, f);
      }
    }
    await store.close();
    return datas;
  }

  it('a new store on the same dirs serves the old pages', async () => {
    const dir = freshDir();
    const files = [testFile('r/a'), testFile('r/b', 'etag-b')];
    const datas = await fill(dir, files, 3);
    const store = await openLocal({ dirs: [dir], pageSize: PS });
    await store.scanComplete;
    assert.deepEqual(store.stats(), { usedBytes: 2 * (2 * PS + 1234), capacityBytes: 1 << 20, pages: 6, files: 2, evictedBytes: 0 });
    for (const f of files) {
      assert.deepEqual(store.fileInfo(f.fileId), { fileId: f.fileId, ufsUri: f.ufsUri, version: f.version, pages: [0, 1, 2], bytes: 2 * PS + 1234 });
      for (let i = 0; i < 3; i++) assert.deepEqual(await store.get(f.fileId, i, f.version), datas.get(`${f.fileId}/${i}`));
    }
    assert.equal(await store.get(files[1]!.fileId, 0, 'v1'), null, 'the version is remembered across restarts');
    await store.close();
  });

  it('removes TEMP and malformed entries, keeps valid pages', async () => {
    const dir = freshDir();
    const good = testFile('r/good');
    const noMeta = testFile('r/no-meta');
    const badMeta = testFile('r/bad-meta');
    const otherSize = testFile('r/other-page-size');
    const datas = await fill(dir, [good, badMeta, otherSize], 2);
    const r = root(dir);
    const gd = fileDir(dir, good);
    const junk: string[] = [];
    const put = async (path: string, data: string | Buffer = 'x'): Promise<void> => {
      await fsp.mkdir(join(path, '..'), { recursive: true });
      await fsp.writeFile(path, data);
      junk.push(path);
    };
    await put(join(r, 'TEMP', good.fileId, '5'));
    await put(join(r, 'stray.txt'));
    await put(join(r, 'notabucket', 'x'));
    await put(join(r, '1000', good.fileId, '0')); // bucket outside 0..999
    const wrongBucket = String((bucketOf(good.fileId) + 1) % 1000);
    await put(join(r, wrongBucket, good.fileId, '0'));
    await put(join(r, wrongBucket, 'NOT-A-FILE-ID', '0'));
    await put(join(r, String(bucketOf(noMeta.fileId)), noMeta.fileId, '0')); // no sidecar
    await put(join(gd, 'foo'));
    await put(join(gd, '01')); // not a canonical page index
    await put(join(gd, '7')); // no checksum in the sidecar
    // an oversized page that the sidecar vouches for
    const big = Buffer.alloc(PS + 1, 1);
    const meta = JSON.parse(await fsp.readFile(join(gd, '.meta'), 'utf8'));
    meta.checksums['9'] = crc32(big);
    await fsp.writeFile(join(gd, '.meta'), JSON.stringify(meta));
    await put(join(gd, '9'), big);
    // a sidecar that is not JSON: the whole file goes
    await fsp.writeFile(join(fileDir(dir, badMeta), '.meta'), '{oops');
    junk.push(join(fileDir(dir, badMeta), '0'));
    // a sidecar written for another page size
    const om = JSON.parse(await fsp.readFile(join(fileDir(dir, otherSize), '.meta'), 'utf8'));
    await fsp.writeFile(join(fileDir(dir, otherSize), '.meta'), JSON.stringify({ ...om, pageSize: 8192 }));
    junk.push(join(fileDir(dir, otherSize), '0'));

    const store = await openLocal({ dirs: [dir], pageSize: PS });
    await store.scanComplete;
    const left = new Set((await listFiles(dir)).map((p) => join(dir, p)));
    for (const j of junk) assert.ok(!left.has(j), `${j} should have been removed`);
    assert.deepEqual([...left].sort(), [join(gd, '.meta'), join(gd, '0'), join(gd, '1')].sort());
    assert.deepEqual(store.fileInfo(good.fileId)?.pages, [0, 1]);
    assert.equal([...store.files()].length, 1);
    assert.deepEqual(await store.get(good.fileId, 1, 'v1'), datas.get(`${good.fileId}/1`));
    await store.flush();
    assert.deepEqual(Object.keys(JSON.parse(await fsp.readFile(join(gd, '.meta'), 'utf8')).checksums).sort(), ['0', '1'],
      'the sidecar is rewritten without the pages that were removed');
    await store.close();
  });

  it('a page whose bytes changed on disk while down is a miss and is deleted', async () => {
    const dir = freshDir();
    const f = testFile('r/flipped');
    const datas = await fill(dir, [f], 2);
    const p0 = join(fileDir(dir, f), '0');
    const b = await fsp.readFile(p0);
    b[0] ^= 1;
    await fsp.writeFile(p0, b);
    const store = await openLocal({ dirs: [dir], pageSize: PS });
    await store.scanComplete;
    assert.equal(await store.get(f.fileId, 0, 'v1'), null);
    await assert.rejects(fsp.access(p0), { code: 'ENOENT' });
    assert.deepEqual(await store.get(f.fileId, 1, 'v1'), datas.get(`${f.fileId}/1`));
    await store.close();
  });

  it('after a crash, pages whose checksum never reached the sidecar are deleted', async () => {
    const dir = freshDir();
    const f = testFile('r/crash');
    const crashed = await openLocal({ dirs: [dir], pageSize: PS, sidecarFlushMs: 3_600_000 });
    const early = pageData(PS);
    await crashed.put(f.fileId, 0, early, f);
    await crashed.flush(); // page 0 is described on disk
    await crashed.put(f.fileId, 1, pageData(PS), f);
    await crashed.put(f.fileId, 2, pageData(PS), f);
    // "crash": the store is abandoned without close(); its sidecar timer would fire in an hour
    const store = await openLocal({ dirs: [dir], pageSize: PS });
    await store.scanComplete;
    assert.deepEqual(store.fileInfo(f.fileId)?.pages, [0]);
    assert.deepEqual(await store.get(f.fileId, 0, 'v1'), early);
    assert.equal(await store.get(f.fileId, 1, 'v1'), null);
    assert.deepEqual((await listPageFiles(dir)).map((p) => p.split('/').pop()), ['0']);
    await store.close();
  });

  it('serves and accepts pages while the scan runs, without losing pages not yet scanned', async () => {
    const dir = freshDir();
    const files = Array.from({ length: 80 }, (_, i) => testFile(`r/many/${i}`));
    const datas = await fill(dir, files, 2);
    const store = await openLocal({ dirs: [dir], pageSize: PS });
    let scanDone = false;
    void store.scanComplete.then(() => { scanDone = true; });
    // touched before the scan reaches them: recovered on demand
    const target = files[79]!;
    const other = files[41]!;
    assert.deepEqual(await store.get(target.fileId, 1, 'v1'), datas.get(`${target.fileId}/1`));
    const added = pageData(PS);
    await store.put(other.fileId, 2, added, other);
    assert.equal(scanDone, false, 'the scan should still be running (test needs a slower scan otherwise)');
    await store.scanComplete;
    await store.flush();
    assert.deepEqual(store.fileInfo(other.fileId)?.pages, [0, 1, 2]);
    assert.deepEqual(await store.get(other.fileId, 0, 'v1'), datas.get(`${other.fileId}/0`));
    assert.deepEqual(await store.get(other.fileId, 2, 'v1'), added);
    assert.equal(store.stats().pages, 161);
    await store.close();
    const again = await openLocal({ dirs: [dir], pageSize: PS });
    await again.scanComplete;
    assert.equal(again.stats().pages, 161);
    await again.close();
  });

  it('after a restart, LRU evicts the pages with the oldest mtime first', async () => {
    const dir = freshDir();
    const files = Array.from({ length: 6 }, (_, i) => testFile(`r/mtime/${i}`));
    await fill(dir, files, 1, PS);
    // give the pages mtimes in a different order from their names and write order
    const order = [3, 0, 5, 1, 4, 2]; // oldest first
    const base = Date.now() / 1000 - 10_000;
    for (let k = 0; k < order.length; k++) {
      const t = base + k * 100;
      await fsp.utimes(join(fileDir(dir, files[order[k]!]!), '0'), t, t);
    }
    const store = await openLocal({ dirs: [dir], pageSize: PS, sizes: [6 * PS] });
    await store.scanComplete;
    const fresh = testFile('r/mtime/new');
    for (let i = 0; i < 3; i++) await store.put(fresh.fileId, i, pageData(PS), fresh);
    const survivors = files.map((f, i) => (store.has(f.fileId, 0) ? i : -1)).filter((i) => i >= 0);
    assert.deepEqual(survivors, [1, 2, 4]);
    await store.close();
  });

  it('a restart with a smaller size drops the surplus, oldest first', async () => {
    const dir = freshDir();
    const files = Array.from({ length: 8 }, (_, i) => testFile(`r/shrink/${i}`));
    await fill(dir, files, 1, PS);
    const base = Date.now() / 1000 - 10_000;
    for (let i = 0; i < files.length; i++) await fsp.utimes(join(fileDir(dir, files[i]!), '0'), base + i, base + i);
    const store = new LocalPageStore({ dirs: [dir], sizes: [3 * PS], pageSize: PS, evictor: 'FIFO', logger: quietLog });
    await store.open();
    await store.scanComplete;
    assert.equal(store.stats().pages, 3);
    assert.deepEqual(files.map((f, i) => (store.has(f.fileId, 0) ? i : -1)).filter((i) => i >= 0), [5, 6, 7]);
    assert.equal((await listPageFiles(dir)).length, 3);
    await store.close();
  });

  it('pages written with another page size are not touched', async () => {
    const dir = freshDir();
    const f = testFile('r/ps');
    const store8k = await openLocal({ dirs: [dir], pageSize: 8192 });
    await store8k.put(f.fileId, 0, pageData(8000), f);
    await store8k.close();
    const store = await openLocal({ dirs: [dir], pageSize: PS });
    await store.scanComplete;
    assert.equal(store.stats().pages, 0);
    assert.ok((await listFiles(join(dir, 'LOCAL', '8192'))).length > 0);
    await store.close();
    assert.equal(fileIdOf(f.ufsUri), f.fileId);
  });
});

import assert from 'node:assert/strict';
import * as fsp from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { crc32 } from 'node:zlib';
import { AlluxioError, InvalidArgumentError, NoSpaceError } from '../../src/common/errors.js';
import { metrics } from '../../src/common/metrics.js';
import { LocalPageStore } from '../../src/pagestore/local-page-store.js';
import { bucketOf, fileIdOf } from '../../src/pagestore/page-layout.js';
import { makeTempDir, type TempDir } from '../support/tmp.js';
import { listFiles, listPageFiles, openLocal, pageData, quietLog, testFile } from './helpers.js';

const PS = 4096;

async function gauge(g: { get(): Promise<{ values: { value: number }[] }> }): Promise<number> {
  return (await g.get()).values[0]?.value ?? 0;
}

describe('LocalPageStore', () => {
  let tmp: TempDir;
  let n = 0;
  const freshDir = async (): Promise<string> => {
    const d = join(tmp.path, `d${n++}`);
    await fsp.mkdir(d);
    return d;
  };
  before(async () => { tmp = await makeTempDir('pagestore-'); });
  after(async () => { await tmp.cleanup(); });

  it('writes a page at <dir>/LOCAL/<pageSize>/<bucket>/<fileId>/<pageIndex> with a sidecar', async () => {
    const dir = await freshDir();
    const store = await openLocal({ dirs: [dir], pageSize: PS });
    const ufsUri = 's3://bucket/key';
    const data = pageData(1000);
    await store.put(fileIdOf(ufsUri), 7, data, { ufsUri, version: 'etag-1' });
    // fileId and bucket computed by Java (see page-layout.test.ts)
    const fileDir = join(dir, 'LOCAL', '4096', '665', '558ca1533e03aaea2e3fb825be29124c1648046a2893052d1a1df0059becbf4f');
    assert.deepEqual(await fsp.readFile(join(fileDir, '7')), data);
    await store.flush();
    const meta = JSON.parse(await fsp.readFile(join(fileDir, '.meta'), 'utf8'));
    assert.deepEqual(meta, { ufsUri, version: 'etag-1', pageSize: PS, checksums: { 7: crc32(data) } });
    assert.deepEqual(await listFiles(join(dir, 'LOCAL', '4096', 'TEMP')), []);
    await store.close();
  });

  it('round-trips pages and reports files, stats and metrics', async () => {
    const dir = await freshDir();
    const pages0 = await gauge(metrics.cachedPages);
    const bytes0 = await gauge(metrics.cachedStorageBytes);
    const files0 = await gauge(metrics.cachedFiles);
    const store = await openLocal({ dirs: [dir], pageSize: PS, sizes: [64 * PS] });
    const f = testFile('a.bin');
    const g = testFile('b.bin');
    const a0 = pageData(PS), a1 = pageData(PS), a2 = pageData(17), b0 = pageData(100);
    await store.put(f.fileId, 0, a0, f);
    await store.put(f.fileId, 1, a1, f);
    await store.put(f.fileId, 2, a2, f);
    await store.put(g.fileId, 0, b0, g);
    assert.deepEqual(await store.get(f.fileId, 0, 'v1'), a0);
    assert.deepEqual(await store.get(f.fileId, 1, 'v1'), a1);
    assert.deepEqual(await store.get(f.fileId, 2, 'v1'), a2);
    assert.deepEqual(await store.get(g.fileId, 0, 'v1'), b0);
    assert.equal(await store.get(f.fileId, 3, 'v1'), null);
    assert.equal(await store.get(testFile('none').fileId, 0, 'v1'), null);
    assert.ok(store.has(f.fileId, 1));
    assert.ok(store.has(f.fileId, 1, 'v1'));
    assert.ok(!store.has(f.fileId, 1, 'v2'));
    assert.ok(!store.has(f.fileId, 5));
    assert.deepEqual(store.fileInfo(f.fileId), { fileId: f.fileId, ufsUri: f.ufsUri, version: 'v1', pages: [0, 1, 2], bytes: 2 * PS + 17 });
    assert.equal([...store.files()].length, 2);
    const total = 2 * PS + 17 + 100;
    assert.deepEqual(store.stats(), { usedBytes: total, capacityBytes: 64 * PS, pages: 4, files: 2, evictedBytes: 0 });
    assert.equal(await gauge(metrics.cachedPages) - pages0, 4);
    assert.equal(await gauge(metrics.cachedStorageBytes) - bytes0, total);
    assert.equal(await gauge(metrics.cachedFiles) - files0, 2);
    await store.close();
    assert.equal(await gauge(metrics.cachedPages), pages0);
    assert.equal(await gauge(metrics.cachedStorageBytes), bytes0);
    await assert.rejects(store.get(f.fileId, 0, 'v1'), AlluxioError);
  });

  it('validates arguments', async () => {
    const dir = await freshDir();
    const store = await openLocal({ dirs: [dir], pageSize: PS });
    const f = testFile('x');
    await assert.rejects(store.get('NOTHEX', 0, 'v1'), InvalidArgumentError);
    await assert.rejects(store.get(f.fileId, -1, 'v1'), InvalidArgumentError);
    await assert.rejects(store.get(f.fileId, 1.5, 'v1'), InvalidArgumentError);
    await assert.rejects(store.put(f.fileId, 0, Buffer.alloc(PS + 1), f), /1\.\.4096/);
    await assert.rejects(store.put(f.fileId, 0, Buffer.alloc(0), f), InvalidArgumentError);
    await assert.rejects(store.put(f.fileId, 0, Buffer.alloc(8), { ufsUri: 's3://other/file', version: 'v1' }), /not the SHA-256/);
    assert.throws(() => new LocalPageStore({ dirs: [dir], sizes: [PS], pageSize: PS, reservedBytes: 1, logger: quietLog }), /less than one page/);
    assert.throws(() => new LocalPageStore({ dirs: [dir, dir], sizes: [1 << 20], pageSize: PS, logger: quietLog }), /twice/);
    assert.throws(() => new LocalPageStore({ dirs: [dir], sizes: [1 << 20, 1 << 20], pageSize: PS, logger: quietLog }), /one size per dir/);
    await store.close();
  });

  it('a version change drops all of the file pages, in the index and on disk', async () => {
    const dir = await freshDir();
    const store = await openLocal({ dirs: [dir], pageSize: PS });
    const f = testFile('versioned');
    for (let i = 0; i < 3; i++) await store.put(f.fileId, i, pageData(PS), f);
    const stale0 = await gauge(metrics.stalePages);
    assert.equal(await store.get(f.fileId, 0, 'v2'), null);
    assert.equal(await gauge(metrics.stalePages) - stale0, 3);
    assert.equal(store.fileInfo(f.fileId), undefined);
    assert.equal(await store.get(f.fileId, 1, 'v1'), null, 'old pages must be gone too');
    assert.deepEqual(await listPageFiles(dir), []);
    // a put of a new version also replaces the old one
    await store.put(f.fileId, 0, pageData(PS), f);
    const v2 = pageData(50);
    await store.put(f.fileId, 1, v2, { ...f, version: 'v2' });
    assert.deepEqual(store.fileInfo(f.fileId)?.pages, [1]);
    assert.deepEqual(await store.get(f.fileId, 1, 'v2'), v2);
    await store.flush();
    const fileDir = join(dir, 'LOCAL', String(PS), String(bucketOf(f.fileId)), f.fileId);
    assert.equal(JSON.parse(await fsp.readFile(join(fileDir, '.meta'), 'utf8')).version, 'v2');
    assert.deepEqual((await fsp.readdir(fileDir)).sort(), ['.meta', '1']);
    await store.close();
  });

  it('a corrupted page file is dropped, never served', async () => {
    const dir = await freshDir();
    const store = await openLocal({ dirs: [dir], pageSize: PS });
    const f = testFile('corrupt');
    const good = pageData(PS);
    await store.put(f.fileId, 0, pageData(PS), f);
    await store.put(f.fileId, 1, good, f);
    const path = join(dir, 'LOCAL', String(PS), String(bucketOf(f.fileId)), f.fileId, '0');
    const bytes = await fsp.readFile(path);
    bytes[100] ^= 0xff;
    await fsp.writeFile(path, bytes);
    const corrupt0 = await gauge(metrics.corruptPages as never);
    assert.equal(await store.get(f.fileId, 0, 'v1'), null);
    assert.equal(await gauge(metrics.corruptPages as never) - corrupt0, 1);
    assert.ok(!store.has(f.fileId, 0));
    await assert.rejects(fsp.access(path), { code: 'ENOENT' });
    assert.deepEqual(await store.get(f.fileId, 1, 'v1'), good);
    // a truncated page is corrupt too
    const path1 = path.replace(/0$/, '1');
    await fsp.truncate(path1, 10);
    assert.equal(await store.get(f.fileId, 1, 'v1'), null);
    assert.equal(store.fileInfo(f.fileId), undefined);
    await store.close();
  });

  it('a released page buffer is reused for a later read and never changes what a read returns', async () => {
    const dir = await freshDir();
    const store = await openLocal({ dirs: [dir], pageSize: PS });
    const f = testFile('pooled');
    const pages = [pageData(PS), pageData(PS), pageData(PS)];
    for (const [i, p] of pages.entries()) await store.put(f.fileId, i, p, f);
    const first = (await store.get(f.fileId, 0, 'v1'))!;
    assert.deepEqual(first, pages[0]);
    store.release(first.subarray(1)); // a view releases the whole buffer
    const second = (await store.get(f.fileId, 1, 'v1'))!;
    assert.equal(second.buffer, first.buffer, 'the released buffer is reused');
    assert.deepEqual(second, pages[1]);
    // an unreleased buffer is never handed out again
    const third = (await store.get(f.fileId, 2, 'v1'))!;
    assert.notEqual(third.buffer, second.buffer);
    assert.deepEqual(third, pages[2]);
    assert.deepEqual(second, pages[1]);
    // a buffer that is not the store's is ignored
    store.release(Buffer.alloc(PS));
    const again = (await store.get(f.fileId, 0, 'v1'))!;
    assert.notEqual(again.buffer, third.buffer);
    assert.deepEqual(again, pages[0]);
    await store.close();
  });

  it('a page file deleted behind its back is a miss and leaves the index', async () => {
    const dir = await freshDir();
    const store = await openLocal({ dirs: [dir], pageSize: PS });
    const f = testFile('deleted');
    await store.put(f.fileId, 0, pageData(PS), f);
    await fsp.unlink(join(dir, 'LOCAL', String(PS), String(bucketOf(f.fileId)), f.fileId, '0'));
    assert.equal(await store.get(f.fileId, 0, 'v1'), null);
    assert.ok(!store.has(f.fileId, 0));
    assert.equal(store.stats().usedBytes, 0);
    await store.close();
  });

  it('deleteFile removes pages, sidecar and the file directory', async () => {
    const dir = await freshDir();
    const store = await openLocal({ dirs: [dir], pageSize: PS });
    const f = testFile('gone');
    const keep = testFile('kept');
    for (let i = 0; i < 4; i++) await store.put(f.fileId, i, pageData(PS), f);
    await store.put(keep.fileId, 0, pageData(PS), keep);
    await store.flush();
    await store.deleteFile(f.fileId);
    assert.equal(store.fileInfo(f.fileId), undefined);
    await assert.rejects(fsp.access(join(dir, 'LOCAL', String(PS), String(bucketOf(f.fileId)), f.fileId)), { code: 'ENOENT' });
    assert.ok(store.has(keep.fileId, 0));
    assert.equal(store.stats().pages, 1);
    await store.close();
  });

  it('spreads files over several dirs by capacity, each file in one dir', async () => {
    const d1 = await freshDir();
    const d2 = await freshDir();
    const store = await openLocal({ dirs: [d1, d2], sizes: [100 * PS, 300 * PS], pageSize: 1024 });
    const ds = store.dirStats();
    assert.deepEqual(ds.map((d) => d.capacityBytes), [100 * PS, 300 * PS]);
    await Promise.all(Array.from({ length: 120 }, async (_, i) => {
      const f = testFile(`spread/${i}`);
      await store.put(f.fileId, 0, pageData(1024), f);
      await store.put(f.fileId, 1, pageData(1024), f);
    }));
    const [s1, s2] = store.dirStats();
    assert.equal(s1!.pages + s2!.pages, 240);
    assert.ok(s1!.pages > 0 && s2!.pages > s1!.pages, `expected more pages in the larger dir: ${s1!.pages} vs ${s2!.pages}`);
    assert.equal(store.stats().capacityBytes, 400 * PS);
    // every file lives in exactly one dir, with both of its pages
    const files1 = new Set((await listPageFiles(d1)).map((p) => p.split('/')[3]));
    const files2 = new Set((await listPageFiles(d2)).map((p) => p.split('/')[3]));
    assert.equal(files1.size + files2.size, 120);
    for (const id of files1) assert.ok(!files2.has(id));
    assert.equal((await listPageFiles(d1)).length, s1!.pages);
    await store.close();
  });

  it('fills several dirs independently: each stays within its own capacity', async () => {
    const d1 = await freshDir();
    const d2 = await freshDir();
    const store = await openLocal({ dirs: [d1, d2], sizes: [4 * PS, 8 * PS], pageSize: PS });
    for (let i = 0; i < 60; i++) {
      const f = testFile(`fill/${i}`);
      await store.put(f.fileId, 0, pageData(PS), f);
      for (const d of store.dirStats()) assert.ok(d.usedBytes <= d.capacityBytes);
    }
    const [s1, s2] = store.dirStats();
    assert.equal(s1!.usedBytes, 4 * PS);
    assert.equal(s2!.usedBytes, 8 * PS);
    assert.equal((await listPageFiles(d1)).length, 4);
    assert.equal((await listPageFiles(d2)).length, 8);
    await store.close();
  });

  it('reserved size reduces usable capacity', async () => {
    const dir = await freshDir();
    const store = await openLocal({ dirs: [dir], sizes: [10 * PS], reservedBytes: 4 * PS, pageSize: PS });
    assert.equal(store.stats().capacityBytes, 6 * PS);
    const f = testFile('reserved');
    for (let i = 0; i < 10; i++) await store.put(f.fileId, i, pageData(PS), f);
    assert.equal(store.stats().pages, 6);
    assert.equal(store.stats().usedBytes, 6 * PS);
    assert.equal(store.stats().evictedBytes, 4 * PS);
    assert.equal((await listPageFiles(dir)).length, 6);
    await store.close();
  });

  it('concurrent puts of the same page leave one intact page', async () => {
    const dir = await freshDir();
    const store = await openLocal({ dirs: [dir], pageSize: 256 * 1024, sizes: [8 << 20] });
    const f = testFile('race');
    const data = pageData(256 * 1024);
    await Promise.all(Array.from({ length: 8 }, () => store.put(f.fileId, 0, data, f)));
    // and concurrent puts of other pages of the same file
    const others = Array.from({ length: 6 }, () => pageData(256 * 1024));
    await Promise.all(others.map((d, i) => store.put(f.fileId, i + 1, d, f)));
    assert.deepEqual(await store.get(f.fileId, 0, 'v1'), data);
    for (let i = 0; i < others.length; i++) assert.deepEqual(await store.get(f.fileId, i + 1, 'v1'), others[i]);
    assert.equal(store.stats().pages, 7);
    assert.equal(store.stats().usedBytes, 7 * 256 * 1024);
    await store.flush(); // else a batched sidecar write may be in TEMP/ right now
    const onDisk = await listFiles(dir);
    assert.equal(onDisk.filter((p) => p.includes('/TEMP/')).length, 0);
    assert.equal(onDisk.filter((p) => !p.endsWith('.meta')).length, 7);
    await store.close();
  });

  for (const reservedPages of [0, 120]) {
    it(`concurrent puts and gets of many pages keep index and disk consistent (reserved ${reservedPages} pages)`, async () => {
      const dir = await freshDir();
      const store = await openLocal({ dirs: [dir], pageSize: PS, sizes: [(20 + reservedPages) * PS], reservedBytes: reservedPages * PS });
      const datas = new Map<string, Buffer>();
      const ops: Promise<unknown>[] = [];
      let noSpace = 0;
      for (let i = 0; i < 120; i++) {
        const f = testFile(`mix/${i % 15}`);
        const idx = i % 7;
        const key = `${f.fileId}/${idx}`;
        const d = datas.get(key) ?? pageData(PS);
        datas.set(key, d);
        ops.push(store.put(f.fileId, idx, d, f).catch((err) => {
          assert.ok(err instanceof NoSpaceError, String(err));
          noSpace++;
        }));
        ops.push(store.get(f.fileId, idx, 'v1').then((b) => { if (b !== null) assert.deepEqual(b, d); }));
      }
      await Promise.all(ops);
      // Temp pages of puts in flight use the reserve; without one, puts beyond capacity fail alone.
      if (reservedPages >= 120) assert.equal(noSpace, 0);
      if (reservedPages >= 120) assert.equal(store.stats().usedBytes, 20 * PS);
      else assert.ok(store.stats().usedBytes > 0 && store.stats().usedBytes <= 20 * PS);
      await store.flush();
      const pagesOnDisk = await listPageFiles(dir);
      assert.equal(pagesOnDisk.length, store.stats().pages);
      for (const info of store.files()) {
        for (const p of info.pages) assert.deepEqual(await store.get(info.fileId, p, 'v1'), datas.get(`${info.fileId}/${p}`));
      }
      const f = testFile('after');
      await store.put(f.fileId, 0, pageData(PS), f);
      assert.ok(store.has(f.fileId, 0));
      await store.close();
    });
  }

  it('batches sidecar writes: a sequential fill writes the sidecar once', async () => {
    const dir = await freshDir();
    let sidecarWrites = 0;
    const fsOps = { ...fsp, writeFile: (async (path: string, data: never) => {
      if (String(path).endsWith('.meta')) sidecarWrites++;
      return fsp.writeFile(path, data);
    }) as typeof fsp.writeFile };
    const store = await openLocal({ dirs: [dir], pageSize: PS, fsOps, sidecarFlushMs: 60_000 });
    const f = testFile('sequential');
    for (let i = 0; i < 100; i++) await store.put(f.fileId, i, pageData(PS), f);
    assert.equal(sidecarWrites, 0);
    await store.flush();
    assert.equal(sidecarWrites, 1);
    const meta = JSON.parse(await fsp.readFile(join(dir, 'LOCAL', String(PS), String(bucketOf(f.fileId)), f.fileId, '.meta'), 'utf8'));
    assert.equal(Object.keys(meta.checksums).length, 100);
    await store.close();
    assert.equal(sidecarWrites, 1, 'close has nothing left to write');
  });
});

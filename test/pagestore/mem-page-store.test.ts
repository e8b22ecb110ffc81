import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidArgumentError } from '../../src/common/errors.js';
import { metrics } from '../../src/common/metrics.js';
import { createPageStore, LocalPageStore, MemPageStore, type EvictorType } from '../../src/pagestore/index.js';
import { makeTempDir } from '../support/tmp.js';
import { pageData, quietLog, testFile } from './helpers.js';

const PS = 1024;

async function openMem(pages: number, evictor: EvictorType = 'LRU'): Promise<MemPageStore> {
  const s = new MemPageStore({ dirs: [], sizes: [pages * PS], pageSize: PS, evictor });
  await s.open();
  return s;
}

describe('MemPageStore', () => {
  it('round-trips pages, keeping its own copy', async () => {
    const s = await openMem(8);
    assert.equal(s.type, 'MEM');
    const f = testFile('m/a');
    const d = pageData(PS);
    const original = Buffer.from(d);
    await s.put(f.fileId, 0, d, f);
    d.fill(0); // the caller reuses its buffer
    assert.deepEqual(await s.get(f.fileId, 0, 'v1'), original);
    assert.equal(await s.get(f.fileId, 1, 'v1'), null);
    assert.ok(s.has(f.fileId, 0, 'v1'));
    assert.deepEqual(s.fileInfo(f.fileId)?.pages, [0]);
    assert.deepEqual(s.stats(), { usedBytes: PS, capacityBytes: 8 * PS, pages: 1, files: 1, evictedBytes: 0 });
    await s.deleteFile(f.fileId);
    assert.equal(s.stats().pages, 0);
    await s.close();
  });

  it('evicts within capacity, per policy', async () => {
    for (const [evictor, expected] of [['LRU', [0, 7, 8, 9]], ['FIFO', [6, 7, 8, 9]], ['LFU', [0, 7, 8, 9]]] as const) {
      const s = await openMem(4, evictor);
      const files = Array.from({ length: 10 }, (_, i) => testFile(`m/e/${i}`));
      for (let i = 0; i < files.length; i++) {
        if (i > 0) await s.get(files[0]!.fileId, 0, 'v1'); // page 0 is read all the time
        await s.put(files[i]!.fileId, 0, pageData(PS), files[i]!);
        assert.ok(s.stats().usedBytes <= 4 * PS);
      }
      const survivors = files.map((f, i) => (s.has(f.fileId, 0) ? i : -1)).filter((i) => i >= 0);
      assert.deepEqual(survivors, expected, evictor);
      assert.equal(s.stats().evictedBytes, 6 * PS);
      await s.close();
    }
  });

  it('drops a file on a version change', async () => {
    const s = await openMem(8);
    const f = testFile('m/v');
    await s.put(f.fileId, 0, pageData(PS), f);
    await s.put(f.fileId, 1, pageData(PS), f);
    const stale0 = (await metrics.stalePages.get()).values[0]?.value ?? 0;
    assert.equal(await s.get(f.fileId, 0, 'v2'), null);
    assert.equal((await metrics.stalePages.get()).values[0]!.value - stale0, 2);
    assert.equal(s.fileInfo(f.fileId), undefined);
    await s.close();
  });

  it('a page modified through a returned buffer fails its checksum and is dropped', async () => {
    const s = await openMem(8);
    const f = testFile('m/c');
    await s.put(f.fileId, 0, pageData(PS), f);
    const b = await s.get(f.fileId, 0, 'v1');
    b![0] ^= 0xff;
    assert.equal(await s.get(f.fileId, 0, 'v1'), null);
    assert.ok(!s.has(f.fileId, 0));
    await s.close();
  });

  it('validates', async () => {
    const s = await openMem(2);
    const f = testFile('m/x');
    await assert.rejects(s.put(f.fileId, 0, Buffer.alloc(PS + 1), f), InvalidArgumentError);
    await assert.rejects(s.put('zz', 0, Buffer.alloc(1), f), InvalidArgumentError);
    await assert.rejects(s.put(f.fileId, 0, Buffer.alloc(1), { ufsUri: 's3://elsewhere', version: 'v1' }), /SHA-256/);
    assert.throws(() => new MemPageStore({ dirs: [], sizes: [PS - 1], pageSize: PS }), /smaller than one page/);
    await s.close();
  });
});

describe('createPageStore', () => {
  it('builds the store of the requested type', async () => {
    const tmp = await makeTempDir('pagestore-factory-');
    try {
      const local = createPageStore({ type: 'LOCAL', dirs: [tmp.path], sizes: [1 << 20], pageSize: PS, logger: quietLog });
      assert.ok(local instanceof LocalPageStore);
      assert.equal(local.type, 'LOCAL');
      await local.open();
      const f = testFile('factory');
      const d = pageData(PS);
      await local.put(f.fileId, 0, d, f);
      assert.deepEqual(await local.get(f.fileId, 0, 'v1'), d);
      await local.close();
      const mem = createPageStore({ type: 'MEM', dirs: [], sizes: [1 << 20], pageSize: PS });
      assert.ok(mem instanceof MemPageStore);
      assert.throws(() => createPageStore({ type: 'ROCKS' as 'MEM', dirs: [], sizes: [1], pageSize: 1 }), /LOCAL, MEM/);
      assert.throws(() => createPageStore({ type: 'LOCAL', dirs: [], sizes: [1 << 20], pageSize: PS }), /at least one directory/);
      assert.throws(() => createPageStore({ type: 'LOCAL', dirs: [tmp.path], sizes: [1 << 20], pageSize: PS, evictor: 'MRU' as 'LRU' }), /LRU, LFU, FIFO/);
    } finally {
      await tmp.cleanup();
    }
  });
});

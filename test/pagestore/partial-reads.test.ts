import assert from 'node:assert/strict';
import * as fsp from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { InvalidArgumentError } from '../../src/common/errors.js';
import { metrics } from '../../src/common/metrics.js';
import { MemPageStore } from '../../src/pagestore/mem-page-store.js';
import { PageLayout } from '../../src/pagestore/page-layout.js';
import type { PageStore } from '../../src/pagestore/page-store.js';
import { makeTempDir, type TempDir } from '../support/tmp.js';
import { openLocal, pageData, testFile } from './helpers.js';

const MIB = 1 << 20;

/** Bytes this process has read with read-like system calls so far (/proc/self/io rchar). */
function bytesReadByProcess(): number {
  return Number(/^rchar: (\d+)$/m.exec(readFileSync('/proc/self/io', 'utf8'))![1]);
}

async function counter(c: { get(): Promise<{ values: { value: number }[] }> }): Promise<number> {
  return (await c.get()).values.reduce((a, v) => a + v.value, 0);
}

describe('page store partial reads (get with a range)', () => {
  let tmp: TempDir;
  let n = 0;
  const freshDir = async (): Promise<string> => {
    const d = join(tmp.path, `d${n++}`);
    await fsp.mkdir(d);
    return d;
  };
  before(async () => { tmp = await makeTempDir('partial-reads-'); });
  after(async () => { await tmp.cleanup(); });

  /** The same edge cases against any store: page edges, a short last page, past its end. */
  async function edgeCases(store: PageStore, ps: number): Promise<void> {
    const f = testFile('edges.bin');
    const full = pageData(ps);
    const short = pageData(ps / 4 + 3);
    await store.put(f.fileId, 0, full, f);
    await store.put(f.fileId, 1, short, f);
    const get = async (p: number, offset: number, length: number): Promise<Buffer | null> => {
      const b = await store.get(f.fileId, p, f.version, { offset, length });
      return b === null ? null : Buffer.from(b); // a copy: LOCAL may reuse its buffers
    };
    // Twice over: the first ranged read of a page checks it whole, the next reads only the range.
    for (let round = 0; round < 2; round++) {
      assert.deepEqual(await get(0, 0, 1), full.subarray(0, 1));
      assert.deepEqual(await get(0, ps - 1, 1), full.subarray(ps - 1));
      assert.deepEqual(await get(0, ps - 4096, 4096), full.subarray(ps - 4096));
      assert.deepEqual(await get(0, 4095, 4098), full.subarray(4095, 8193));
      assert.deepEqual(await get(0, 0, ps), full);
      // The short last page: a range reaching past its end is clipped, one past it is empty.
      assert.deepEqual(await get(1, 10, 100), short.subarray(10, 110));
      assert.deepEqual(await get(1, short.length - 5, 4096), short.subarray(short.length - 5));
      assert.deepEqual(await get(1, short.length, 10), Buffer.alloc(0));
    }
    assert.equal(await store.get(f.fileId, 0, 'other-version', { offset: 0, length: 10 }), null, 'another version is a miss');
    await assert.rejects(store.get(f.fileId, 0, 'x', { offset: ps - 1, length: 2 }), InvalidArgumentError);
    await assert.rejects(store.get(f.fileId, 0, 'x', { offset: 0, length: 0 }), InvalidArgumentError);
    await assert.rejects(store.get(f.fileId, 0, 'x', { offset: -1, length: 1 }), InvalidArgumentError);
  }

  it('LOCAL: ranges at page edges and on a short last page return exactly those bytes', async () => {
    const store = await openLocal({ dirs: [await freshDir()], pageSize: 64 * 1024, sizes: [MIB] });
    try {
      await edgeCases(store, 64 * 1024);
    } finally {
      await store.close();
    }
  });

  it('MEM: the same ranges return the same bytes', async () => {
    const store = new MemPageStore({ dirs: ['mem'], sizes: [MIB], pageSize: 64 * 1024 });
    await store.open();
    try {
      await edgeCases(store, 64 * 1024);
    } finally {
      await store.close();
    }
  });

  it('LOCAL: once a page passed its checksum, a 4 KiB range reads about 4 KiB from disk, not the whole page', async () => {
    const store = await openLocal({ dirs: [await freshDir()], pageSize: MIB, sizes: [8 * MIB] });
    try {
      const f = testFile('big-page.bin');
      const data = pageData(MIB);
      await store.put(f.fileId, 0, data, f);
      // The first read of the page is whole (its checksum is verified on it).
      const first = await store.get(f.fileId, 0, f.version, { offset: 500_000, length: 4096 });
      assert.deepEqual(Buffer.from(first!), data.subarray(500_000, 504_096));
      const before = bytesReadByProcess();
      for (let i = 0; i < 8; i++) {
        const off = 4096 * (i * 31 + 1);
        const got = await store.get(f.fileId, 0, f.version, { offset: off, length: 4096 });
        assert.deepEqual(got, data.subarray(off, off + 4096));
      }
      const read = bytesReadByProcess() - before;
      // Eight whole-page reads would be 8 MiB; eight ranges are 32 KiB (plus whatever else the process read).
      assert.ok(read < MIB, `8 ranged reads of 4 KiB read ${read} bytes from files`);
    } finally {
      await store.close();
    }
  });

  it('LOCAL: a page corrupted on disk before its first read fails the ranged read and is dropped', async () => {
    const dir = await freshDir();
    const store = await openLocal({ dirs: [dir], pageSize: 64 * 1024, sizes: [MIB] });
    try {
      const f = testFile('corrupt.bin');
      const data = pageData(64 * 1024);
      await store.put(f.fileId, 0, data, f);
      const path = new PageLayout(dir, 64 * 1024, store.buckets).pagePath(f.fileId, 0);
      const bad = Buffer.from(data);
      bad[60_000] ^= 0xff; // outside the range asked for: only a whole-page check sees it
      await fsp.writeFile(path, bad);
      const corrupt0 = await counter(metrics.corruptPages);
      assert.equal(await store.get(f.fileId, 0, f.version, { offset: 0, length: 4096 }), null);
      assert.equal(await counter(metrics.corruptPages), corrupt0 + 1);
      assert.equal(store.has(f.fileId, 0), false, 'the corrupt page left the index');
    } finally {
      await store.close();
    }
  });

  it('LOCAL: a page file replaced on disk behind a checked descriptor never serves the other bytes', async () => {
    const dir = await freshDir();
    const store = await openLocal({ dirs: [dir], pageSize: 64 * 1024, sizes: [MIB] });
    try {
      const f = testFile('replaced.bin');
      const data = pageData(64 * 1024);
      await store.put(f.fileId, 0, data, f);
      assert.deepEqual(Buffer.from((await store.get(f.fileId, 0, f.version))!), data); // checks it
      // Someone renames other bytes onto the page's path (as a page write of another version would).
      const path = new PageLayout(dir, 64 * 1024, store.buckets).pagePath(f.fileId, 0);
      await fsp.writeFile(`${path}.other`, pageData(64 * 1024));
      await fsp.rename(`${path}.other`, path);
      const got = await store.get(f.fileId, 0, f.version, { offset: 1000, length: 4096 });
      assert.ok(got === null || Buffer.from(got).equals(data.subarray(1000, 5096)), 'the range is the checked page\'s bytes or a miss');
      // Replaced through the store with a new version: the new one is served, the old one misses
      // (and, by the store's rule, a get of another version drops the file's pages).
      const v2 = { ...f, version: 'v2' };
      const data2 = pageData(64 * 1024);
      await store.put(f.fileId, 0, data2, v2);
      for (let round = 0; round < 2; round++) {
        assert.deepEqual(Buffer.from((await store.get(f.fileId, 0, 'v2', { offset: 1000, length: 4096 }))!), data2.subarray(1000, 5096));
      }
      assert.equal(await store.get(f.fileId, 0, f.version, { offset: 1000, length: 4096 }), null);
    } finally {
      await store.close();
    }
  });

  it('LOCAL: an evicted page misses on a ranged read (the caller fetches it again)', async () => {
    const store = await openLocal({ dirs: [await freshDir()], pageSize: 64 * 1024, sizes: [4 * 64 * 1024], evictor: 'FIFO' });
    try {
      const f = testFile('evicted.bin');
      const pages = Array.from({ length: 6 }, () => pageData(64 * 1024));
      await store.put(f.fileId, 0, pages[0]!, f);
      assert.ok(await store.get(f.fileId, 0, f.version)); // its descriptor is checked and open
      for (let i = 1; i < 6; i++) await store.put(f.fileId, i, pages[i]!, f);
      assert.equal(store.has(f.fileId, 0), false, 'page 0 was evicted (FIFO, 4 pages fit)');
      assert.equal(await store.get(f.fileId, 0, f.version, { offset: 0, length: 4096 }), null);
      assert.deepEqual(Buffer.from((await store.get(f.fileId, 5, f.version, { offset: 4096, length: 4096 }))!), pages[5]!.subarray(4096, 8192));
    } finally {
      await store.close();
    }
  });
});

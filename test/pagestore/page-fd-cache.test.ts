import assert from 'node:assert/strict';
import * as fsp from 'node:fs/promises';
import { readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PageFdCache } from '../../src/pagestore/page-fd-cache.js';
import { bucketOf } from '../../src/pagestore/page-layout.js';
import { waitFor } from '../support/etcd.js';
import { makeTempDir, type TempDir } from '../support/tmp.js';
import { openLocal, pageData, testFile } from './helpers.js';

const PS = 4096;

/** Descriptors this process holds open on files under `dir`. */
function openUnder(dir: string): number {
  let n = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`).startsWith(dir + '/')) n++;
    } catch { /* closed meanwhile */ }
  }
  return n;
}

/** Closes are not awaited by the cache: waits (polling) until at most `n` page files are open; returns the count. */
async function closedDownTo(dir: string, n: number, what = `at most ${n} open page files`): Promise<number> {
  let count = openUnder(dir);
  await waitFor(what, () => (count = openUnder(dir)) <= n, 15_000, 10);
  return count;
}

describe('PageFdCache', () => {
  let tmp: TempDir;
  before(async () => { tmp = await makeTempDir('fdcache-'); });
  after(async () => { await tmp.cleanup(); });

  it('keeps one descriptor per key, at most maxOpen, least recently used out first', async () => {
    const dir = join(tmp.path, 'lru');
    await fsp.mkdir(dir);
    const keys = [{}, {}, {}];
    const data = keys.map(() => pageData(PS));
    for (let i = 0; i < 3; i++) await fsp.writeFile(join(dir, String(i)), data[i]!);
    const cache = new PageFdCache<object>(2);
    const buf = Buffer.alloc(PS);
    for (const i of [0, 1, 0, 1]) {
      assert.equal(await cache.read(keys[i]!, join(dir, String(i)), buf, PS), PS);
      assert.deepEqual(buf, data[i]);
    }
    assert.equal(openUnder(dir), 2, 'two keys read four times: two descriptors');
    await cache.read(keys[2]!, join(dir, '2'), buf, PS); // pushes out key 1, the least recently used
    assert.deepEqual(buf, data[2]);
    assert.equal(cache.size, 2);
    assert.equal(await closedDownTo(dir, 2), 2); // closes are not waited for
    cache.dropAll();
    await closedDownTo(dir, 0);
  });

  it('a key dropped during its read is closed once the read ends; a failed open is not kept', async () => {
    const dir = join(tmp.path, 'drop');
    await fsp.mkdir(dir);
    const data = pageData(PS);
    await fsp.writeFile(join(dir, 'p'), data);
    const cache = new PageFdCache<object>(8);
    const key = {};
    const buf = Buffer.alloc(PS);
    const reading = cache.read(key, join(dir, 'p'), buf, PS);
    cache.drop(key);
    assert.equal(await reading, PS);
    assert.deepEqual(buf, data);
    await closedDownTo(dir, 0);
    await assert.rejects(cache.read({}, join(dir, 'missing'), buf, PS), { code: 'ENOENT' });
    assert.equal(cache.size, 0);
  });

  it('maxOpen 0 opens and closes per read', async () => {
    const dir = join(tmp.path, 'none');
    await fsp.mkdir(dir);
    const data = pageData(100);
    await fsp.writeFile(join(dir, 'p'), data);
    const cache = new PageFdCache<object>(0);
    const buf = Buffer.alloc(PS);
    assert.equal(await cache.read({}, join(dir, 'p'), buf, PS), 100, 'a short file reads what it has');
    assert.deepEqual(buf.subarray(0, 100), data);
    await closedDownTo(dir, 0);
  });
});

describe('LocalPageStore with open page files', () => {
  let tmp: TempDir;
  before(async () => { tmp = await makeTempDir('fdstore-'); });
  after(async () => { await tmp.cleanup(); });
  const pagePath = (dir: string, fileId: string, i: number) => join(dir, 'LOCAL', String(PS), String(bucketOf(fileId)), fileId, String(i));

  it('a page replaced with new bytes is read new, not through the old descriptor', async () => {
    const dir = join(tmp.path, 'replace');
    const store = await openLocal({ dirs: [dir], pageSize: PS });
    const f = testFile('replaced');
    const v1 = pageData(PS);
    const v2 = pageData(PS);
    await store.put(f.fileId, 0, v1, f);
    assert.deepEqual(await store.get(f.fileId, 0, 'v1'), v1);
    await store.put(f.fileId, 0, v2, f);
    assert.deepEqual(await store.get(f.fileId, 0, 'v1'), v2);
    await store.close();
    await closedDownTo(dir, 0, 'close() closes every page file');
  });

  it('a page corrupted on disk after it was read (and kept open) is still caught by its checksum', async () => {
    const dir = join(tmp.path, 'corrupt');
    const store = await openLocal({ dirs: [dir], pageSize: PS });
    const f = testFile('flipped');
    const data = pageData(PS);
    await store.put(f.fileId, 0, data, f);
    assert.deepEqual(await store.get(f.fileId, 0, 'v1'), data);
    const h = await fsp.open(pagePath(dir, f.fileId, 0), 'r+');
    await h.write(Buffer.from([data[100]! ^ 0xff]), 0, 1, 100); // in place: the open descriptor sees it
    await h.close();
    assert.equal(await store.get(f.fileId, 0, 'v1'), null);
    assert.ok(!store.has(f.fileId, 0));
    await closedDownTo(dir, 0, 'the dropped page file is closed');
    await store.close();
  });

  it('evicted pages close their descriptors: open page files stay bounded by the cache', async () => {
    const dir = join(tmp.path, 'evict');
    const store = await openLocal({ dirs: [dir], pageSize: PS, sizes: [8 * PS], maxOpenPageFiles: 64 });
    const f = testFile('many');
    for (let i = 0; i < 24; i++) {
      await store.put(f.fileId, i, pageData(PS), f);
      assert.ok(await store.get(f.fileId, i, 'v1'));
    }
    await closedDownTo(dir, 8, 'open page files bounded by the 8 cached pages');
    await store.close();
  });
});

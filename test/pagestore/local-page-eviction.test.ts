import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { metrics } from '../../src/common/metrics.js';
import type { EvictorType } from '../../src/pagestore/evictor.js';
import { makeTempDir, type TempDir } from '../support/tmp.js';
import { listPageFiles, openLocal, pageData, testFile } from './helpers.js';

const PS = 2048;
const CAPACITY_PAGES = 10;

describe('LocalPageStore eviction (3x capacity written)', () => {
  let tmp: TempDir;
  before(async () => { tmp = await makeTempDir('pagestore-evict-'); });
  after(async () => { await tmp.cleanup(); });

  /** Writes 30 one-page files into a 10-page store; `between` runs before each put after the first 10. */
  async function run(evictor: EvictorType, warmup: (get: (i: number) => Promise<Buffer | null>) => Promise<void>,
    between: (get: (i: number) => Promise<Buffer | null>) => Promise<void>): Promise<{ survivors: number[]; evicted: number }> {
    const dir = `${tmp.path}/${evictor}`;
    const store = await openLocal({ dirs: [dir], sizes: [CAPACITY_PAGES * PS], pageSize: PS, evictor });
    const files = Array.from({ length: 3 * CAPACITY_PAGES }, (_, i) => testFile(`${evictor}/${i}`));
    const datas = files.map(() => pageData(PS));
    const get = async (i: number): Promise<Buffer | null> => {
      const b = await store.get(files[i]!.fileId, 0, 'v1');
      if (b !== null) assert.deepEqual(b, datas[i]);
      return b;
    };
    const evicted0 = (await metrics.cachedEvictedBytes.get()).values[0]?.value ?? 0;
    for (let i = 0; i < files.length; i++) {
      if (i === CAPACITY_PAGES) await warmup(get);
      if (i >= CAPACITY_PAGES) await between(get);
      await store.put(files[i]!.fileId, 0, datas[i]!, files[i]!);
      assert.ok(store.stats().usedBytes <= CAPACITY_PAGES * PS, `over capacity after put ${i}`);
    }
    const survivors = files.map((f, i) => (store.has(f.fileId, 0) ? i : -1)).filter((i) => i >= 0);
    const st = store.stats();
    assert.equal(st.pages, CAPACITY_PAGES);
    assert.equal(st.evictedBytes, 2 * CAPACITY_PAGES * PS);
    assert.equal((await metrics.cachedEvictedBytes.get()).values[0]!.value - evicted0, 2 * CAPACITY_PAGES * PS);
    await store.flush();
    assert.equal((await listPageFiles(dir)).length, CAPACITY_PAGES, 'evicted page files are deleted from disk');
    for (const i of survivors) assert.notEqual(await get(i), null);
    await store.close();
    return { survivors, evicted: st.evictedBytes };
  }

  const last = (n: number): number[] => Array.from({ length: n }, (_, k) => 3 * CAPACITY_PAGES - n + k);

  it('LRU: pages read recently survive, the rest go least recently used first', async () => {
    const { survivors } = await run('LRU', async () => {}, async (get) => {
      await get(0);
      await get(1);
    });
    assert.deepEqual(survivors, [0, 1, ...last(CAPACITY_PAGES - 2)]);
  });

  it('LFU: pages read often survive', async () => {
    const { survivors } = await run('LFU', async (get) => {
      for (let k = 0; k < 5; k++) {
        await get(3);
        await get(4);
      }
    }, async () => {});
    assert.deepEqual(survivors, [3, 4, ...last(CAPACITY_PAGES - 2)]);
  });

  it('FIFO: the oldest inserted pages go first even when read', async () => {
    const { survivors } = await run('FIFO', async (get) => {
      for (let k = 0; k < 5; k++) await get(0);
    }, async (get) => {
      await get(0); // read until it is evicted
      await get(1);
    });
    assert.deepEqual(survivors, last(CAPACITY_PAGES));
  });

  it('LRU: a page a short-circuit client read from its file (touch) counts as used; a touch of another version does not', async () => {
    // No get: the read happened outside the store and was reported (worker/local-pages-route.ts).
    const dir = `${tmp.path}/touch`;
    const store = await openLocal({ dirs: [dir], sizes: [CAPACITY_PAGES * PS], pageSize: PS, evictor: 'LRU' });
    const files = Array.from({ length: CAPACITY_PAGES + 2 }, (_, i) => testFile(`touch/${i}`));
    for (let i = 0; i < CAPACITY_PAGES; i++) await store.put(files[i]!.fileId, 0, pageData(PS), files[i]!);
    assert.equal(store.touch(files[0]!.fileId, 0, 'v1'), true);
    assert.equal(store.touch(files[1]!.fileId, 0, 'v0'), false, 'another version is not that page');
    assert.equal(store.touch(files[2]!.fileId, 5, 'v1'), false, 'a page not cached');
    for (let i = CAPACITY_PAGES; i < CAPACITY_PAGES + 2; i++) await store.put(files[i]!.fileId, 0, pageData(PS), files[i]!);
    assert.ok(store.has(files[0]!.fileId, 0), 'the touched page was evicted');
    assert.ok(!store.has(files[1]!.fileId, 0) && !store.has(files[2]!.fileId, 0), 'the least recently used pages stay');
    await store.close();
  });
});

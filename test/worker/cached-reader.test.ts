// The worker's read path over a real local UFS directory and a real on-disk page store.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { renameSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { createPageStore } from '../../src/pagestore/index.js';
import type { PageStore } from '../../src/pagestore/page-store.js';
import { createUfs } from '../../src/ufs/registry.js';
import type { ReadOptions, UnderFileSystem } from '../../src/ufs/under-file-system.js';
import { CachedReader } from '../../src/worker/cached-reader.js';
import { DataPath } from '../../src/worker/data-path.js';
import { fileIdOf } from '../../src/pagestore/index.js';
import { makeTempDir, type TempDir } from '../support/tmp.js';

const PAGE = 4096;

/** Counts what reaches the UFS: calls and bytes. */
class CountingUfs {
  reads = 0;
  bytes = 0;
  constructor(readonly inner: UnderFileSystem) {}
  wrap(): UnderFileSystem {
    return new Proxy(this.inner, {
      get: (target, prop) => {
        if (prop === 'openRead') {
          return async (uri: string, off: number, len: number, o?: ReadOptions) => {
            this.reads++;
            const s: Readable = await target.openRead(uri, off, len, o);
            s.on('data', (c: Buffer) => { this.bytes += c.length; });
            return s;
          };
        }
        const v = (target as unknown as Record<string | symbol, unknown>)[prop];
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
  }
}

/** A range through the worker's data path (open at the current version, then stream). */
async function openRead(reader: CachedReader, ufs: UnderFileSystem, uri: string, offset: number, length: number): Promise<{ length: number; stream: Readable }> {
  const data = new DataPath(reader);
  return data.stream(await data.open({ path: uri, ufs, ufsUri: uri }), offset, length);
}

async function readAll(s: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of s) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

describe('CachedReader', () => {
  let tmp: TempDir;
  let store: PageStore;
  let n = 0;
  before(async () => { tmp = await makeTempDir('alluxio-reader-'); });
  after(async () => { await tmp.cleanup(); });

  async function setup(ttlMs: number, readAheadPages = 0) {
    const dir = join(tmp.path, `case-${n++}`);
    store = createPageStore({ type: 'LOCAL', dirs: [join(dir, 'cache')], sizes: [64 * PAGE], pageSize: PAGE, reservedBytes: 0, evictor: 'LRU', buckets: 1000, checksum: true });
    await store.open();
    const ufsDir = join(dir, 'ufs');
    const counting = new CountingUfs(createUfs(`file://${ufsDir}/`));
    await counting.inner.mkdir(`file://${ufsDir}/`);
    const reader = new CachedReader(store, { readAheadPages, metadataTtlMs: ttlMs, metadataMaxSize: 100 });
    return { reader, ufs: counting.wrap(), counting, ufsDir };
  }

  test('concurrent misses of the same pages are one UFS read', async () => {
    const { reader, ufs, counting, ufsDir } = await setup(60_000);
    const data = randomBytes(4 * PAGE + 100);
    writeFileSync(join(ufsDir, 'f'), data);
    const uri = `file://${ufsDir}/f`;
    const results = await Promise.all(Array.from({ length: 8 }, async () => readAll((await openRead(reader, ufs, uri, 0, -1)).stream)));
    for (const r of results) assert.ok(r.equals(data));
    assert.equal(counting.bytes, data.length, 'each byte was read from the UFS once');
    const again = await readAll((await openRead(reader, ufs, uri, PAGE + 10, 2 * PAGE)).stream);
    assert.ok(again.equals(data.subarray(PAGE + 10, 3 * PAGE + 10)));
    assert.equal(counting.bytes, data.length, 'a cached range does not touch the UFS');
    await store.close();
  });

  test('ranges across page boundaries and at the end are exact; bad ranges are refused', async () => {
    const { reader, ufs, ufsDir } = await setup(60_000);
    const data = randomBytes(3 * PAGE + 5);
    writeFileSync(join(ufsDir, 'g'), data);
    const uri = `file://${ufsDir}/g`;
    for (const [off, len] of [[0, 1], [PAGE - 1, 2], [PAGE, PAGE], [3 * PAGE, 5], [3 * PAGE + 4, 100], [17, -1]] as const) {
      const { stream, length } = await openRead(reader, ufs, uri, off, len);
      const want = data.subarray(off, len === -1 ? undefined : off + len);
      assert.equal(length, want.length);
      assert.ok((await readAll(stream)).equals(want), `range ${off}+${len}`);
    }
    await assert.rejects(openRead(reader, ufs, uri, -1, 5), /offset -1/);
    await assert.rejects(openRead(reader, ufs, uri, 0, -7), /length -7/);
    await assert.rejects(openRead(reader, ufs, uri, data.length + 1, 1), /past the end/);
    await store.close();
  });

  test('an overwrite is served new after the TTL and a read never mixes versions', async () => {
    const { reader, ufs, ufsDir } = await setup(0);
    const path = join(ufsDir, 'h');
    const uri = `file://${ufsDir}/h`;
    const v1 = Buffer.alloc(4 * PAGE, 1);
    writeFileSync(path, v1);
    assert.ok((await readAll((await openRead(reader, ufs, uri, 0, 2 * PAGE)).stream)).equals(v1.subarray(0, 2 * PAGE)));
    const v2 = Buffer.alloc(4 * PAGE, 2); // same length: only the mtime tells the versions apart
    writeFileSync(path, v2);
    utimesSync(path, new Date(), new Date(Date.now() + 5000));
    const all = await readAll((await openRead(reader, ufs, uri, 0, -1)).stream);
    assert.ok(all.equals(v2), 'stale cached pages were served after the TTL');
    await store.close();
  });

  test('a file that changes under a read fails the read instead of mixing', async () => {
    const { reader, ufs, ufsDir } = await setup(60_000);
    const path = join(ufsDir, 'k');
    const uri = `file://${ufsDir}/k`;
    writeFileSync(path, Buffer.alloc(4 * PAGE, 1));
    await readAll((await openRead(reader, ufs, uri, 0, PAGE)).stream); // page 0 of v1 cached, status cached
    writeFileSync(path, Buffer.alloc(4 * PAGE, 2));
    utimesSync(path, new Date(), new Date(Date.now() + 5000));
    const { stream } = await openRead(reader, ufs, uri, 0, -1); // status still v1 (TTL), page 0 is v1
    await assert.rejects(readAll(stream), (err: Error & { code?: string }) => err.code === 'ALX_ERR_STALE');
    // The failed read dropped the stale status: the next read is all v2.
    assert.ok((await readAll((await openRead(reader, ufs, uri, 0, -1)).stream)).equals(Buffer.alloc(4 * PAGE, 2)));
    await store.close();
  });

  test('a replacement that restores the mtime (cp -p, rsync -a) is served new after the TTL, never mixed', async () => {
    const { reader, ufs, ufsDir } = await setup(0);
    const path = join(ufsDir, 'cpp');
    const uri = `file://${ufsDir}/cpp`;
    const when = new Date('2024-03-01T10:00:00Z');
    writeFileSync(path, Buffer.alloc(4 * PAGE, 1));
    utimesSync(path, when, when);
    assert.ok((await readAll((await openRead(reader, ufs, uri, 0, -1)).stream)).equals(Buffer.alloc(4 * PAGE, 1)));
    // The same inode rewritten with the same length, its mtime put back.
    await new Promise((r) => setTimeout(r, 20));
    writeFileSync(path, Buffer.alloc(4 * PAGE, 2));
    utimesSync(path, when, when);
    assert.ok((await readAll((await openRead(reader, ufs, uri, 0, -1)).stream)).equals(Buffer.alloc(4 * PAGE, 2)), 'a rewrite with the mtime restored served cached old pages');
    // A copy renamed over the path (a new inode), mtime put back.
    writeFileSync(path + '.tmp', Buffer.alloc(4 * PAGE, 3));
    utimesSync(path + '.tmp', when, when);
    renameSync(path + '.tmp', path);
    assert.ok((await readAll((await openRead(reader, ufs, uri, 0, -1)).stream)).equals(Buffer.alloc(4 * PAGE, 3)), 'a file renamed over the path served cached old pages');
    await store.close();
  });

  test('single flight: a reader that looked in the store while another started the load joins it', async () => {
    const { reader, ufs, counting, ufsDir } = await setup(60_000);
    const data = randomBytes(4 * PAGE);
    writeFileSync(join(ufsDir, 'sf'), data);
    const uri = `file://${ufsDir}/sf`;
    const dp = new DataPath(reader);
    const f = await dp.open({ path: uri, ufs, ufsUri: uri });
    // Both readers look for page 0 (an await on the store) before either registers its load: the
    // check must be repeated where the load is registered, or both read the UFS.
    const [a, b] = await Promise.all([readAll(reader.openRange(f, 0, f.length, false)), readAll(reader.openRange(f, 0, f.length, false))]);
    assert.ok(a.equals(data) && b.equals(data));
    assert.equal(counting.reads, 1, 'two concurrent readers of the same pages made two UFS reads');
    assert.equal(counting.bytes, data.length, 'each byte was read from the UFS once');
    await store.close();
  });

  test('sequential reads prefetch the next pages', async () => {
    const { reader, ufs, counting, ufsDir } = await setup(60_000, 2);
    const data = randomBytes(8 * PAGE);
    writeFileSync(join(ufsDir, 's'), data);
    const uri = `file://${ufsDir}/s`;
    await readAll((await openRead(reader, ufs, uri, 0, PAGE)).stream);
    await readAll((await openRead(reader, ufs, uri, PAGE, PAGE)).stream); // sequential: pages 2 and 3 are prefetched
    const deadline = Date.now() + 15_000; // generous: a loaded CI machine is slow
    while (!(store.has(fileIdFor(uri), 2) && store.has(fileIdFor(uri), 3)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.ok(store.has(fileIdFor(uri), 3), 'page 3 was prefetched');
    const before = counting.bytes;
    await readAll((await openRead(reader, ufs, uri, 2 * PAGE, 2 * PAGE)).stream);
    assert.equal(counting.bytes - before, 0, 'prefetched pages were served from the cache');
    await store.close();
  });
});


function fileIdFor(uri: string): string {
  return fileIdOf(uri);
}

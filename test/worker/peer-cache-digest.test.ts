// The cache digest a previous owner sends after a ring change (src/worker/peer-cache-digest.ts):
// built from a real page store, it lists every cached file, round-trips through its wire form,
// and a body that is not a digest is refused with the reason.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createPageStore, fileIdOf, type PageStore } from '../../src/pagestore/index.js';
import { digestHas, parseCacheDigest, serveCacheDigest } from '../../src/worker/peer-cache-digest.js';
import { makeTempDir, type TempDir } from '../support/tmp.js';

const PAGE = 4096;

describe('peer cache digest', () => {
  let tmp: TempDir;
  let store: PageStore;
  let server: Server;
  let url: string;
  const cached = Array.from({ length: 300 }, (_, i) => fileIdOf(`s3://bucket/cached/${i}`));
  const other = Array.from({ length: 300 }, (_, i) => fileIdOf(`s3://bucket/other/${i}`));

  before(async () => {
    tmp = await makeTempDir('alluxio-digest-');
    store = createPageStore({ type: 'LOCAL', dirs: [join(tmp.path, 'cache')], sizes: [4096 * PAGE], pageSize: PAGE, reservedBytes: 0, evictor: 'LRU', buckets: 100, checksum: true });
    await store.open();
    server = createServer((_req, res) => serveCacheDigest(store, res));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });

  after(async () => {
    await new Promise((r) => server?.close(r));
    await store?.close();
    await tmp?.cleanup();
  });

  const fetchDigest = async () => parseCacheDigest(Buffer.from(await (await fetch(url)).arrayBuffer()));

  test('an empty store sends an empty digest; a store lists every file it has pages of', async () => {
    assert.equal((await fetchDigest()).length, 0);
    for (const [i, id] of cached.entries()) await store.put(id, i % 3, Buffer.alloc(100, i), { ufsUri: `s3://bucket/cached/${i}`, version: 'v1' });
    const keys = await fetchDigest();
    assert.equal(keys.length, cached.length);
    for (const id of cached) assert.ok(digestHas(keys, id), `${id} missing from the digest`);
    // 32-bit keys: a false "has" among 300 other files is possible in theory, not in practice.
    assert.equal(other.filter((id) => digestHas(keys, id)).length, 0);
    await store.deleteFile(cached[0]!);
    assert.ok(!digestHas(await fetchDigest(), cached[0]!), 'a dropped file is still in the digest');
  });

  test('a body that is not a digest is refused with the reason', () => {
    assert.throws(() => parseCacheDigest(Buffer.alloc(6)), /multiple of 4 bytes/);
    const unsorted = Buffer.alloc(8);
    unsorted.writeUInt32BE(9, 0);
    unsorted.writeUInt32BE(3, 4);
    assert.throws(() => parseCacheDigest(unsorted), /ascending order/);
  });
});

// What the hit-rate counters count: user reads only. A job load's bytes go to
// alluxio_job_loaded_bytes_total and pages taken from the previous owner after a ring change to
// alluxio_peer_page_read_bytes_total; neither is a hit or a miss. Real local UFS and page store;
// the previous owner is a PageSource serving the file's bytes from memory.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { metrics } from '../../src/common/metrics.js';
import { createPageStore, fileIdOf } from '../../src/pagestore/index.js';
import { createUfs } from '../../src/ufs/registry.js';
import { ufsVersion } from '../../src/ufs/under-file-system.js';
import { CachedReader, type ReadTarget } from '../../src/worker/cached-reader.js';
import type { PageRequest, PageSource } from '../../src/worker/peer-page-source.js';
import { waitFor } from '../support/etcd.js';
import { makeTempDir, type TempDir } from '../support/tmp.js';

const PAGE = 4096;
const counter = async (c: { get(): Promise<{ values: { value: number }[] }> }) => (await c.get()).values.reduce((n, v) => n + v.value, 0);

/** A previous owner that has every page of `data`. */
class MemoryPeer implements PageSource {
  bytes = 0;
  constructor(private readonly data: Buffer) {}
  async openPages(r: PageRequest): Promise<{ count: number; stream: Readable }> {
    const count = r.last - r.first + 1;
    return { count, stream: Readable.from([this.data.subarray(r.first * PAGE, Math.min((r.last + 1) * PAGE, this.data.length))]) };
  }
  recordBytes(n: number): void {
    this.bytes += n;
    metrics.peerReadBytes.inc(n); // what PreviousOwnerPageSource does
  }
}

async function drain(s: Readable): Promise<number> {
  let n = 0;
  for await (const c of s) n += (c as Buffer).length;
  return n;
}

describe('hit-rate counters count user reads only', () => {
  let tmp: TempDir;
  const data = randomBytes(4 * PAGE);
  let n = 0;
  before(async () => { tmp = await makeTempDir('alluxio-hitrate-'); });
  after(async () => { await tmp.cleanup(); });

  async function setup(peer?: PageSource) {
    const dir = join(tmp.path, `case-${n++}`);
    const store = createPageStore({ type: 'LOCAL', dirs: [join(dir, 'cache')], sizes: [64 * PAGE], pageSize: PAGE, reservedBytes: 0, evictor: 'LRU', buckets: 100, checksum: true });
    await store.open();
    const ufs = createUfs(`file://${dir}/ufs/`);
    await ufs.mkdir(`file://${dir}/ufs/`);
    writeFileSync(join(dir, 'ufs', 'f.bin'), data);
    const reader = new CachedReader(store, { readAheadPages: 0, metadataTtlMs: 60_000, metadataMaxSize: 100, ...(peer ? { peer } : {}) });
    const ufsUri = `file://${dir}/ufs/f.bin`;
    const s = await reader.status(ufs, ufsUri);
    const target = (purpose?: 'load'): ReadTarget => ({ ufs, ufsUri, fileId: fileIdOf(ufsUri), version: ufsVersion(s), length: s.length, ...(purpose ? { purpose } : {}) });
    return { reader, store, target };
  }

  test('a user read misses, then hits; a load counts as neither', async () => {
    const { reader, target } = await setup();
    const hit0 = await counter(metrics.cachedDataReadBytes);
    const miss0 = await counter(metrics.missedDataReadBytes);
    const load0 = await counter(metrics.jobLoadedBytes);
    // A load of the first half: job bytes, not a miss.
    assert.equal(await drain(reader.openRange(target('load'), 0, 2 * PAGE, false)), 2 * PAGE);
    assert.equal(await counter(metrics.jobLoadedBytes) - load0, 2 * PAGE);
    assert.equal(await counter(metrics.missedDataReadBytes) - miss0, 0, 'a load counted as a cache miss');
    // A user read of everything: the loaded half hits, the rest misses.
    assert.equal(await drain(reader.openRange(target(), 0, data.length, false)), data.length);
    assert.equal(await counter(metrics.cachedDataReadBytes) - hit0, 2 * PAGE);
    assert.equal(await counter(metrics.missedDataReadBytes) - miss0, 2 * PAGE);
    // A load of cached pages is not a hit either.
    await drain(reader.openRange(target('load'), 0, data.length, false));
    assert.equal(await counter(metrics.cachedDataReadBytes) - hit0, 2 * PAGE, 'a load counted as a cache hit');
  });

  test('pages taken from the previous owner count on their own series, not as misses', async () => {
    const peer = new MemoryPeer(data);
    const { reader, store, target } = await setup(peer);
    const miss0 = await counter(metrics.missedDataReadBytes);
    const peer0 = await counter(metrics.peerReadBytes);
    assert.equal(await drain(reader.openRange(target(), 0, data.length, false)), data.length);
    assert.equal(peer.bytes, data.length, 'every page came from the peer');
    assert.equal(await counter(metrics.peerReadBytes) - peer0, data.length);
    assert.equal(await counter(metrics.missedDataReadBytes) - miss0, 0, 'a peer fetch counted as a cache miss');
    await waitFor('peer pages cached', async () => store.has(fileIdOf(target().ufsUri), 3), 15_000, 20);
  });
});

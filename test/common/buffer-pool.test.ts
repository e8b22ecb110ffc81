import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BufferPool, SizedBufferPools } from '../../src/common/buffer-pool.js';
import { crc32 } from '../../src/common/crc32.js';
import { crc32 as zlibCrc32 } from 'node:zlib';
import { randomBytes } from 'node:crypto';

describe('BufferPool', () => {
  it('reuses a released buffer, also when released through a subarray view', () => {
    const pool = new BufferPool(1024, 4);
    const a = pool.acquire();
    assert.equal(a.length, 1024);
    pool.release(a.subarray(10, 20));
    assert.equal(pool.freeCount, 1);
    const b = pool.acquire();
    assert.equal(b.buffer, a.buffer);
    assert.equal(pool.freeCount, 0);
  });

  it('ignores buffers it did not lend and double releases', () => {
    const pool = new BufferPool(1024, 4);
    pool.release(Buffer.alloc(1024));
    pool.release(Buffer.allocUnsafeSlow(1024));
    assert.equal(pool.freeCount, 0);
    const a = pool.acquire();
    pool.release(a);
    pool.release(a);
    assert.equal(pool.freeCount, 1);
    // two acquires never share memory
    const x = pool.acquire();
    const y = pool.acquire();
    assert.notEqual(x.buffer, y.buffer);
  });

  it('keeps at most maxFree buffers', () => {
    const pool = new BufferPool(64, 2);
    const bufs = [pool.acquire(), pool.acquire(), pool.acquire()];
    for (const b of bufs) pool.release(b);
    assert.equal(pool.freeCount, 2);
  });
});

describe('SizedBufferPools', () => {
  it('lends a short buffer as a view of the smallest pooled size that holds it, and reuses it once released', () => {
    const pools = new SizedBufferPools(1 << 20, 64 << 20);
    const a = pools.acquire(256 * 1024 - 5); // a file a bit shorter than a quarter page
    assert.equal(a.length, 256 * 1024 - 5);
    assert.equal(a.buffer.byteLength, 256 * 1024);
    assert.equal(pools.footprint(a.length), 256 * 1024);
    pools.retain(a.subarray(100)); // a second holder, through another view
    pools.release(a);
    const b = pools.acquire(200_000);
    assert.notEqual(b.buffer, a.buffer, 'still held by the second holder');
    pools.release(a.subarray(0, 1));
    const c = pools.acquire(70_000); // 65,536 < 70,000 <= 262,144: the same size class
    assert.equal(c.buffer, a.buffer);
    assert.equal(c.length, 70_000);
    const full = pools.acquire(1 << 20);
    assert.equal(full.length, 1 << 20);
    assert.equal(full.buffer.byteLength, 1 << 20);
    const sixteenth = pools.acquire(20_000);
    assert.equal(sixteenth.buffer.byteLength, 64 * 1024);
    pools.release(b);
  });

  it('does not pool a tiny buffer (it would hold more than 4x its length)', () => {
    const pools = new SizedBufferPools(1 << 20, 64 << 20);
    const t = pools.acquire(1000);
    assert.equal(t.length, 1000);
    assert.notEqual(t.buffer.byteLength, 64 * 1024);
    assert.equal(pools.footprint(1000), 1000);
    pools.release(t); // ignored
    assert.notEqual(pools.acquire(16_384).buffer, t.buffer);
  });

  it('ignores buffers it did not lend, of a pooled size too', () => {
    const pools = new SizedBufferPools(1 << 20, 64 << 20);
    const foreign = Buffer.allocUnsafeSlow(256 * 1024);
    pools.release(foreign);
    assert.notEqual(pools.acquire(256 * 1024).buffer, foreign.buffer);
  });
});

describe('crc32', () => {
  it('gives the values of zlib crc32, also when continued', () => {
    for (const n of [0, 1, 7, 4096, 100_003, 1 << 20]) {
      const b = randomBytes(n);
      assert.equal(crc32(b), zlibCrc32(b), `length ${n}`);
      const half = n >> 1;
      assert.equal(crc32(b.subarray(half), crc32(b.subarray(0, half))), zlibCrc32(b), `continued, length ${n}`);
    }
  });
});

describe('BufferPool references', () => {
  it('reuses a buffer only once every holder has released it', () => {
    const pool = new BufferPool(256, 4);
    const a = pool.acquire();
    pool.retain(a.subarray(0, 10)); // a consumer
    pool.retain(a); // a page write
    pool.release(a); // the loader
    pool.release(a.subarray(0, 10));
    assert.equal(pool.freeCount, 0, 'the page write still holds it');
    assert.notEqual(pool.acquire().buffer, a.buffer);
    pool.release(a);
    assert.equal(pool.freeCount, 1);
    assert.equal(pool.acquire().buffer, a.buffer);
  });

  it('retain on a buffer it did not lend, or gave back already, does nothing', () => {
    const pool = new BufferPool(256, 4);
    const foreign = Buffer.alloc(256);
    pool.retain(foreign);
    pool.release(foreign);
    assert.equal(pool.freeCount, 0);
    const a = pool.acquire();
    pool.release(a);
    pool.retain(a); // too late: it is free again
    const b = pool.acquire();
    assert.equal(b.buffer, a.buffer);
    pool.release(b);
    assert.equal(pool.freeCount, 1, 'the stale retain did not pin it');
  });
});

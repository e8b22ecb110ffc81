import assert from 'node:assert/strict';
import { test } from 'node:test';
import { murmur3_32 } from '../../src/hashring/murmur3.js';
import { KeyScratch, MAX_ATTEMPTS } from '../../src/hashring/policy-base.js';
import { ceilingIndex, higherIndex, sortRing } from '../../src/hashring/sorted-ring.js';

test('higherIndex is strictly greater (wrapping), ceilingIndex is greater-or-equal', () => {
  const keys = Int32Array.from([-100, 10, 20, 30]);
  assert.equal(higherIndex(keys, -2147483648), 0);
  assert.equal(higherIndex(keys, 10), 2);
  assert.equal(higherIndex(keys, 15), 2);
  assert.equal(higherIndex(keys, 30), 0);
  assert.equal(ceilingIndex(keys, 10), 1);
  assert.equal(ceilingIndex(keys, 30), 3);
  assert.equal(ceilingIndex(keys, 31), 0);
});

test('sortRing orders signed keys and resolves collisions by insertion order', () => {
  const points = Int32Array.from([5, -7, 2147483647, 5, -2147483648]);
  const owners = Int32Array.from([0, 1, 2, 3, 4]);
  const last = sortRing(points, owners, 'last');
  assert.deepEqual([...last.keys], [-2147483648, -7, 5, 2147483647]);
  assert.deepEqual([...last.owners], [4, 1, 3, 2]);
  const first = sortRing(points, owners, 'first');
  assert.deepEqual([...first.owners], [4, 1, 0, 2]);
});

test('KeyScratch hashes utf8(key) ++ int32LE(attempt) [++ int32LE(probe)] like a fresh buffer', () => {
  const scratch = new KeyScratch();
  const keys = ['', 's3://bucket/file-1', 'gs://b/ünïcødé/💰', `s3://b/${'x'.repeat(1000)}`, 'short'];
  for (const key of keys) {
    scratch.setKey(key);
    const utf8 = Buffer.from(key, 'utf8');
    assert.equal(scratch.hashKey(), murmur3_32(utf8), key);
    for (const attempt of [1, 2, MAX_ATTEMPTS, -1]) {
      const suffix = Buffer.alloc(8);
      suffix.writeInt32LE(attempt, 0);
      suffix.writeInt32LE(7, 4);
      assert.equal(scratch.hashAttempt(attempt), murmur3_32(Buffer.concat([utf8, suffix.subarray(0, 4)])));
      assert.equal(scratch.hashProbe(attempt, 7), murmur3_32(Buffer.concat([utf8, suffix])));
    }
  }
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { jumpConsistentHash } from '../../src/hashring/jump-hash-policy.js';

/** The paper's algorithm with BigInt 64-bit arithmetic, as the reference. */
function jumpReference(key: bigint, buckets: number): number {
  let b = -1n;
  let j = 0n;
  while (j < BigInt(buckets)) {
    b = j;
    key = BigInt.asUintN(64, key * 2862933555777941757n + 1n);
    j = BigInt(Math.floor(Number(b + 1n) * (2 ** 31 / Number((key >> 33n) + 1n))));
  }
  return Number(b);
}

test('jumpConsistentHash (32-bit halves) equals the 64-bit reference algorithm', () => {
  let s = 12345;
  const next = (): number => { s = (Math.imul(s, 1103515245) + 12345) >>> 0; return s; };
  const special = [[0, 0], [0xffffffff, 0xffffffff], [0, 1], [0x80000000, 0]];
  for (let i = 0; i < 5000; i++) {
    const [hi, lo] = i < special.length ? special[i]! : [next(), next()];
    const buckets = 1 + (next() % 2000);
    assert.equal(jumpConsistentHash(hi!, lo!, buckets), jumpReference((BigInt(hi!) << 32n) | BigInt(lo!), buckets),
      `key ${hi}:${lo}, ${buckets} buckets`);
  }
});

test('jumpConsistentHash: growing n buckets to n+1 only moves keys into the new bucket', () => {
  let moved = 0;
  for (let k = 0; k < 10_000; k++) {
    const a = jumpConsistentHash(k * 2654435761, k, 10);
    const b = jumpConsistentHash(k * 2654435761, k, 11);
    assert.ok(a >= 0 && a < 10);
    if (a !== b) { assert.equal(b, 10); moved++; }
  }
  assert.ok(moved > 10_000 / 11 * 0.8 && moved < 10_000 / 11 * 1.2, `moved ${moved}`);
  assert.equal(jumpConsistentHash(1, 2, 1), 0);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fmix32, murmur3_32, murmur3_32String } from '../../src/hashring/murmur3.js';

// Expected values from Guava's Murmur3Hash32Test (murmur3_32_fixed over UTF-8 bytes, read asInt()).
const GUAVA_UTF8: Array<[number, string]> = [
  [0, ''],
  [0xcfbda5d1 | 0, 'k'],
  [0xa167dbf3 | 0, 'hell'],
  [0x248bfa47, 'hello'],
  [0x3d41b97c, 'http://www.google.com/'],
  [0x2e4ff723, 'The quick brown fox jumps over the lazy dog'],
  [0xb5a4be05 | 0, 'ABCDefGHI\u0799'],
  [0xfc5ba834 | 0, '毎月１日,毎週月曜日'],
  [0x8a5c3699 | 0, 'surrogate pair: \uD83D\uDCB0'],
];

test('murmur3_32 matches Guava known string hashes (signed int32)', () => {
  for (const [expected, text] of GUAVA_UTF8) {
    assert.equal(murmur3_32String(text), expected, JSON.stringify(text));
  }
});

test('murmur3_32 matches Guava hashInt known values (int32 little-endian input)', () => {
  const cases: Array<[number, number]> = [
    [593689054, 0], [-189366624, -42], [-1134849565, 42],
    [-1718298732, -0x80000000], [-1653689534, 0x7fffffff],
  ];
  const buf = Buffer.alloc(4);
  for (const [expected, input] of cases) {
    buf.writeInt32LE(input);
    assert.equal(murmur3_32(buf), expected, String(input));
  }
});

test('murmur3_32 passes the SMHasher verification value 0xB0F57EE3 (covers seeds and tails)', () => {
  // SMHasher VerificationTest: hash bytes [0..i) with seed 256 - i for i < 256, then hash the
  // concatenated little-endian results with seed 0.
  const key = new Uint8Array(256);
  const hashes = Buffer.alloc(256 * 4);
  for (let i = 0; i < 256; i++) {
    key[i] = i;
    hashes.writeInt32LE(murmur3_32(key.subarray(0, i), 256 - i), i * 4);
  }
  assert.equal(murmur3_32(hashes, 0) >>> 0, 0xb0f57ee3);
});

test('murmur3_32 hashes only the first `length` bytes and reads seeds as uint32', () => {
  const data = Buffer.from('s3://bucket/file-1\x01\x00\x00\x00garbage');
  assert.equal(murmur3_32(data, 0, 22), murmur3_32(data.subarray(0, 22)));
  assert.notEqual(murmur3_32(data, 0, 22), murmur3_32(data));
  assert.equal(murmur3_32(data, 0xffffffff), murmur3_32(data, -1));
  assert.notEqual(murmur3_32(data, 1), murmur3_32(data, 0));
});

test('fmix32 is a bijection-like mixer: distinct inputs give distinct signed outputs', () => {
  const seen = new Set<number>();
  for (let i = 0; i < 10_000; i++) seen.add(fmix32(i));
  assert.equal(seen.size, 10_000);
  assert.equal(fmix32(0), 0);
  for (const v of seen) assert.ok(v >= -0x80000000 && v <= 0x7fffffff);
});

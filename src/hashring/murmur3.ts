// MurmurHash3 x86 32-bit, the function behind Guava's Hashing.murmur3_32_fixed() that Alluxio's
// hash ring uses. The result is read as a SIGNED int32, like Guava's HashCode.asInt() (the digest
// bytes are the little-endian int, so asInt() is the plain 32-bit value).
//
// Hot path: no allocations; the caller passes a length so a reused scratch buffer can be hashed
// without slicing it.

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

/** Guava's murmur3_32 finalizer ("fmix32"); also a good 32-bit mixer on its own. Signed result. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

/**
 * murmur3_32 (x86) of `data[0, length)` with `seed` (read as uint32), as a signed int32.
 * `length` defaults to the whole array.
 */
export function murmur3_32(data: Uint8Array, seed = 0, length = data.length): number {
  let h = seed | 0;
  const blocksEnd = length & ~3;
  let i = 0;
  for (; i < blocksEnd; i += 4) {
    let k = data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24);
    k = Math.imul(k, C1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, C2);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  const tail = length & 3;
  if (tail !== 0) {
    let k = 0;
    if (tail === 3) k ^= data[i + 2]! << 16;
    if (tail >= 2) k ^= data[i + 1]! << 8;
    k ^= data[i]!;
    k = Math.imul(k, C1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, C2);
    h ^= k;
  }
  h ^= length;
  return fmix32(h);
}

/** murmur3_32 of a string's UTF-8 bytes (allocates; for tests and build-time use). */
export function murmur3_32String(text: string, seed = 0): number {
  return murmur3_32(Buffer.from(text, 'utf8'), seed);
}

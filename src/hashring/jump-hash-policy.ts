// JUMP: Google's jump consistent hash (Lamping & Veach, 2014) over the workers sorted by identity.
// The key is hashed to 64 bits (two murmur3_32 with different seeds; Alluxio's JumpHashProvider
// sign-extends one 32-bit hash), and attempt a rehashes utf8(key) ++ int32LE(a) as Alluxio does.
//
// Jump hash only moves the minimum of keys when buckets are appended or the LAST one is removed.
// Buckets here are positions in the identity-sorted list, so a worker joining or leaving in the
// middle of that order shifts the buckets after it and moves many more keys than its share.

import { AttemptPolicy } from './policy-base.js';
import type { WorkerInfo } from './worker-info.js';

/** Seed of the murmur3 pass giving the low 32 bits of the 64-bit key. */
const LOW_WORD_SEED = 0x5bd1e995;

// The paper's 64-bit LCG multiplier 2862933555777941757 split into 32-bit halves.
const MUL_HI = 0x27bb2ee6;
const MUL_LO = 0x87b0b0fd;

/**
 * jump(key, buckets) for the unsigned 64-bit key keyHi:keyLo (each taken as uint32).
 * 64-bit arithmetic in 32-bit halves so the loop allocates nothing (no BigInt).
 */
export function jumpConsistentHash(keyHi: number, keyLo: number, buckets: number): number {
  let hi = keyHi >>> 0;
  let lo = keyLo >>> 0;
  let b = -1;
  let j = 0;
  while (j < buckets) {
    b = j;
    // (hi:lo) = (hi:lo) * MUL + 1 mod 2^64. First the full 64-bit product lo * MUL_LO.
    const a0 = lo & 0xffff;
    const a1 = lo >>> 16;
    const p00 = a0 * (MUL_LO & 0xffff);
    const p01 = a0 * (MUL_LO >>> 16);
    const p10 = a1 * (MUL_LO & 0xffff);
    const p11 = a1 * (MUL_LO >>> 16);
    const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
    const newLo = (((mid & 0xffff) << 16) | (p00 & 0xffff)) >>> 0;
    let newHi = p11 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16);
    newHi = (newHi + Math.imul(hi, MUL_LO) + Math.imul(lo, MUL_HI)) >>> 0;
    lo = (newLo + 1) >>> 0;
    hi = lo === 0 ? (newHi + 1) >>> 0 : newHi;
    // j = (b + 1) * (2^31 / ((key >>> 33) + 1))
    j = Math.floor((b + 1) * (2147483648 / ((hi >>> 1) + 1)));
  }
  return b;
}

export class JumpHashPolicy extends AttemptPolicy {
  readonly name = 'JUMP' as const;

  constructor(workers: readonly WorkerInfo[]) {
    super(workers, 'JUMP');
  }

  protected pick(attempt: number): number {
    const hi = this.scratch.hashAttempt(attempt);
    const lo = this.scratch.hashAttempt(attempt, LOW_WORD_SEED);
    return jumpConsistentHash(hi, lo, this.workers.length);
  }
}

// A hash ring as two parallel typed arrays: points sorted by signed int32 key, and the index of the
// worker owning each point. Lookups are a binary search with no allocation.

import { MAX_RING_POINTS } from './selection-options.js';

export interface SortedRing {
  /** Ring points, ascending signed int32, no duplicates. */
  readonly keys: Int32Array;
  /** owners[i] = index (into the policy's sorted worker list) of the worker owning keys[i]. */
  readonly owners: Int32Array;
}

const TWO_POW_31 = 2 ** 31;
const SEQ_SCALE = MAX_RING_POINTS; // 2^20: (key + 2^31) * 2^20 + seq stays below 2^52, exact in a double

/**
 * Sorts points (given in insertion order) into a ring. When two points share a key, `keep`
 * decides which survives: 'last' mirrors a TreeMap.put (later insertion wins), 'first' keeps the first.
 */
export function sortRing(points: Int32Array, owners: Int32Array, keep: 'first' | 'last'): SortedRing {
  const n = points.length;
  if (n > MAX_RING_POINTS) throw new RangeError(`ring of ${n} points exceeds ${MAX_RING_POINTS}`);
  // Pack (key, insertion sequence) into one double so a native numeric sort orders both at once.
  const packed = new Float64Array(n);
  for (let i = 0; i < n; i++) packed[i] = (points[i]! + TWO_POW_31) * SEQ_SCALE + i;
  packed.sort();
  const keys = new Int32Array(n);
  const own = new Int32Array(n);
  let m = 0;
  for (let i = 0; i < n; i++) {
    const seq = packed[i]! % SEQ_SCALE;
    const key = points[seq]!;
    if (m > 0 && keys[m - 1] === key) {
      if (keep === 'last') own[m - 1] = owners[seq]!;
      continue;
    }
    keys[m] = key;
    own[m] = owners[seq]!;
    m++;
  }
  return { keys: keys.slice(0, m), owners: own.slice(0, m) };
}

/** Index of the first key strictly greater than `h`, wrapping to 0 (TreeMap.higherEntry). */
export function higherIndex(keys: Int32Array, h: number): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid]! > h) hi = mid;
    else lo = mid + 1;
  }
  return lo === keys.length ? 0 : lo;
}

/** Index of the first key greater than or equal to `h`, wrapping to 0 (TreeMap.ceilingEntry). */
export function ceilingIndex(keys: Int32Array, h: number): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid]! >= h) hi = mid;
    else lo = mid + 1;
  }
  return lo === keys.length ? 0 : lo;
}

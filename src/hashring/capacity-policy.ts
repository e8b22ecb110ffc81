// CAPACITY (ours; Alluxio has no such policy): weighted rendezvous hashing. For key K every worker
// scores  w / -ln(u)  with u = a hash of (K, worker) in (0, 1) and w = its capacityBytes; the
// highest score owns the key and the rest of the ranking is the fallback order. A worker then owns
// w / sum(w) of the keys (twice the capacity, about twice the keys), and a join or leave only moves
// keys to or from that worker.
//
// A worker that reports no capacity is weighed as the mean of those that do (all equal if none do).
// A capacity of 0 keeps a worker last in every ranking.

import { InvalidArgumentError } from '../common/errors.js';
import { identityFunnel } from './identity.js';
import { fmix32, murmur3_32 } from './murmur3.js';
import { BasePolicy } from './policy-base.js';
import type { WorkerInfo } from './worker-info.js';

const WORKER_SEED = 0x2545f491;
const TWO_POW_32 = 2 ** 32;

export class CapacityPolicy extends BasePolicy {
  readonly name = 'CAPACITY' as const;
  /** Weight of each worker (in `workers` order). */
  readonly weights: Float64Array;
  private readonly seeds: Int32Array;
  private readonly scores: Float64Array;
  private readonly taken: Uint8Array;

  constructor(workers: readonly WorkerInfo[]) {
    super(workers, 'CAPACITY');
    const n = this.workers.length;
    this.weights = new Float64Array(n);
    this.seeds = new Int32Array(n);
    this.scores = new Float64Array(n);
    this.taken = new Uint8Array(n);
    let knownSum = 0;
    let known = 0;
    this.workers.forEach((w, i) => {
      const c = w.capacityBytes;
      if (c !== undefined && (typeof c !== 'number' || !Number.isFinite(c) || c < 0)) {
        throw new InvalidArgumentError(`CAPACITY policy: worker ${w.identity.identifier} has capacityBytes `
          + `${JSON.stringify(c)}: expected a finite number >= 0 or none`);
      }
      if (c !== undefined) { knownSum += c; known++; }
      this.seeds[i] = murmur3_32(identityFunnel(w.identity), WORKER_SEED);
    });
    const fill = known > 0 && knownSum > 0 ? knownSum / known : 1;
    this.workers.forEach((w, i) => {
      this.weights[i] = w.capacityBytes === undefined || knownSum === 0 ? fill : w.capacityBytes;
    });
  }

  getMultiple(key: string, count: number): WorkerInfo[] {
    const want = this.checkLookup(key, count);
    const out: WorkerInfo[] = [];
    if (want === 0) return out;
    this.scratch.setKey(key);
    const h = this.scratch.hashKey();
    const n = this.workers.length;
    const { seeds, weights, scores, taken } = this;
    for (let i = 0; i < n; i++) {
      const s = seeds[i]!;
      // Two mixing rounds of (key hash, worker seed): an independent-looking uniform per pair.
      const x = fmix32((fmix32(h ^ s) + s) | 0) >>> 0;
      const u = (x + 0.5) / TWO_POW_32;
      scores[i] = weights[i]! / -Math.log(u);
    }
    // Highest scores first; ties go to the lower identity. O(count x n), count is small in practice.
    for (let k = 0; k < want; k++) {
      let best = -1;
      for (let i = 0; i < n; i++) {
        if (taken[i] === 0 && (best < 0 || scores[i]! > scores[best]!)) best = i;
      }
      taken[best] = 1;
      out.push(this.workers[best]!);
    }
    taken.fill(0);
    return out;
  }
}

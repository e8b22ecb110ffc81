// MAGLEV: Google's Maglev lookup table (Eisenbud et al., NSDI 2016). Each worker walks its own
// permutation of the M slots (M = alluxio.user.maglev.hash.lookup.size, a prime), starting at
// `offset` and stepping by `skip`, both from hashes of its identity; workers take turns claiming
// their next free slot until the table is full, so each owns floor(M/N) or ceil(M/N) slots.
// Attempt a of key K reads slot murmur3(utf8(K) ++ int32LE(a)) mod M, as Alluxio does.
//
// Alluxio's MaglevHashProvider lets a worker's turn land on an already taken slot and skip it,
// which unbalances the table; here every turn claims a slot, as in the paper.

import { InvalidConfError } from '../common/errors.js';
import { identityFunnel } from './identity.js';
import { murmur3_32 } from './murmur3.js';
import { AttemptPolicy } from './policy-base.js';
import { intOption, isPrime, SELECTION_POLICY_PROPERTIES, type SelectionPolicyOptions } from './selection-options.js';
import type { WorkerInfo } from './worker-info.js';

const OFFSET_SEED = 0xdeadbabe;
const SKIP_SEED = 0xdeaddead;
const MAX_LOOKUP_SIZE = 1 << 24;

export class MaglevHashPolicy extends AttemptPolicy {
  readonly name = 'MAGLEV' as const;
  readonly lookupSize: number;
  /** slot -> worker index */
  private readonly table: Int32Array;

  constructor(workers: readonly WorkerInfo[], options: SelectionPolicyOptions = {}) {
    super(workers, 'MAGLEV');
    const m = intOption(options, 'maglevLookupSize', 3, MAX_LOOKUP_SIZE);
    const property = SELECTION_POLICY_PROPERTIES.maglevLookupSize;
    if (!isPrime(m)) throw new InvalidConfError(`bad ${property} ${m}: expected a prime number, e.g. 65537`);
    const n = this.workers.length;
    if (n >= m) {
      throw new InvalidConfError(`bad ${property} ${m}: must be well above the number of workers (${n})`);
    }
    this.lookupSize = m;
    this.table = new Int32Array(m).fill(-1);
    if (n === 0) return;

    const cursor = new Int32Array(n); // current position of each worker's permutation
    const skip = new Int32Array(n);
    this.workers.forEach((w, i) => {
      const funnel = identityFunnel(w.identity);
      cursor[i] = (murmur3_32(funnel, OFFSET_SEED) >>> 0) % m;
      skip[i] = ((murmur3_32(funnel, SKIP_SEED) >>> 0) % (m - 1)) + 1;
    });
    const table = this.table;
    let filled = 0;
    for (;;) {
      for (let i = 0; i < n; i++) {
        let c = cursor[i]!;
        while (table[c] !== -1) {
          c += skip[i]!;
          if (c >= m) c -= m;
        }
        table[c] = i;
        c += skip[i]!;
        cursor[i] = c >= m ? c - m : c;
        if (++filled === m) return;
      }
    }
  }

  protected pick(attempt: number): number {
    return this.table[(this.scratch.hashAttempt(attempt) >>> 0) % this.lookupSize]!;
  }

  /** Slots owned by each worker, in the order of `workers`. */
  slotCounts(): number[] {
    const counts = new Array<number>(this.workers.length).fill(0);
    for (const owner of this.table) if (owner >= 0) counts[owner]!++;
    return counts;
  }
}

// CONSISTENT: Alluxio's default ring, bit for bit (DESIGN.md §6; vectors in
// shared/testdata/alluxio-hash-ring). Virtual node i of worker W sits at
// murmur3(identifier(16) ++ int32LE(version) ++ int32LE(i)); attempt a of key K looks up
// murmur3(utf8(K) ++ int32LE(a)) and takes the first point strictly greater, wrapping.

import { InvalidConfError } from '../common/errors.js';
import { identityFunnel } from './identity.js';
import { murmur3_32 } from './murmur3.js';
import { AttemptPolicy } from './policy-base.js';
import { intOption, MAX_RING_POINTS, type SelectionPolicyOptions } from './selection-options.js';
import { higherIndex, sortRing, type SortedRing } from './sorted-ring.js';
import type { WorkerIdentity, WorkerInfo } from './worker-info.js';

export class ConsistentHashPolicy extends AttemptPolicy {
  readonly name = 'CONSISTENT' as const;
  readonly virtualNodes: number;
  private readonly ring: SortedRing;

  constructor(workers: readonly WorkerInfo[], options: SelectionPolicyOptions = {}) {
    super(workers, 'CONSISTENT');
    this.virtualNodes = intOption(options, 'virtualNodes', 1, MAX_RING_POINTS);
    const total = this.workers.length * this.virtualNodes;
    if (total > MAX_RING_POINTS) {
      throw new InvalidConfError(`CONSISTENT ring of ${this.workers.length} workers x ${this.virtualNodes} virtual nodes `
        + `exceeds ${MAX_RING_POINTS} points; lower alluxio.user.consistent.hash.virtual.node.count.per.worker`);
    }
    const points = new Int32Array(total);
    const owners = new Int32Array(total);
    let p = 0;
    this.workers.forEach((w, idx) => {
      const funnel = identityFunnel(w.identity, 4);
      for (let i = 0; i < this.virtualNodes; i++) {
        funnel.writeInt32LE(i, 20);
        points[p] = murmur3_32(funnel);
        owners[p++] = idx;
      }
    });
    // Alluxio fills a TreeMap with put(): on a key collision the later insertion wins.
    this.ring = sortRing(points, owners, 'last');
  }

  protected pick(attempt: number): number {
    return this.ring.owners[higherIndex(this.ring.keys, this.scratch.hashAttempt(attempt))]!;
  }

  /** The ring as Alluxio's activeNodesMap: [signed point, owner identity] in ascending point order. */
  entries(): Array<[number, WorkerIdentity]> {
    const out: Array<[number, WorkerIdentity]> = [];
    for (let i = 0; i < this.ring.keys.length; i++) {
      out.push([this.ring.keys[i]!, this.workers[this.ring.owners[i]!]!.identity]);
    }
    return out;
  }
}

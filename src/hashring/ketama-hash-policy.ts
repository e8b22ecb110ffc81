// KETAMA: the classic libketama ring. Each worker gets `alluxio.user.ketama.hash.replicas` (200)
// points; each MD5 digest of identifier(16) ++ int32LE(version) ++ int32LE(d) gives 4 of them (its
// four little-endian 32-bit words), as libketama does with "host:port-d". A key (attempt a, like
// Alluxio: murmur3(utf8(K) ++ int32LE(a))) goes to the first point at or after its hash, wrapping.
//
// Alluxio's KetamaHashProvider instead puts a worker's points at hash, hash+1, ..., hash+199,
// which clusters them and balances poorly; we keep the classic spread (bit-exactness is only
// promised for CONSISTENT).

import { createHash } from 'node:crypto';
import { InvalidConfError } from '../common/errors.js';
import { identityFunnel } from './identity.js';
import { AttemptPolicy } from './policy-base.js';
import { intOption, MAX_RING_POINTS, type SelectionPolicyOptions } from './selection-options.js';
import { ceilingIndex, sortRing, type SortedRing } from './sorted-ring.js';
import type { WorkerInfo } from './worker-info.js';

const POINTS_PER_DIGEST = 4;

export class KetamaHashPolicy extends AttemptPolicy {
  readonly name = 'KETAMA' as const;
  readonly replicas: number;
  private readonly ring: SortedRing;

  constructor(workers: readonly WorkerInfo[], options: SelectionPolicyOptions = {}) {
    super(workers, 'KETAMA');
    this.replicas = intOption(options, 'ketamaReplicas', 1, MAX_RING_POINTS);
    const total = this.workers.length * this.replicas;
    if (total > MAX_RING_POINTS) {
      throw new InvalidConfError(`KETAMA ring of ${this.workers.length} workers x ${this.replicas} replicas `
        + `exceeds ${MAX_RING_POINTS} points; lower alluxio.user.ketama.hash.replicas`);
    }
    const points = new Int32Array(total);
    const owners = new Int32Array(total);
    let p = 0;
    this.workers.forEach((w, idx) => {
      const funnel = identityFunnel(w.identity, 4);
      for (let d = 0, made = 0; made < this.replicas; d++) {
        funnel.writeInt32LE(d, 20);
        const digest = createHash('md5').update(funnel).digest();
        for (let j = 0; j < POINTS_PER_DIGEST && made < this.replicas; j++, made++) {
          points[p] = digest.readInt32LE(j * 4);
          owners[p++] = idx;
        }
      }
    });
    // On the (rare) point shared by two workers the lower identity keeps it.
    this.ring = sortRing(points, owners, 'first');
  }

  protected pick(attempt: number): number {
    return this.ring.owners[ceilingIndex(this.ring.keys, this.scratch.hashAttempt(attempt))]!;
  }
}

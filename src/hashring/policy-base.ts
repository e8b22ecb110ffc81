// What every selection policy shares: the sorted, validated worker snapshot, the reused key buffer,
// argument checks, and (for the rehashing policies) Alluxio's getMultiple attempt loop.

import { InvalidArgumentError } from '../common/errors.js';
import { compareIdentities, validateIdentity } from './identity.js';
import { murmur3_32 } from './murmur3.js';
import type { SelectionPolicyName } from './selection-options.js';
import type { WorkerSelectionPolicy } from './worker-selection-policy.js';
import { identityKey, type WorkerInfo } from './worker-info.js';

/** Alluxio's cap on rehash attempts in getMultiple. */
export const MAX_ATTEMPTS = 100;

/** Validates the worker list and returns a copy sorted by identity, so input order never matters. */
export function sortWorkers(workers: readonly WorkerInfo[], policy: string): WorkerInfo[] {
  if (!Array.isArray(workers)) {
    throw new InvalidArgumentError(`${policy} policy needs an array of workers, got ${typeof workers}`);
  }
  const seen = new Set<string>();
  workers.forEach((w, i) => {
    if (w === null || typeof w !== 'object') {
      throw new InvalidArgumentError(`${policy} policy: workers[${i}] is not a WorkerInfo object`);
    }
    validateIdentity(w.identity, `${policy} policy: workers[${i}].identity`);
    const key = identityKey({ version: w.identity.version, identifier: w.identity.identifier.toLowerCase() });
    if (seen.has(key)) {
      throw new InvalidArgumentError(`${policy} policy: worker ${w.identity.identifier} (version ${w.identity.version}) is listed twice`);
    }
    seen.add(key);
  });
  return [...workers].sort((a, b) => compareIdentities(a.identity, b.identity));
}

/**
 * One reused buffer holding utf8(key) followed by room for two int32 suffixes (attempt, probe).
 * Hashing "key ++ int32LE(attempt)" then costs a 4-byte write and one murmur3 pass, no allocation.
 */
export class KeyScratch {
  private buf = Buffer.allocUnsafe(256);
  private keyLength = 0;

  setKey(key: string): void {
    const need = Buffer.byteLength(key, 'utf8') + 8;
    if (need > this.buf.length) this.buf = Buffer.allocUnsafe(Math.max(need, this.buf.length * 2));
    this.keyLength = this.buf.write(key, 0, 'utf8');
  }

  /** murmur3(utf8(key)). */
  hashKey(seed = 0): number {
    return murmur3_32(this.buf, seed, this.keyLength);
  }

  /** murmur3(utf8(key) ++ int32LE(attempt)), Alluxio's per-attempt key hash. */
  hashAttempt(attempt: number, seed = 0): number {
    this.writeInt(attempt, this.keyLength);
    return murmur3_32(this.buf, seed, this.keyLength + 4);
  }

  /** murmur3(utf8(key) ++ int32LE(attempt) ++ int32LE(probe)). */
  hashProbe(attempt: number, probe: number, seed = 0): number {
    this.writeInt(attempt, this.keyLength);
    this.writeInt(probe, this.keyLength + 4);
    return murmur3_32(this.buf, seed, this.keyLength + 8);
  }

  private writeInt(v: number, at: number): void {
    const b = this.buf;
    b[at] = v & 0xff;
    b[at + 1] = (v >>> 8) & 0xff;
    b[at + 2] = (v >>> 16) & 0xff;
    b[at + 3] = (v >>> 24) & 0xff;
  }
}

export abstract class BasePolicy implements WorkerSelectionPolicy {
  abstract readonly name: SelectionPolicyName;
  /** The snapshot's workers, sorted by identity. */
  readonly workers: readonly WorkerInfo[];
  protected readonly scratch = new KeyScratch();

  protected constructor(workers: readonly WorkerInfo[], policy: SelectionPolicyName) {
    this.workers = Object.freeze(sortWorkers(workers, policy));
  }

  abstract getMultiple(key: string, count: number): WorkerInfo[];

  /** Checks the lookup arguments; returns how many workers can be returned. */
  protected checkLookup(key: string, count: number): number {
    if (typeof key !== 'string') {
      throw new InvalidArgumentError(`${this.name} policy: key must be a string (a UFS URI), got ${typeof key}`);
    }
    if (!Number.isInteger(count) || count < 0) {
      throw new InvalidArgumentError(`${this.name} policy: count must be a non-negative integer, got ${count}`);
    }
    return Math.min(count, this.workers.length);
  }
}

/**
 * A policy that maps (key, attempt) to one worker and, like Alluxio's providers, rehashes with
 * attempt = 1, 2, ... (at most MAX_ATTEMPTS) collecting distinct workers in the order found.
 * Ours beyond Alluxio: if the attempts run out before `count` distinct workers are found (Alluxio
 * then returns fewer), the rest follow in a key-dependent rotation of the sorted worker list, so a
 * caller asking for every worker gets every worker. The prefix is exactly Alluxio's order.
 */
export abstract class AttemptPolicy extends BasePolicy {
  private readonly chosen: Uint8Array;
  private readonly picked: Int32Array;

  protected constructor(workers: readonly WorkerInfo[], policy: SelectionPolicyName) {
    super(workers, policy);
    this.chosen = new Uint8Array(this.workers.length);
    this.picked = new Int32Array(this.workers.length);
  }

  /** Worker index for the current scratch key and `attempt` (>= 1). */
  protected abstract pick(attempt: number): number;

  getMultiple(key: string, count: number): WorkerInfo[] {
    const want = this.checkLookup(key, count);
    const out: WorkerInfo[] = [];
    if (want === 0) return out;
    this.scratch.setKey(key);
    const { chosen, picked } = this;
    let found = 0;
    for (let attempt = 1; found < want && attempt <= MAX_ATTEMPTS; attempt++) {
      const idx = this.pick(attempt);
      if (chosen[idx] === 0) {
        chosen[idx] = 1;
        picked[found++] = idx;
      }
    }
    if (found < want) {
      const n = this.workers.length;
      const start = (this.scratch.hashAttempt(0) >>> 0) % n;
      for (let i = 0; found < want; i++) {
        const idx = (start + i) % n;
        if (chosen[idx] === 0) {
          chosen[idx] = 1;
          picked[found++] = idx;
        }
      }
    }
    for (let i = 0; i < found; i++) {
      chosen[picked[i]!] = 0;
      out.push(this.workers[picked[i]!]!);
    }
    return out;
  }
}

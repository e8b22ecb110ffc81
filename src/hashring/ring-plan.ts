// What a ring change costs: for a sample of keys (optionally weighted by their cached bytes), how
// much changes primary owner between two policy snapshots, and which worker pairs the moves go
// between. Used to preview a membership or policy change before applying it.

import { InvalidArgumentError } from '../common/errors.js';
import type { WorkerSelectionPolicy } from './worker-selection-policy.js';
import { identityKey, type WorkerIdentity } from './worker-info.js';

export interface RingTransfer {
  /** Primary owner before (null: the old snapshot had no workers). */
  from: WorkerIdentity | null;
  /** Primary owner after (null: the new snapshot has no workers). */
  to: WorkerIdentity | null;
  keys: number;
  weight: number;
}

export interface RingPlan {
  totalKeys: number;
  movedKeys: number;
  /** Sum of key weights (bytes when given a key -> bytes map, else 1 per key). */
  totalWeight: number;
  movedWeight: number;
  /** movedWeight / totalWeight, 0 when there is nothing to move. */
  share: number;
  /** Moves grouped by (from, to), heaviest first. */
  transfers: RingTransfer[];
}

/** Share of `keys` (or of their bytes, given a key -> bytes map) whose primary owner changes. */
export function ringPlan(oldPolicy: WorkerSelectionPolicy, newPolicy: WorkerSelectionPolicy,
  keys: Iterable<string> | ReadonlyMap<string, number>): RingPlan {
  if (keys === null || typeof keys !== 'object' || !(Symbol.iterator in keys)) {
    throw new InvalidArgumentError('ringPlan: keys must be an iterable of keys or a Map of key -> bytes');
  }
  const weighted = keys instanceof Map;
  const entries: Iterable<string | [string, number]> = weighted ? (keys as ReadonlyMap<string, number>).entries() : keys;
  const transfers = new Map<string, RingTransfer>();
  let totalKeys = 0;
  let movedKeys = 0;
  let totalWeight = 0;
  let movedWeight = 0;
  for (const entry of entries) {
    const [key, weight] = typeof entry === 'string' ? [entry, 1] : entry;
    if (!Number.isFinite(weight) || weight < 0) {
      throw new InvalidArgumentError(`ringPlan: weight of key ${JSON.stringify(key)} is ${weight}: expected bytes >= 0`);
    }
    const before = oldPolicy.getMultiple(key, 1)[0]?.identity ?? null;
    const after = newPolicy.getMultiple(key, 1)[0]?.identity ?? null;
    totalKeys++;
    totalWeight += weight;
    const b = before ? identityKey(before) : '';
    const a = after ? identityKey(after) : '';
    if (a === b) continue;
    movedKeys++;
    movedWeight += weight;
    const pair = `${b}>${a}`;
    let t = transfers.get(pair);
    if (!t) {
      t = { from: before, to: after, keys: 0, weight: 0 };
      transfers.set(pair, t);
    }
    t.keys++;
    t.weight += weight;
  }
  return {
    totalKeys,
    movedKeys,
    totalWeight,
    movedWeight,
    share: totalWeight > 0 ? movedWeight / totalWeight : 0,
    transfers: [...transfers.values()].sort((x, y) => y.weight - x.weight || y.keys - x.keys),
  };
}

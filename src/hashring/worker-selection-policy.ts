// Which workers serve a key (DESIGN.md §6). A policy is an immutable snapshot of one worker set:
// a membership change builds a new policy and swaps it in. Building is cheap for ~100 workers
// (about 1 ms for most policies, ~5 ms for MAGLEV's 65537-slot table, ~12 ms for KETAMA's 20,000
// MD5-derived points, on an idle core).
//
// Policies register here by name, the values of alluxio.user.worker.selection.policy.

import { InvalidConfError } from '../common/errors.js';
import { CapacityPolicy } from './capacity-policy.js';
import { ConsistentHashPolicy } from './consistent-hash-policy.js';
import { JumpHashPolicy } from './jump-hash-policy.js';
import { KetamaHashPolicy } from './ketama-hash-policy.js';
import { MaglevHashPolicy } from './maglev-hash-policy.js';
import { MultiProbeHashPolicy } from './multi-probe-hash-policy.js';
import {
  SELECTION_POLICY_NAMES, SELECTION_POLICY_PROPERTY, type SelectionPolicyName, type SelectionPolicyOptions,
} from './selection-options.js';
import type { WorkerInfo } from './worker-info.js';

export {
  SELECTION_POLICY_DEFAULTS, SELECTION_POLICY_NAMES, SELECTION_POLICY_PROPERTIES, SELECTION_POLICY_PROPERTY,
  type SelectionPolicyName, type SelectionPolicyOptions,
} from './selection-options.js';

export interface WorkerSelectionPolicy {
  readonly name: SelectionPolicyName;
  /** The snapshot's workers, sorted by identity. */
  readonly workers: readonly WorkerInfo[];
  /**
   * Up to `count` distinct workers for `key` (a full UFS URI), in preference order: the first is
   * the key's owner, the next ones are where to go when it fails. Fewer only if there are fewer
   * workers; an empty snapshot gives [].
   */
  getMultiple(key: string, count: number): WorkerInfo[];
}

export type SelectionPolicyFactory =
  (workers: readonly WorkerInfo[], options: SelectionPolicyOptions) => WorkerSelectionPolicy;

const FACTORIES: Readonly<Record<SelectionPolicyName, SelectionPolicyFactory>> = {
  CONSISTENT: (w, o) => new ConsistentHashPolicy(w, o),
  JUMP: (w) => new JumpHashPolicy(w),
  KETAMA: (w, o) => new KetamaHashPolicy(w, o),
  MAGLEV: (w, o) => new MaglevHashPolicy(w, o),
  MULTI_PROBE: (w, o) => new MultiProbeHashPolicy(w, o),
  CAPACITY: (w) => new CapacityPolicy(w),
};

/** The canonical policy name for `name` (case-insensitive), or an error listing the accepted names. */
export function parseSelectionPolicyName(name: string): SelectionPolicyName {
  const upper = typeof name === 'string' ? name.trim().toUpperCase() : '';
  const found = SELECTION_POLICY_NAMES.find((n) => n === upper);
  if (!found) {
    throw new InvalidConfError(
      `unknown ${SELECTION_POLICY_PROPERTY} ${JSON.stringify(name)}: expected one of ${SELECTION_POLICY_NAMES.join('|')}`);
  }
  return found;
}

/** Builds the named policy over `workers` (any order: policies sort by identity). */
export function createSelectionPolicy(name: SelectionPolicyName | string, workers: readonly WorkerInfo[],
  options: SelectionPolicyOptions = {}): WorkerSelectionPolicy {
  return FACTORIES[parseSelectionPolicyName(name)](workers, options ?? {});
}

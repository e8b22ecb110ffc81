// Tuning options of the worker selection policies, their Alluxio property names and defaults.

import { InvalidConfError } from '../common/errors.js';

export const SELECTION_POLICY_NAMES = ['CONSISTENT', 'JUMP', 'KETAMA', 'MAGLEV', 'MULTI_PROBE', 'CAPACITY'] as const;
export type SelectionPolicyName = (typeof SELECTION_POLICY_NAMES)[number];

/** The property that picks the policy (DESIGN.md §4). */
export const SELECTION_POLICY_PROPERTY = 'alluxio.user.worker.selection.policy';

export interface SelectionPolicyOptions {
  /** CONSISTENT: virtual nodes per worker. */
  virtualNodes?: number;
  /** KETAMA: ring points per worker. */
  ketamaReplicas?: number;
  /** MAGLEV: lookup table size, a prime larger than the worker count. */
  maglevLookupSize?: number;
  /** MULTI_PROBE: probes per lookup. */
  multiProbeNum?: number;
}

export const SELECTION_POLICY_DEFAULTS: Readonly<Required<SelectionPolicyOptions>> = {
  virtualNodes: 5,
  ketamaReplicas: 200,
  maglevLookupSize: 65537,
  multiProbeNum: 21,
};

/** Alluxio property behind each option, named in errors so users know what to fix. */
export const SELECTION_POLICY_PROPERTIES: Readonly<Record<keyof SelectionPolicyOptions, string>> = {
  virtualNodes: 'alluxio.user.consistent.hash.virtual.node.count.per.worker',
  ketamaReplicas: 'alluxio.user.ketama.hash.replicas',
  maglevLookupSize: 'alluxio.user.maglev.hash.lookup.size',
  multiProbeNum: 'alluxio.user.multi.probe.hash.probe.num',
};

/** Upper bound on ring points (workers x points per worker) so rings can be packed and sorted fast. */
export const MAX_RING_POINTS = 1 << 20;

/** The option's value (or its default), checked to be an integer in [min, max]. */
export function intOption(options: SelectionPolicyOptions | undefined, field: keyof SelectionPolicyOptions,
  min: number, max: number): number {
  const raw = options?.[field];
  const value = raw === undefined ? SELECTION_POLICY_DEFAULTS[field] : raw;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new InvalidConfError(
      `bad ${SELECTION_POLICY_PROPERTIES[field]} (${field}) ${JSON.stringify(raw)}: expected an integer in [${min}, ${max}]`);
  }
  return value;
}

export function isPrime(n: number): boolean {
  if (!Number.isInteger(n) || n < 2) return false;
  if (n % 2 === 0) return n === 2;
  for (let d = 3; d * d <= n; d += 2) if (n % d === 0) return false;
  return true;
}

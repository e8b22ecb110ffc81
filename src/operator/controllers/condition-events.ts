import { CONDITION } from '../constants.js';
import type { Condition } from '../api/common.js';

/**
 * Conditions that are False now and were not False with the same reason before: each gets one
 * Warning Event (the Ready condition is covered by the phase-change Event).
 */
export function newlyFailed(previous: Condition[] | undefined, next: Condition[] | undefined): Condition[] {
  const prev = new Map((previous ?? []).map((c) => [c.type, c]));
  return (next ?? []).filter((c) => c.type !== CONDITION.Ready && c.status === 'False'
    && !(prev.get(c.type)?.status === 'False' && prev.get(c.type)?.reason === c.reason));
}

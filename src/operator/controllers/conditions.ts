import type { Condition } from '../api/common.js';
import type { Clock } from './clock.js';

export interface ConditionInput { type: string; ok: boolean; reason: string; message: string }

/**
 * New condition list: lastTransitionTime kept when a condition's status did not change, so
 * writing the same conditions twice is a no-op for the API server.
 */
export function mergeConditions(previous: Condition[] | undefined, next: ConditionInput[], generation: number | undefined, clock: Clock): Condition[] {
  const prev = new Map((previous ?? []).map((c) => [c.type, c]));
  return next.map((n) => {
    const status = n.ok ? 'True' as const : 'False' as const;
    const old = prev.get(n.type);
    return {
      type: n.type,
      status,
      reason: n.reason,
      message: n.message,
      lastTransitionTime: old && old.status === status ? old.lastTransitionTime : clock.now().toISOString(),
      ...(generation !== undefined ? { observedGeneration: generation } : {}),
    };
  });
}

export function conditionOf(conditions: Condition[] | undefined, type: string): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}

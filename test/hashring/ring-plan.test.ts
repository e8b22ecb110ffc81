import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ringPlan } from '../../src/hashring/ring-plan.js';
import { createSelectionPolicy } from '../../src/hashring/worker-selection-policy.js';
import { identityKey } from '../../src/hashring/worker-info.js';
import { makeWorker, makeWorkers, sampleKeys } from './helpers.js';

const KEYS = sampleKeys(5000);
const FOUR = makeWorkers(4);
const added = makeWorker('new-worker.example.com');
const before = createSelectionPolicy('CONSISTENT', FOUR);
const after = createSelectionPolicy('CONSISTENT', [...FOUR, added]);
const owner = (p: typeof before, k: string): string => identityKey(p.getMultiple(k, 1)[0]!.identity);

test('ringPlan counts the keys whose primary owner changes and groups the moves', () => {
  const moved = KEYS.filter((k) => owner(before, k) !== owner(after, k));
  const plan = ringPlan(before, after, KEYS);
  assert.equal(plan.totalKeys, KEYS.length);
  assert.equal(plan.movedKeys, moved.length);
  assert.equal(plan.share, moved.length / KEYS.length);
  assert.equal(plan.transfers.reduce((n, t) => n + t.keys, 0), moved.length);
  for (const t of plan.transfers) assert.equal(identityKey(t.to!), identityKey(added.identity));
  for (let i = 1; i < plan.transfers.length; i++) assert.ok(plan.transfers[i - 1]!.weight >= plan.transfers[i]!.weight);
  assert.equal(ringPlan(before, createSelectionPolicy('CONSISTENT', [...FOUR].reverse()), KEYS).share, 0);
});

test('ringPlan weighs by bytes when given a key -> bytes map', () => {
  const bytes = new Map(KEYS.map((k, i) => [k, (i % 7) * 1000 + 1] as [string, number]));
  const total = [...bytes.values()].reduce((a, b) => a + b, 0);
  const movedBytes = KEYS.filter((k) => owner(before, k) !== owner(after, k)).reduce((n, k) => n + bytes.get(k)!, 0);
  const plan = ringPlan(before, after, bytes);
  assert.equal(plan.totalWeight, total);
  assert.equal(plan.movedWeight, movedBytes);
  assert.equal(plan.share, movedBytes / total);
  assert.throws(() => ringPlan(before, after, new Map([['k', -5]])), /expected bytes/);
});

test('ringPlan from or to an empty ring: every key moves, with a null side', () => {
  const empty = createSelectionPolicy('CONSISTENT', []);
  const plan = ringPlan(empty, after, KEYS.slice(0, 100));
  assert.equal(plan.share, 1);
  assert.ok(plan.transfers.every((t) => t.from === null && t.to !== null));
  assert.equal(ringPlan(empty, empty, KEYS.slice(0, 10)).share, 0);
  assert.equal(ringPlan(before, after, []).share, 0);
});

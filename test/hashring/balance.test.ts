// MAGLEV's table balance and CAPACITY's capacity-proportional shares.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CapacityPolicy } from '../../src/hashring/capacity-policy.js';
import { MaglevHashPolicy } from '../../src/hashring/maglev-hash-policy.js';
import { createSelectionPolicy } from '../../src/hashring/worker-selection-policy.js';
import type { WorkerSelectionPolicy } from '../../src/hashring/worker-selection-policy.js';
import { identityKey } from '../../src/hashring/worker-info.js';
import { makeWorker, makeWorkers, sampleKeys } from './helpers.js';

const KEYS = sampleKeys(10_000);
const GiB = 2 ** 30;

function primaryCounts(policy: WorkerSelectionPolicy, keys: string[]): Map<string, number> {
  const counts = new Map<string, number>(policy.workers.map((w) => [identityKey(w.identity), 0]));
  for (const k of keys) {
    const id = identityKey(policy.getMultiple(k, 1)[0]!.identity);
    counts.set(id, counts.get(id)! + 1);
  }
  return counts;
}

test('MAGLEV: every worker owns floor or ceil of M/N table slots (busiest <= 1.05x mean)', () => {
  for (const n of [4, 10, 100]) {
    const policy = new MaglevHashPolicy(makeWorkers(n));
    const slots = policy.slotCounts();
    const mean = 65537 / n;
    assert.equal(slots.reduce((a, b) => a + b, 0), 65537);
    assert.ok(Math.max(...slots) <= Math.ceil(mean) && Math.min(...slots) >= Math.floor(mean), `n=${n}`);
    assert.ok(Math.max(...slots) <= 1.05 * mean);
  }
});

test('MAGLEV: over 10,000 keys the busiest of 4 workers has <= 1.05x the mean', () => {
  const counts = [...primaryCounts(createSelectionPolicy('MAGLEV', makeWorkers(4)), KEYS).values()];
  assert.ok(Math.max(...counts) <= 1.05 * (KEYS.length / 4), `counts ${counts}`);
});

test('MAGLEV: a smaller prime table works; a non-prime or too-small one is refused', () => {
  const small = new MaglevHashPolicy(makeWorkers(5), { maglevLookupSize: 251 });
  assert.equal(small.lookupSize, 251);
  assert.deepEqual(small.slotCounts().sort(), [50, 50, 50, 50, 51]);
  assert.throws(() => new MaglevHashPolicy(makeWorkers(5), { maglevLookupSize: 65536 }), /prime/);
  assert.throws(() => new MaglevHashPolicy(makeWorkers(5), { maglevLookupSize: 5 }), /workers/);
});

test('CAPACITY: capacities 1,1,2,4 get key shares within 10% of their capacity shares', () => {
  const caps = [1, 1, 2, 4];
  const workers = caps.map((c, i) => makeWorker(`cap-${i}.example.com`, c * 100 * GiB));
  const policy = createSelectionPolicy('CAPACITY', workers);
  const counts = primaryCounts(policy, KEYS);
  workers.forEach((w, i) => {
    const share = counts.get(identityKey(w.identity))! / KEYS.length;
    const expected = caps[i]! / 8;
    assert.ok(Math.abs(share - expected) <= 0.1 * expected, `capacity ${caps[i]}: share ${share}, expected ${expected}`);
  });
});

test('CAPACITY: equal capacities spread evenly; a worker with no capacity counts as the mean', () => {
  const even = primaryCounts(createSelectionPolicy('CAPACITY', makeWorkers(8)), KEYS);
  for (const c of even.values()) assert.ok(Math.abs(c - KEYS.length / 8) <= 0.1 * KEYS.length / 8, `count ${c}`);

  const workers = [makeWorker('a', 10 * GiB), makeWorker('b', 30 * GiB), makeWorker('c')];
  const policy = new CapacityPolicy(workers);
  const weightOf = (host: string): number =>
    policy.weights[policy.workers.findIndex((w) => w.address.Host === host)]!;
  assert.equal(weightOf('c'), 20 * GiB);
  assert.equal(weightOf('b'), 30 * GiB);
});

test('CAPACITY: a zero-capacity worker is never a primary but still a fallback', () => {
  const workers = [makeWorker('a', GiB), makeWorker('b', GiB), makeWorker('z', 0)];
  const policy = createSelectionPolicy('CAPACITY', workers);
  for (const k of KEYS.slice(0, 2000)) {
    const order = policy.getMultiple(k, 3).map((w) => w.address.Host);
    assert.equal(order[2], 'z', k);
  }
  assert.throws(() => createSelectionPolicy('CAPACITY', [makeWorker('a', -1)]), /capacityBytes/);
  assert.throws(() => createSelectionPolicy('CAPACITY', [makeWorker('a', Number.NaN)]), /capacityBytes/);
});

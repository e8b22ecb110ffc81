import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RateSampler } from '../../src/console/rate-sampler.js';
import { waitFor } from '../support/etcd.js';

test('rates per second between readings; a counter that goes back (a restart) is a gap, not a negative rate; at most `points` kept', async () => {
  const values = [0, 100, 300, 50, 150, 250, 350];
  let i = 0;
  const s = new RateSampler(() => ({ bytes: values[Math.min(i++, values.length - 1)]! }), 30, 4);
  s.start();
  try {
    await waitFor('all readings taken', () => i >= values.length, 15_000, 10);
    const { t, rates } = s.series();
    assert.equal(t.length, 4, 'points: the last 4 rates (5 readings)');
    assert.equal(rates.bytes!.length, 4);
    for (const r of rates.bytes!) assert.ok(r === null || r >= 0, `no negative rate: ${r}`);
    assert.ok(t.every((x, k) => k === 0 || x >= t[k - 1]!), 'times ascend');
  } finally {
    s.stop();
  }
});

test('a reading that fails leaves a gap and sampling goes on', async () => {
  let n = 0;
  const s = new RateSampler(() => {
    n++;
    if (n === 2) throw new Error('a worker did not answer');
    return { x: n * 10 };
  }, 20, 10);
  s.start();
  try {
    await waitFor('5 readings', () => n >= 5, 15_000, 10);
    const { rates } = s.series();
    assert.ok(rates.x!.some((r) => r !== null && r > 0));
  } finally {
    s.stop();
  }
});

// Leader election over a Lease, on the in-memory Kubernetes API. There is no API server on these
// machines: the in-memory API decodes Lease times as a real one does (metav1.MicroTime, exactly
// six fractional digits, else 400 BadRequest), see test/operator/support/server-rules.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../src/operator/controllers/clock.js';
import { LeaderElector } from '../../src/operator/controllers/leader-election.js';
import { MICRO_TIME } from '../../src/operator/kube/time.js';
import { KubeApiError } from '../../src/operator/kube/types.js';
import { MemoryKubeApi } from './support/memory-api.js';

const LEASE = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', namespace: 'op', name: 'lease' };

test('the in-memory API refuses a Lease whose times are not MicroTime (400), as the API server does', async () => {
  const api = new MemoryKubeApi();
  const { apiVersion, kind } = LEASE;
  await assert.rejects(api.create({ apiVersion, kind, metadata: { name: 'lease', namespace: 'op' },
    spec: { holderIdentity: 'x', renewTime: '2025-01-01T00:00:00.000Z' } }), (e: KubeApiError) => e.code === 400 && /2006-01-02T15:04:05.000000Z07:00/.test(e.message));
  await api.create({ apiVersion, kind, metadata: { name: 'lease', namespace: 'op' }, spec: { holderIdentity: 'x', renewTime: '2025-01-01T00:00:00.000000Z' } });
});

test('leader election writes acquireTime/renewTime as MicroTime and acquires, renews, hands over', async () => {
  const api = new MemoryKubeApi();
  const clock = new ManualClock(Date.parse('2025-01-01T00:00:00.123Z'));
  const a = new LeaderElector({ api, clock, namespace: 'op', name: 'lease', identity: 'a', leaseDurationSec: 15 });
  const b = new LeaderElector({ api, clock, namespace: 'op', name: 'lease', identity: 'b', leaseDurationSec: 15 });
  assert.equal(await a.tryAcquireOrRenew(), true);
  const lease = (await api.get(LEASE))!;
  assert.equal(lease.spec.acquireTime, '2025-01-01T00:00:00.123000Z');
  assert.match(lease.spec.renewTime, MICRO_TIME);
  assert.equal(await b.tryAcquireOrRenew(), false);
  clock.advance(10_000);
  assert.equal(await a.tryAcquireOrRenew(), true, 'renewed');
  assert.equal((await api.get(LEASE))!.spec.renewTime, '2025-01-01T00:00:10.123000Z');
  clock.advance(30_000);
  assert.equal(await b.tryAcquireOrRenew(), true, 'expired: taken over');
  assert.equal((await api.get(LEASE))!.spec.leaseTransitions, 1);
});

test('an API error that keeps coming back ends run() with the server\'s reason (not retried forever)', async () => {
  const api = new MemoryKubeApi();
  api.can = () => true;
  // A server that refuses every Lease write, as RBAC without leases/create would (403).
  api.create = async () => { throw new KubeApiError(403, 'Forbidden', 'leases.coordination.k8s.io is forbidden: User "system:serviceaccount:op:op" cannot create resource "leases"'); };
  const warnings: string[] = [];
  const elector = new LeaderElector({ api, clock: new ManualClock(), namespace: 'op', name: 'lease', identity: 'a', maxFailures: 3,
    log: { warn: (o) => warnings.push(JSON.stringify(o)) } });
  let leading = false;
  const lost = await Promise.race([
    new Promise<Error>((resolve) => void elector.run(() => { leading = true; }, resolve, () => new Promise((r) => setImmediate(r)))),
    new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 15_000).unref()),
  ]);
  assert.ok(lost instanceof Error, 'run() gave up');
  assert.match(lost.message, /failed 3 times: .*cannot create resource "leases"/);
  assert.equal(leading, false);
  assert.equal(warnings.length, 3, 'each failure is logged');
});

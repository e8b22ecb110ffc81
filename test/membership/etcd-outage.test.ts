import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Etcd3 } from 'etcd3';
import { createLogger } from '../../src/common/logging.js';
import type { WorkerInfo } from '../../src/hashring/worker-info.js';
import { EtcdMembershipManager } from '../../src/membership/etcd-membership-manager.js';
import { sleep, startEtcd, waitFor } from '../support/etcd.js';
import { testWorker } from './fixtures.js';

const log = createLogger('test', 'silent');

describe('etcd outages', () => {
  it('1 member: workers keep the last live list while etcd is down and re-register when it returns', async () => {
    const etcd = await startEtcd();
    const cluster = 'c-outage';
    const mk = () => new EtcdMembershipManager({ etcd: { endpoints: etcd.endpoints, dialTimeoutMs: 1000 }, clusterName: cluster, failureDetectionTimeoutMs: 2000, logger: log, retryMaxMs: 1000 });
    const ma = mk();
    const mb = mk();
    const a = testWorker('10.1.0.1', 28080);
    const b = testWorker('10.1.0.2', 28080);
    const raw = new Etcd3({ hosts: etcd.endpoints });
    try {
      await ma.join(a);
      await mb.join(b);
      let latest: WorkerInfo[] = [];
      let calls = 0;
      ma.onChange((live) => { latest = live; calls++; });
      await waitFor('watch delivers both workers', () => latest.length === 2);
      const leaseBefore = (await raw.get(ma.liveKey(a)).exec()).kvs[0]!.lease;
      assert.equal((await mb.liveWorkers()).length, 2); // mb's last known list comes from a read, not a watch

      await etcd.stopAll();
      const live = await ma.liveWorkers();
      assert.deepEqual(live.map((w) => w.address.Host).sort(), ['10.1.0.1', '10.1.0.2'], 'last known list while etcd is down');
      // Longer than 2x the TTL: the client gives the old lease up and must re-register with a new one.
      await sleep(4500);
      assert.equal((await mb.liveWorkers()).length, 2, 'still the last known list after the TTL ran out');
      assert.equal(latest.length, 2, 'listeners were not told the workers are gone');
      const callsDuringOutage = calls;

      await etcd.startAll();
      // etcd restores the old key with its old lease (refreshed on restart) for one more TTL; the
      // worker's own re-registration shows as the key under a new lease.
      const kv = await waitFor('worker key under a new lease', async () => {
        const found = (await raw.get(ma.liveKey(a)).exec()).kvs[0];
        return found && found.lease !== leaseBefore ? found : undefined;
      }, 30_000, 100);
      assert.notEqual(kv.lease, '0');
      await waitFor('both workers live again', async () => (await ma.liveWorkers()).length === 2, 15_000, 100);
      // The new lease is kept alive: still there well after one TTL.
      await sleep(3000);
      assert.equal((await raw.getAll().prefix(`/ServiceDiscovery/${cluster}/`).keys()).length, 2);
      // The watch came back too: a leave is seen.
      await mb.leave();
      await waitFor('watch sees the leave after the outage', () => latest.length === 1, 15_000, 20);
      assert.ok(calls > callsDuringOutage);
    } finally {
      await ma.close();
      await mb.close();
      raw.close();
      await etcd.cleanup();
    }
  });

  it('3 members, one stopped: registration, keepalive and watches keep working', async () => {
    const etcd = await startEtcd({ members: 3 });
    const cluster = 'c-3m';
    const opts = { etcd: { endpoints: etcd.endpoints, dialTimeoutMs: 1000 }, clusterName: cluster, failureDetectionTimeoutMs: 2000, logger: log };
    const observer = new EtcdMembershipManager(opts);
    const ma = new EtcdMembershipManager(opts);
    const mb = new EtcdMembershipManager(opts);
    try {
      let latest: string[] = [];
      observer.onChange((live) => { latest = live.map((w) => w.address.Host).sort(); });
      await ma.join(testWorker('10.2.0.1', 28080));
      await waitFor('watch sees a', () => latest.join() === '10.2.0.1', 15_000, 20);

      await etcd.stopMember(0);
      await mb.join(testWorker('10.2.0.2', 28080));
      await waitFor('watch sees b with a member down', () => latest.join() === '10.2.0.1,10.2.0.2', 15_000, 20);
      // Leases are kept alive through the remaining members: still live after more than one TTL.
      await sleep(3000);
      assert.deepEqual((await observer.liveWorkers()).map((w) => w.address.Host).sort(), ['10.2.0.1', '10.2.0.2']);
      await ma.leave();
      await waitFor('watch sees a leave', () => latest.join() === '10.2.0.2', 15_000, 20);

      // Another member goes down after the first comes back.
      await etcd.startMember(0);
      await etcd.stopMember(1);
      await ma.join(testWorker('10.2.0.3', 28080)); // after leave() a manager may join again
      await waitFor('watch sees c with member 1 down', () => latest.join() === '10.2.0.2,10.2.0.3', 15_000, 20);
    } finally {
      await Promise.all([observer.close(), ma.close(), mb.close()]);
      await etcd.cleanup();
    }
  });
});

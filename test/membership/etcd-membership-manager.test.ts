import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Etcd3 } from 'etcd3';
import { workerName } from '../../src/hashring/worker-info.js';
import { createLogger } from '../../src/common/logging.js';
import { EtcdMembershipManager } from '../../src/membership/etcd-membership-manager.js';
import { startEtcd, waitFor, type EtcdCluster } from '../support/etcd.js';
import { testWorker } from './fixtures.js';

const log = createLogger('test', 'silent');

describe('EtcdMembershipManager against a real etcd', () => {
  let etcd: EtcdCluster;
  let raw: Etcd3;
  const open: EtcdMembershipManager[] = [];
  const manager = (cluster: string, extra: Partial<ConstructorParameters<typeof EtcdMembershipManager>[0]> = {}): EtcdMembershipManager => {
    const m = new EtcdMembershipManager({ etcd: { endpoints: etcd.endpoints }, clusterName: cluster, failureDetectionTimeoutMs: 2000, logger: log, ...extra });
    open.push(m);
    return m;
  };

  before(async () => {
    etcd = await startEtcd();
    raw = new Etcd3({ hosts: etcd.endpoints });
  });
  after(async () => {
    await Promise.all(open.map((m) => m.close().catch(() => undefined)));
    raw?.close();
    await etcd?.cleanup();
  });

  it('registers two workers under the exact Alluxio keys with the exact JSON value', async () => {
    const cluster = 'c-keys';
    const a = testWorker('10.0.0.1', 28080, 1024 ** 3);
    const b = testWorker('10.0.0.2', 28081);
    const ma = manager(cluster);
    const mb = manager(cluster);
    await ma.join(a);
    await mb.join(b);

    for (const w of [a, b]) {
      const name = workerName(w.identity);
      const ring = await raw.get(`/DHT/${cluster}/AUTHORIZED/${name}`).exec();
      const live = await raw.get(`/ServiceDiscovery/${cluster}/${name}`).exec();
      assert.equal(ring.kvs.length, 1, `ring key of ${name}`);
      assert.equal(live.kvs.length, 1, `live key of ${name}`);
      assert.equal(ring.kvs[0]!.lease, '0', 'the /DHT entry is permanent (no lease)');
      assert.notEqual(live.kvs[0]!.lease, '0', 'the /ServiceDiscovery entry is leased');
      const value = JSON.parse(live.kvs[0]!.value.toString());
      assert.deepEqual(Object.keys(value).slice(0, 5), ['Identity', 'WorkerNetAddress', 'State', 'GenerationNumber', 'ServiceEntityName']);
      assert.deepEqual(value.Identity, { version: 1, identifier: w.identity.identifier });
      assert.match(value.Identity.identifier, /^[0-9a-f]{32}$/);
      assert.deepEqual(Object.keys(value.WorkerNetAddress), ['Host', 'ContainerHost', 'RpcPort', 'DataPort', 'SecureRpcPort', 'NettyDataPort', 'WebPort', 'DomainSocketPath', 'HttpServerPort', 'S3Port']);
      assert.deepEqual(value.WorkerNetAddress, { ...w.address });
      assert.equal(value.State, 'AUTHORIZED');
      assert.equal(value.GenerationNumber, -1);
      assert.equal(value.ServiceEntityName, name);
      assert.match(name, /^worker-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      if (w.capacityBytes !== undefined) assert.equal(value.CapacityBytes, w.capacityBytes);
      else assert.equal('CapacityBytes' in value, false);
      assert.equal(ring.kvs[0]!.value.toString(), live.kvs[0]!.value.toString(), 'same value under both keys');
    }

    const live = await ma.liveWorkers();
    assert.deepEqual(live.map((w) => w.identity.identifier).sort(), [a.identity.identifier, b.identity.identifier].sort());
    assert.deepEqual(live.find((w) => w.identity.identifier === a.identity.identifier), a);
    // A worker of another cluster is not seen.
    const other = manager('c-other');
    await other.join(testWorker('10.0.0.9', 28080));
    assert.equal((await ma.liveWorkers()).length, 2);
  });

  it('the lease TTL is the failure detection timeout rounded up to whole seconds', async () => {
    const m = manager('c-ttl', { failureDetectionTimeoutMs: 2500 });
    assert.equal(m.ttlSeconds, 3);
    const w = testWorker('10.0.1.1', 28080);
    await m.join(w);
    const kv = (await raw.get(m.liveKey(w)).exec()).kvs[0]!;
    const info = await raw.leaseClient.leaseTimeToLive({ ID: kv.lease });
    assert.equal(Number(info.grantedTTL), 3);
    assert.equal(new EtcdMembershipManager({ etcd: raw, failureDetectionTimeoutMs: 1 }).ttlSeconds, 1);
  });

  it('a killed worker (no revoke) leaves the live list after the TTL and shows OFFLINE', async () => {
    const cluster = 'c-kill';
    const a = testWorker('10.0.2.1', 28080);
    const b = testWorker('10.0.2.2', 28080);
    const ma = manager(cluster);
    const mb = manager(cluster, { revokeOnClose: false });
    await ma.join(a);
    await mb.join(b);
    assert.equal((await ma.liveWorkers()).length, 2);
    const killedAt = Date.now();
    await mb.close();
    // Right after the kill it is still live: only the TTL removes it.
    assert.equal((await ma.liveWorkers()).length, 2);
    await waitFor('killed worker to leave the live list', async () => (await ma.liveWorkers()).length === 1, 15_000, 100);
    assert.ok(Date.now() - killedAt >= 1000, 'removed by lease expiry, not at once');
    assert.deepEqual((await ma.liveWorkers()).map((w) => w.identity.identifier), [a.identity.identifier]);
    const all = await ma.allWorkers();
    const status = new Map(all.map((s) => [s.worker.identity.identifier, s.status]));
    assert.equal(status.get(a.identity.identifier), 'ONLINE');
    assert.equal(status.get(b.identity.identifier), 'OFFLINE');
    assert.equal(all.length, 2);
  });

  it('a clean close revokes the lease: the worker leaves the live list at once', async () => {
    const cluster = 'c-clean';
    const a = testWorker('10.0.3.1', 28080);
    const m = manager(cluster);
    await m.join(a);
    const watcherSide = manager(cluster);
    assert.equal((await watcherSide.liveWorkers()).length, 1);
    await m.close();
    assert.equal((await watcherSide.liveWorkers()).length, 0);
    const all = await watcherSide.allWorkers();
    assert.deepEqual(all.map((s) => s.status), ['OFFLINE'], 'the permanent /DHT entry stays');
  });

  it('onChange fires on join and leave through the etcd watch', async () => {
    const cluster = 'c-watch';
    const observer = manager(cluster);
    const seen: string[][] = [];
    const unsubscribe = observer.onChange((live) => seen.push(live.map((w) => w.address.Host).sort()));
    await waitFor('initial empty list', () => seen.length >= 1);
    assert.deepEqual(seen[0], []);

    const a = testWorker('10.0.4.1', 28080);
    const b = testWorker('10.0.4.2', 28080);
    const ma = manager(cluster);
    const mb = manager(cluster);
    await ma.join(a);
    await waitFor('join of a', () => seen.at(-1)?.join() === '10.0.4.1', 15_000, 20);
    await mb.join(b);
    await waitFor('join of b', () => seen.at(-1)?.join() === '10.0.4.1,10.0.4.2', 15_000, 20);
    await ma.leave();
    await waitFor('leave of a', () => seen.at(-1)?.join() === '10.0.4.2', 15_000, 20);
    // A second subscriber gets the current list.
    let second: string[] | undefined;
    const unsub2 = observer.onChange((live) => { second = live.map((w) => w.address.Host); });
    await waitFor('second subscriber', () => second);
    assert.deepEqual(second, ['10.0.4.2']);
    // Unsubscribed listeners are not called again.
    unsubscribe();
    const count = seen.length;
    await mb.leave();
    await waitFor('second subscriber sees b leave', () => second?.length === 0, 15_000, 20);
    assert.equal(seen.length, count);
    unsub2();
  });

  it('rejects bad input with errors that name the problem', async () => {
    const m = manager('c-bad');
    const w = testWorker('h', 1);
    await assert.rejects(m.join({ ...w, identity: { version: 1, identifier: 'xyz' } }), /identifier 'xyz' is not 32 lowercase hex/);
    await assert.rejects(m.join({ ...w, address: { ...w.address, RpcPort: 70000 } }), /RpcPort=70000/);
    assert.throws(() => new EtcdMembershipManager({ etcd: raw, clusterName: 'a/b' }), /alluxio.cluster.name/);
    assert.throws(() => new EtcdMembershipManager({ etcd: raw, failureDetectionTimeoutMs: 0 }), /failure.detection.timeout/);
    await m.join(w);
    await assert.rejects(m.join(testWorker('h2', 2)), /already joined as worker-/);
  });

  it('join fails with an error naming the endpoints when etcd is unreachable', async () => {
    const m = manager('c-down', { etcd: { endpoints: ['127.0.0.1:1'], dialTimeoutMs: 1000 } });
    await assert.rejects(m.join(testWorker('h', 1)), (err: Error) => {
      assert.match(err.message, /registering worker-.* failed: etcd 127\.0\.0\.1:1 unreachable/);
      return true;
    });
    await assert.rejects(m.liveWorkers(), /reading the live workers failed/);
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Etcd3 } from 'etcd3';
import { createLogger } from '../../src/common/logging.js';
import { createEtcdClient } from '../../src/membership/etcd-client.js';
import type { MountPoint } from '../../src/mount/mount-point.js';
import { EtcdMountStore } from '../../src/mount/etcd-mount-store.js';
import { startEtcd, waitFor, type EtcdCluster } from '../support/etcd.js';

const log = createLogger('test', 'silent');

describe('EtcdMountStore against a real etcd', () => {
  let etcd: EtcdCluster;
  const clients: Etcd3[] = [];
  const stores: EtcdMountStore[] = [];
  const store = (cluster: string): EtcdMountStore => {
    // Each store gets its own client, as two processes would.
    const c = createEtcdClient({ endpoints: etcd.endpoints });
    clients.push(c);
    const s = new EtcdMountStore(c, { clusterName: cluster, logger: log });
    stores.push(s);
    return s;
  };

  before(async () => { etcd = await startEtcd(); });
  after(async () => {
    await Promise.all(stores.map((s) => s.close()));
    for (const c of clients) c.close();
    await etcd?.cleanup();
  });

  it('adds, lists and removes mounts under /alluxio/mount/<cluster>/', async () => {
    const s = store('c-crud');
    assert.equal(s.source, 'ETCD');
    assert.deepEqual(await s.list(), []);
    await s.add({ path: '/s3', ufsUri: 's3://bucket/dir', options: { 's3a.region': 'eu-west-1' } });
    await s.add({ path: '/', ufsUri: '/srv/data', options: {} });
    assert.deepEqual(await s.list(), [
      { path: '/', ufsUri: 'file:///srv/data/', options: {} },
      { path: '/s3', ufsUri: 's3://bucket/dir/', options: { 's3a.region': 'eu-west-1' } },
    ]);
    const raw = clients[0]!;
    const keys = await raw.getAll().prefix('/alluxio/mount/c-crud/').keys();
    assert.deepEqual(keys.sort(), ['/alluxio/mount/c-crud/%2F', '/alluxio/mount/c-crud/%2Fs3']);
    assert.deepEqual(JSON.parse((await raw.get('/alluxio/mount/c-crud/%2Fs3').string())!), { path: '/s3', ufsUri: 's3://bucket/dir/', options: { 's3a.region': 'eu-west-1' } });
    // Another cluster's table is separate.
    assert.deepEqual(await store('c-crud-other').list(), []);

    await s.remove('/s3/');
    assert.deepEqual((await s.list()).map((m) => m.path), ['/']);
    await assert.rejects(s.remove('/s3'), (err: Error & { code?: string }) => err.code === 'ALX_ERR_NOT_FOUND' && /no mount point at \/s3/.test(err.message));
  });

  it('rejects a duplicate add and invalid mounts with MountError', async () => {
    const s = store('c-dup');
    await s.add({ path: '/data', ufsUri: 's3://a/', options: {} });
    await assert.rejects(s.add({ path: '/data/', ufsUri: 's3://b/', options: {} }), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'ALX_ERR_MOUNT');
      assert.match(err.message, /mount point \/data already exists/);
      return true;
    });
    assert.equal((await s.list())[0]!.ufsUri, 's3://a/', 'the first mount is unchanged');
    await assert.rejects(s.add({ path: '/a/b', ufsUri: 's3://b/', options: {} }), /nested too deep/);
    await assert.rejects(s.add({ path: '/x', ufsUri: 'no-scheme', options: {} }), /has no scheme/);
  });

  it('of concurrent adds of the same path exactly one wins', async () => {
    const stores = [store('c-race'), store('c-race'), store('c-race'), store('c-race')];
    const results = await Promise.allSettled(stores.flatMap((s, i) => [0, 1].map((j) => s.add({ path: '/race', ufsUri: `s3://bucket-${i}-${j}/`, options: {} }))));
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    assert.equal(won.length, 1);
    assert.equal(lost.length, 7);
    for (const r of lost) assert.match((r.reason as Error).message, /already exists/);
    const listed = await stores[0]!.list();
    assert.equal(listed.length, 1);
    const winner = results.findIndex((r) => r.status === 'fulfilled');
    assert.equal(listed[0]!.ufsUri, `s3://bucket-${Math.floor(winner / 2)}-${winner % 2}/`);
  });

  it('stores secrets apart from the mount key and merges them back in list()', async () => {
    const s = store('c-secret');
    const options = { 's3a.accessKeyId': 'AKIAEXAMPLE', 's3a.secretKey': 'wJalrXUtnFEMI-very-secret', 'aws.sessionToken': 'tok-123', 's3a.region': 'us-east-1' };
    await s.add({ path: '/s3', ufsUri: 's3://b/', options });
    const raw = clients.at(-1)!;
    const mountValue = (await raw.get('/alluxio/mount/c-secret/%2Fs3').string())!;
    assert.equal(mountValue.includes('wJalrXUtnFEMI-very-secret'), false);
    assert.equal(mountValue.includes('tok-123'), false);
    assert.deepEqual(JSON.parse(mountValue).options, { 's3a.accessKeyId': 'AKIAEXAMPLE', 's3a.region': 'us-east-1' });
    assert.deepEqual(JSON.parse((await raw.get('/alluxio/mount-secrets/c-secret/%2Fs3').string())!), { 's3a.secretKey': 'wJalrXUtnFEMI-very-secret', 'aws.sessionToken': 'tok-123' });
    // A plain listing of the mount prefix shows no secret.
    const all = await raw.getAll().prefix('/alluxio/mount/c-secret/').strings();
    assert.equal(JSON.stringify(all).includes('very-secret'), false);
    assert.deepEqual((await s.list())[0]!.options, options);
    // remove() deletes the secrets too; a re-add without secrets has none.
    await s.remove('/s3');
    assert.equal(await raw.get('/alluxio/mount-secrets/c-secret/%2Fs3').string(), null);
    await s.add({ path: '/s3', ufsUri: 's3://b/', options: { 's3a.region': 'us-east-1' } });
    assert.deepEqual((await s.list())[0]!.options, { 's3a.region': 'us-east-1' });
  });

  it('watch sees changes made through a second store instance', async () => {
    const watcherSide = store('c-watch');
    const writer = store('c-watch');
    let latest: MountPoint[] | undefined;
    let calls = 0;
    const stop = watcherSide.watch((mounts) => { latest = mounts; calls++; });
    await waitFor('initial table', () => latest, 15_000, 20);
    assert.deepEqual(latest, []);

    await writer.add({ path: '/w', ufsUri: 's3://w/', options: { 's3a.secretKey': 'k' } });
    await waitFor('add seen', () => latest?.length === 1, 15_000, 10);
    assert.deepEqual(latest, [{ path: '/w', ufsUri: 's3://w/', options: { 's3a.secretKey': 'k' } }], 'full table with secrets');

    await writer.add({ path: '/v', ufsUri: 's3://v/', options: {} });
    await waitFor('second add seen', () => latest?.length === 2, 15_000, 10);
    await writer.remove('/w');
    await waitFor('remove seen', () => latest?.length === 1 && latest[0]!.path === '/v', 15_000, 10);

    stop();
    const before = calls;
    // A second watcher tells when the change has been delivered; the stopped one must not hear of it.
    let other: MountPoint[] | undefined;
    const stopOther = store('c-watch').watch((mounts) => { other = mounts; });
    await waitFor('second watcher sees /v', () => other?.length === 1, 15_000, 10);
    await writer.remove('/v');
    await waitFor('second watcher sees the remove', () => other?.length === 0, 15_000, 10);
    stopOther();
    assert.equal(calls, before, 'no calls after unsubscribe');
  });

  it('watch keeps working across an etcd restart', async () => {
    const local = await startEtcd();
    const c1 = createEtcdClient({ endpoints: local.endpoints, dialTimeoutMs: 1000 });
    const c2 = createEtcdClient({ endpoints: local.endpoints, dialTimeoutMs: 1000 });
    const a = new EtcdMountStore(c1, { logger: log });
    const b = new EtcdMountStore(c2, { logger: log });
    try {
      let latest: string[] = [];
      a.watch((m) => { latest = m.map((x) => x.path); });
      await b.add({ path: '/one', ufsUri: 's3://1/', options: {} });
      await waitFor('first add', () => latest.join() === '/one', 15_000, 10);
      await local.stopAll();
      await local.startAll();
      await waitFor('b can write again', async () => {
        await b.add({ path: '/two', ufsUri: 's3://2/', options: {} }).catch((err: Error) => {
          if (!/already exists/.test(err.message)) throw err; // an earlier attempt landed after all
        });
        return true;
      }, 5000, 200);
      await waitFor('watch sees the add after the restart', () => latest.join() === '/one,/two', 15_000, 20);
    } finally {
      await a.close();
      await b.close();
      c1.close();
      c2.close();
      await local.cleanup();
    }
  });
});

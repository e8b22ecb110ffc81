// Requests for keys another worker owns: proxied to the owner by default (so the owner caches the
// pages), or answered with a 307 to the owner's S3 port when alluxio.worker.s3.redirect.enabled.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { registry } from '../../../src/common/metrics.js';
import { sameWorker } from '../../../src/hashring/worker-info.js';
import { fileIdOf } from '../../../src/pagestore/index.js';
import { startS3TestCluster, type S3TestCluster } from '../../support/s3-clients.js';

/** A key under bucket/ whose owner on the ring is worker `i`. */
function keyOwnedBy(c: S3TestCluster, i: number): { key: string; ufsUri: string } {
  const w0 = c.cluster.workers[0]!;
  for (let n = 0; n < 1000; n++) {
    const key = `route/k${n}`;
    const ufsUri = w0.files.resolve(`/bucket/${key}`).ufsUri;
    if (sameWorker(w0.client.ring.owners(ufsUri, 1)[0]!.identity, c.cluster.workers[i]!.info.identity)) return { key, ufsUri };
  }
  throw new Error(`no key owned by worker ${i} in 1000 tries`);
}

async function forwarded(mode: string): Promise<number> {
  const m = (await registry.getSingleMetric('alluxio_s3_api_forwarded_total')?.get())?.values.find((v) => v.labels.mode === mode);
  return m?.value ?? 0;
}

describe('S3 request routing', { timeout: 600_000 }, () => {
  let proxy: S3TestCluster;
  let redirect: S3TestCluster;

  before(async () => {
    proxy = await startS3TestCluster({ workers: 2 });
    redirect = await startS3TestCluster({ workers: 2, properties: { 'alluxio.worker.s3.redirect.enabled': 'true' } });
  });
  after(async () => {
    await proxy?.stop();
    await redirect?.stop();
  });

  test('a key owned by another worker is proxied there and cached by the owner only', async () => {
    const { key, ufsUri } = keyOwnedBy(proxy, 1);
    const data = randomBytes(300_000);
    const before = await forwarded('proxy');
    const put = await fetch(`${proxy.endpoints[0]}/bucket/${key}`, { method: 'PUT', body: data });
    assert.equal(put.status, 200);
    const get = await fetch(`${proxy.endpoints[0]}/bucket/${key}`);
    assert.equal(get.status, 200);
    assert.ok(Buffer.from(await get.arrayBuffer()).equals(data));
    const ranged = await fetch(`${proxy.endpoints[0]}/bucket/${key}`, { headers: { range: 'bytes=-10' } });
    assert.equal(ranged.status, 206);
    assert.ok(Buffer.from(await ranged.arrayBuffer()).equals(data.subarray(-10)));
    assert.ok((await forwarded('proxy')) >= before + 3);
    const id = fileIdOf(ufsUri);
    // Pages are stored just after they are sent: give the last ones a moment.
    for (let i = 0; i < 50 && (proxy.cluster.workers[1]!.store.fileInfo(id)?.bytes ?? 0) < data.length; i++) await new Promise((r) => setTimeout(r, 20));
    assert.ok((proxy.cluster.workers[1]!.store.fileInfo(id)?.bytes ?? 0) > 0, 'the owner cached the object');
    assert.equal(proxy.cluster.workers[0]!.store.fileInfo(id), undefined, 'the receiving worker did not');
    const missing = await fetch(`${proxy.endpoints[0]}/bucket/${keyOwnedBy(proxy, 1).key}-missing`);
    assert.equal(missing.status, 404);
  });

  test('with redirects enabled, a 307 points to the owner, which serves the object', async () => {
    const { key } = keyOwnedBy(redirect, 1);
    const data = randomBytes(1000);
    await fetch(`${redirect.endpoints[1]}/bucket/${key}`, { method: 'PUT', body: data });
    const r = await fetch(`${redirect.endpoints[0]}/bucket/${key}?x=1`, { redirect: 'manual' });
    assert.equal(r.status, 307);
    assert.equal(r.headers.get('location'), `${redirect.endpoints[1]}/bucket/${key}?x=1`);
    const followed = await fetch(`${redirect.endpoints[0]}/bucket/${key}`);
    assert.ok(Buffer.from(await followed.arrayBuffer()).equals(data));
    // The owner answers a key it owns itself; bucket-level requests are served wherever they land.
    assert.equal((await fetch(`${redirect.endpoints[1]}/bucket/${key}`, { redirect: 'manual' })).status, 200);
    assert.equal((await fetch(`${redirect.endpoints[0]}/bucket?list-type=2`, { redirect: 'manual' })).status, 200);
  });
});

// A worker over an S3 under-storage: a real s3rver process behind real in-process workers.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createClient } from '../../src/client/from-conf.js';
import type { AlluxioClient } from '../../src/client/alluxio-client.js';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { waitFor } from '../support/etcd.js';
import { startS3Server, type S3TestServer } from '../support/s3-server.js';
import { makeTempDir, type TempDir } from '../support/tmp.js';
import { startTestCluster, type TestCluster } from '../support/workers.js';

async function readAll(c: AlluxioClient, path: string, offset = 0, length = -1): Promise<Buffer> {
  const { stream } = await c.read(path, offset, length);
  const chunks: Buffer[] = [];
  for await (const x of stream) chunks.push(x as Buffer);
  return Buffer.concat(chunks);
}

const TTL_MS = 500;

describe('worker over an S3 root mount', () => {
  let tmp: TempDir;
  let s3: S3TestServer;
  let cluster: TestCluster;
  let client: AlluxioClient;

  before(async () => {
    tmp = await makeTempDir('alluxio-s3mount-');
    s3 = await startS3Server({ buckets: ['data'] });
    cluster = await startTestCluster({
      dir: tmp.path, rootUfs: 's3://data/root/', workers: 2,
      properties: { ...s3.ufsOptions(), 'alluxio.user.metadata.cache.expiration.time': `${TTL_MS}ms` },
    });
    client = await createClient(cluster.conf);
  });
  after(async () => {
    await client?.close();
    await cluster?.stop();
    await s3?.stop();
    await tmp.cleanup();
  });

  test('write, list, ranged read (cached on the owner), delete', async () => {
    const data = randomBytes(200_000);
    await client.mkdir('/dir');
    await client.write('/dir/obj.bin', data);
    const listed = await client.list('/dir');
    assert.deepEqual(listed.map((e) => [e.path, e.length]), [['/dir/obj.bin', data.length]]);
    assert.equal(listed[0]!.ufsPath, 's3://data/root/dir/obj.bin');
    assert.ok((await readAll(client, '/dir/obj.bin')).equals(data));
    assert.ok((await readAll(client, '/dir/obj.bin', 70_000, 1000)).equals(data.subarray(70_000, 71_000)));
    const [owner] = client.owners('/dir/obj.bin', 1);
    const w = cluster.workers.find((x) => x.info.identity.identifier === owner!.identity.identifier)!;
    const deadline = Date.now() + 15_000; // generous: a loaded CI machine is slow
    while (w.store.stats().usedBytes < data.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.ok(w.store.stats().usedBytes >= data.length, 'the owner cached the S3 object');
    await client.delete('/dir/obj.bin');
    await assert.rejects(client.stat('/dir/obj.bin'), /obj\.bin/);
  });

  test('an overwrite in the bucket with the same length in the same second is seen through the ETag', async () => {
    const direct = new S3Client({ endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } });
    try {
      const v1 = Buffer.alloc(300_000, 1);
      const v2 = Buffer.alloc(300_000, 2);
      await direct.send(new PutObjectCommand({ Bucket: 'data', Key: 'root/etag.bin', Body: v1 }));
      assert.ok((await readAll(client, '/etag.bin')).equals(v1));
      const [owner] = client.owners('/etag.bin', 1);
      const w = cluster.workers.find((x) => x.info.identity.identifier === owner!.identity.identifier)!;
      await waitFor('the owner cached the object', () => w.store.stats().usedBytes >= v1.length);
      // Same key, same length, same mtime second: only the ETag tells the versions apart.
      await direct.send(new PutObjectCommand({ Bucket: 'data', Key: 'root/etag.bin', Body: v2 }));
      // Within the TTL a read may still be the old version, but only ever one whole version.
      const got = await waitFor('the new version is served after the metadata TTL', async () => {
        const b = await readAll(client, '/etag.bin');
        assert.ok(b.equals(v1) || b.equals(v2), `a read returned ${b.length} bytes of neither version`);
        return b.equals(v2) ? b : undefined;
      });
      assert.ok(got.equals(v2));
    } finally {
      direct.destroy();
    }
  });
});

// S3 DeleteObjects deletes a key another worker owns with a DELETE on that worker's REST API. With
// authentication on and a credentials file of key pairs only (no token line, as every file was
// before tokens existed), the worker signs that call with SigV4 and the owner accepts it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DeleteObjectsCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { sameWorker } from '../../../src/hashring/worker-info.js';
import { ACCESS_KEY, SECRET_KEY, startS3TestCluster, type S3TestCluster } from '../../support/s3-clients.js';

describe('DeleteObjects across workers with key-pair credentials only', { timeout: 60_000 }, () => {
  let c: S3TestCluster;
  let s3: S3Client;

  before(async () => {
    c = await startS3TestCluster({ workers: 2, auth: true });
    s3 = new S3Client({ endpoint: c.endpoints[0], region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY } });
  });
  after(async () => {
    s3?.destroy();
    await c?.stop();
  });

  test('keys owned by the other worker are deleted from the UFS', async () => {
    const [w0, w1] = c.cluster.workers;
    const keys = Array.from({ length: 16 }, (_, i) => `del/k${i}.txt`);
    const foreign = keys.filter((k) => sameWorker(w0!.client.ring.owners(w0!.files.resolve(`/bucket/${k}`).ufsUri, 1)[0]!.identity, w1!.info.identity));
    assert.ok(foreign.length > 0, 'no key owned by the second worker');
    for (const k of keys) await s3.send(new PutObjectCommand({ Bucket: 'bucket', Key: k, Body: `v-${k}` }));
    for (const k of keys) assert.ok(existsSync(join(c.ufsDir, 'bucket', k)), k);
    const r = await s3.send(new DeleteObjectsCommand({ Bucket: 'bucket', Delete: { Objects: keys.map((Key) => ({ Key })) } }));
    assert.deepEqual(r.Errors ?? [], []);
    for (const k of keys) assert.ok(!existsSync(join(c.ufsDir, 'bucket', k)), `${k} (${foreign.includes(k) ? 'owned by the other worker' : 'local'}) is still in the UFS`);
  });
});

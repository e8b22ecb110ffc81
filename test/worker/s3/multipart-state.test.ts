// Multipart uploads are staged in each worker's own private directory (0700, under its state dir,
// not a /tmp directory every cluster on the host shares), listed cluster-wide whichever worker is
// asked, and removed once abandoned for the expiration.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CreateMultipartUploadCommand, ListMultipartUploadsCommand, S3Client, UploadPartCommand,
} from '@aws-sdk/client-s3';
import { ACCESS_KEY, SECRET_KEY, startS3TestCluster, type S3TestCluster } from '../../support/s3-clients.js';

const KEYS = Array.from({ length: 20 }, (_, i) => `dir/upload-${i}.bin`);

function client(endpoint: string): S3Client {
  return new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY } });
}

async function until(what: string, cond: () => boolean | Promise<boolean>, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) assert.fail(`timed out waiting for: ${what}`);
    await sleep(100);
  }
}

describe('multipart upload state', { timeout: 180_000 }, () => {
  describe('two workers', () => {
    let c: S3TestCluster;
    let clients: S3Client[];
    const ids = new Map<string, string>();

    before(async () => {
      c = await startS3TestCluster({ workers: 2 });
      clients = c.endpoints.map(client);
      for (const key of KEYS) {
        const r = await clients[0]!.send(new CreateMultipartUploadCommand({ Bucket: 'bucket', Key: key }));
        ids.set(r.UploadId!, key);
      }
    });
    after(async () => {
      for (const s of clients ?? []) s.destroy();
      await c?.stop();
    });

    const stagingDir = (i: number) => join(c.tmp.path, `pagestore-${i}`, 'state', 's3-multipart');

    test("uploads are staged in the owner worker's own 0700 directory, not /tmp", () => {
      const staged = new Set<string>();
      for (let i = 0; i < 2; i++) {
        const dir = stagingDir(i);
        assert.equal(statSync(dir).mode & 0o777, 0o700, `${dir} mode`);
        for (const id of readdirSync(dir)) {
          assert.equal(statSync(join(dir, id)).mode & 0o777, 0o700, `${id} mode`);
          staged.add(id);
        }
        assert.ok(readdirSync(dir).length < KEYS.length, `worker ${i} staged every upload: the keys were not spread over the ring`);
      }
      assert.deepEqual([...staged].sort(), [...ids.keys()].sort());
      for (const id of ids.keys()) assert.ok(!existsSync(join('/tmp/alluxio-s3-multipart', id)), `upload ${id} in /tmp/alluxio-s3-multipart`);
    });

    test('ListMultipartUploads on any worker lists the uploads of every worker', async () => {
      for (const [i, s3] of clients.entries()) {
        const r = await s3.send(new ListMultipartUploadsCommand({ Bucket: 'bucket' }));
        const listed = new Map((r.Uploads ?? []).map((u) => [u.UploadId!, u.Key!]));
        assert.deepEqual([...listed.entries()].sort(), [...ids.entries()].sort(), `worker ${i}`);
        const some = await s3.send(new ListMultipartUploadsCommand({ Bucket: 'bucket', Prefix: 'dir/upload-1' }));
        assert.deepEqual((some.Uploads ?? []).map((u) => u.Key).sort(), KEYS.filter((k) => k.startsWith('dir/upload-1')).sort(), `worker ${i}, prefix`);
      }
    });
  });

  test('an upload idle for the expiration is removed; an active one is kept', async () => {
    const c = await startS3TestCluster({ workers: 1, properties: { 'alluxio.worker.s3.multipart.upload.expiration': '3s' } });
    const s3 = client(c.endpoints[0]!);
    try {
      const dir = join(c.tmp.path, 'pagestore-0', 'state', 's3-multipart');
      const idle = (await s3.send(new CreateMultipartUploadCommand({ Bucket: 'bucket', Key: 'idle' }))).UploadId!;
      const busy = (await s3.send(new CreateMultipartUploadCommand({ Bucket: 'bucket', Key: 'busy' }))).UploadId!;
      assert.ok(existsSync(join(dir, idle)));
      let part = 1;
      await until('the idle upload is removed', async () => {
        // The busy upload gets a part every round, so it never goes 3 s without activity.
        await s3.send(new UploadPartCommand({ Bucket: 'bucket', Key: 'busy', UploadId: busy, PartNumber: part++, Body: 'x' }));
        return !existsSync(join(dir, idle));
      });
      assert.ok(existsSync(join(dir, busy)), 'the active upload was removed');
      const listed = (await s3.send(new ListMultipartUploadsCommand({ Bucket: 'bucket' }))).Uploads ?? [];
      assert.deepEqual(listed.map((u) => u.UploadId), [busy]);
    } finally {
      s3.destroy();
      await c.stop();
    }
  });
});

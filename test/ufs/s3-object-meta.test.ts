// S3 object metadata kept natively by the S3 UFS (issue 14): WriteOptions.meta goes into
// PutObject / CreateMultipartUpload, readObjectMeta reads it back by HeadObject for the version it
// was written with, and a rename (CopyObject) carries it. Against a real s3rver process.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { S3Ufs } from '../../src/ufs/s3-ufs.js';
import { S3_PART_SIZE } from '../../src/ufs/s3-write.js';
import { ufsVersion } from '../../src/ufs/under-file-system.js';
import { startS3Server, type S3TestServer } from '../support/s3-server.js';

const BUCKET = 'metabucket';
const headers = {
  'content-type': 'text/plain; charset=utf-8',
  'cache-control': 'no-cache',
  'content-disposition': 'inline',
  'content-language': 'de',
  'x-amz-meta-color': 'green',
};

describe('S3Ufs native object metadata', () => {
  let server: S3TestServer;
  let ufs: S3Ufs;
  const root = `s3://${BUCKET}/root`;

  before(async () => {
    server = await startS3Server({ buckets: [BUCKET] });
    ufs = new S3Ufs(`${root}/`, { ...server.ufsOptions(), 'alluxio.underfs.s3.request.timeout': '10s' }, { retryBaseDelayMs: 5, retryMaxDelayMs: 50 });
  });
  after(async () => {
    await ufs?.close();
    await server?.stop();
  });

  for (const [what, size] of [['single PutObject', 1000], ['multipart', S3_PART_SIZE + 1000]] as const) {
    it(`keeps the metadata of a ${what} write for its version`, async () => {
      const uri = `${root}/m-${size}`;
      const st = await ufs.write(uri, randomBytes(size), { meta: { headers, etag: 'ignored' } });
      const m = await ufs.readObjectMeta(uri, ufsVersion(st));
      assert.deepEqual(m?.headers, headers);
      assert.equal(m?.etag, undefined, "the S3 UFS's own ETag is the object's: none is stored");
      assert.equal(await ufs.readObjectMeta(uri, 'etag:another'), undefined, 'another version has none');
    });
  }

  it('a write without metadata stores none; a rename keeps it; a missing object has none', async () => {
    const plain = await ufs.write(`${root}/plain`, Buffer.from('x'));
    const pm = await ufs.readObjectMeta(`${root}/plain`, ufsVersion(plain));
    assert.equal(pm?.headers['x-amz-meta-color'], undefined);
    await ufs.write(`${root}/from`, Buffer.from('y'), { meta: { headers } });
    await ufs.rename(`${root}/from`, `${root}/to`);
    const moved = await ufs.getStatus(`${root}/to`);
    assert.deepEqual((await ufs.readObjectMeta(`${root}/to`, ufsVersion(moved)))?.headers, headers);
    assert.equal(await ufs.readObjectMeta(`${root}/from`, ufsVersion(moved)), undefined);
  });
});

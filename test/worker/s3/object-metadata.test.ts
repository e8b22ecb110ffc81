// S3 object metadata and MD5 ETags (issue 14, S3 items 1 and 2) through the AWS SDK for
// JavaScript v3 against a two-worker cluster with SigV4 on (keys owned by worker 1 are proxied),
// on a local UFS: the sidecar under <mount root>/.alluxio-meta is checked on disk, never listed,
// follows renames and deletes, and does not survive an overwrite made outside Alluxio.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CompleteMultipartUploadCommand, CopyObjectCommand, CreateMultipartUploadCommand, DeleteObjectCommand, GetObjectCommand, HeadObjectCommand,
  ListBucketsCommand, ListObjectsV2Command, PutObjectCommand, S3Client, UploadPartCommand, type HeadObjectCommandOutput,
} from '@aws-sdk/client-s3';
import { waitFor } from '../../support/etcd.js';
import { sigV4Headers } from '../../support/sigv4-signer.js';
import { ACCESS_KEY, SECRET_KEY, aws, awsEnv, startS3TestCluster, type S3TestCluster } from '../../support/s3-clients.js';
import { makeTempDir, type TempDir } from '../../support/tmp.js';
import { startWorkerChild } from '../../support/worker-child.js';

const md5 = (b: Buffer | string): string => createHash('md5').update(b).digest('hex');

const META = {
  ContentType: 'text/x-test; charset=utf-8',
  CacheControl: 'max-age=60, private',
  ContentDisposition: 'attachment; filename="report.txt"',
  ContentEncoding: 'identity',
  ContentLanguage: 'fr-CA',
  Expires: new Date('2031-01-02T03:04:05Z'),
  Metadata: { color: 'blue', 'two-words': 'hello world' },
};

function assertMeta(h: HeadObjectCommandOutput, what: string): void {
  assert.equal(h.ContentType, META.ContentType, what);
  assert.equal(h.CacheControl, META.CacheControl, what);
  assert.equal(h.ContentDisposition, META.ContentDisposition, what);
  assert.equal(h.ContentEncoding, META.ContentEncoding, what);
  assert.equal(h.ContentLanguage, META.ContentLanguage, what);
  assert.equal(h.ExpiresString, META.Expires.toUTCString(), what);
  assert.deepEqual(h.Metadata, META.Metadata, what);
}

describe('S3 object metadata and ETags (local UFS)', { timeout: 300_000 }, () => {
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

  const head = (key: string) => s3.send(new HeadObjectCommand({ Bucket: 'bucket', Key: key }));
  const sidecar = (key: string) => join(c.ufsDir, '.alluxio-meta', 'bucket', key);

  test('PutObject keeps the metadata for GET and HEAD; the ETag is the MD5 of the body', async () => {
    const body = randomBytes(200_000);
    const put = await s3.send(new PutObjectCommand({ Bucket: 'bucket', Key: 'm/a.txt', Body: body, ...META }));
    assert.equal(put.ETag, `"${md5(body)}"`);
    const h = await head('m/a.txt');
    assertMeta(h, 'HEAD');
    assert.equal(h.ETag, `"${md5(body)}"`);
    const g = await s3.send(new GetObjectCommand({ Bucket: 'bucket', Key: 'm/a.txt' }));
    assertMeta(g, 'GET');
    assert.equal(g.ETag, `"${md5(body)}"`);
    assert.ok(Buffer.from(await g.Body!.transformToByteArray()).equals(body));
    assert.ok(existsSync(sidecar('m/a.txt')), 'the local UFS keeps a sidecar');
    const l = await s3.send(new ListObjectsV2Command({ Bucket: 'bucket', Prefix: 'm/' }));
    assert.equal(l.Contents?.find((o) => o.Key === 'm/a.txt')?.ETag, `"${md5(body)}"`, 'LIST shows the same ETag');
  });

  test('the sidecar directory is never a bucket, an object or a listed entry', async () => {
    await s3.send(new PutObjectCommand({ Bucket: 'bucket', Key: 'm/listed.txt', Body: 'x', Metadata: { k: 'v' } }));
    const buckets = await s3.send(new ListBucketsCommand({}));
    assert.deepEqual(buckets.Buckets?.map((b) => b.Name), ['bucket']);
    const l = await s3.send(new ListObjectsV2Command({ Bucket: 'bucket' }));
    assert.ok(!(l.Contents ?? []).some((o) => o.Key!.includes('.alluxio-meta')));
    const rest = `http://127.0.0.1:${c.cluster.ports[0]!.http}`;
    const files = await (await fetch(`${rest}/v1/files?path=/&recursive=true`)).json() as Array<Record<string, unknown>>;
    assert.ok(files.length > 0);
    assert.ok(!JSON.stringify(files).includes('.alluxio-meta'), 'REST listings leave it out');
    const read = await fetch(`${rest}/v1/read?path=${encodeURIComponent('/.alluxio-meta/bucket/m/listed.txt')}`);
    assert.equal(read.status, 400, 'a path through it is refused');
    await read.body?.cancel();
  });

  test('CopyObject copies the metadata (COPY, the default) or replaces it (REPLACE), also onto itself', async () => {
    const body = randomBytes(50_000);
    await s3.send(new PutObjectCommand({ Bucket: 'bucket', Key: 'c/src', Body: body, ...META }));
    const copied = await s3.send(new CopyObjectCommand({ Bucket: 'bucket', Key: 'c/copy', CopySource: 'bucket/c/src' }));
    assert.equal(copied.CopyObjectResult?.ETag, `"${md5(body)}"`);
    assertMeta(await head('c/copy'), 'COPY');
    await s3.send(new CopyObjectCommand({
      Bucket: 'bucket', Key: 'c/replaced', CopySource: 'bucket/c/src', MetadataDirective: 'REPLACE', ContentType: 'image/png', Metadata: { only: 'this' },
    }));
    const r = await head('c/replaced');
    assert.equal(r.ContentType, 'image/png');
    assert.deepEqual(r.Metadata, { only: 'this' });
    assert.equal(r.CacheControl, undefined, 'REPLACE drops what it does not set');
    assert.equal(r.ETag, `"${md5(body)}"`);
    await s3.send(new CopyObjectCommand({ Bucket: 'bucket', Key: 'c/src', CopySource: 'bucket/c/src', MetadataDirective: 'REPLACE', Metadata: { v: '2' } }));
    const self = await head('c/src');
    assert.deepEqual(self.Metadata, { v: '2' });
    assert.equal(self.ContentType, 'application/octet-stream');
    await assert.rejects(s3.send(new CopyObjectCommand({ Bucket: 'bucket', Key: 'c/x', CopySource: 'bucket/c/src', MetadataDirective: 'MOVE' as 'COPY' })),
      (e: Error) => e.name === 'InvalidArgument');
  });

  test('a multipart upload keeps CreateMultipartUpload\'s metadata; the ETag is md5-of-md5s-N', async () => {
    const parts = [randomBytes(5 * 1024 * 1024), randomBytes(123_456)];
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'bucket', Key: 'mp/obj', ...META }));
    const done = [];
    for (let i = 0; i < parts.length; i++) {
      const p = await s3.send(new UploadPartCommand({ Bucket: 'bucket', Key: 'mp/obj', UploadId, PartNumber: i + 1, Body: parts[i] }));
      assert.equal(p.ETag, `"${md5(parts[i]!)}"`);
      done.push({ ETag: p.ETag, PartNumber: i + 1 });
    }
    const expected = `"${md5(Buffer.concat(parts.map((p) => createHash('md5').update(p).digest())))}-2"`;
    const out = await s3.send(new CompleteMultipartUploadCommand({ Bucket: 'bucket', Key: 'mp/obj', UploadId, MultipartUpload: { Parts: done } }));
    assert.equal(out.ETag, expected);
    const h = await head('mp/obj');
    assertMeta(h, 'multipart HEAD');
    assert.equal(h.ETag, expected);
    assert.equal(h.ContentLength, parts[0]!.length + parts[1]!.length);
  });

  test('user metadata over 2 KB is MetadataTooLarge and nothing is written', async () => {
    await assert.rejects(s3.send(new PutObjectCommand({ Bucket: 'bucket', Key: 'big-meta', Body: 'x', Metadata: { a: 'v'.repeat(2100) } })),
      (e: Error & { $metadata?: { httpStatusCode?: number } }) => e.name === 'MetadataTooLarge' && e.$metadata?.httpStatusCode === 400);
    assert.equal(existsSync(join(c.ufsDir, 'bucket/big-meta')), false);
    await assert.rejects(s3.send(new CreateMultipartUploadCommand({ Bucket: 'bucket', Key: 'big-meta', Metadata: { a: 'v'.repeat(2100) } })),
      (e: Error) => e.name === 'MetadataTooLarge');
    // Exactly at the limit is fine: 1 byte of name + 2047 of value.
    await s3.send(new PutObjectCommand({ Bucket: 'bucket', Key: 'max-meta', Body: 'x', Metadata: { a: 'v'.repeat(2047) } }));
    assert.equal((await head('max-meta')).Metadata?.a?.length, 2047);
  });

  test('a Content-MD5 that does not match the body is BadDigest and nothing is written', async () => {
    await assert.rejects(s3.send(new PutObjectCommand({ Bucket: 'bucket', Key: 'bad-md5', Body: 'hello', ContentMD5: createHash('md5').update('other').digest('base64') })),
      (e: Error) => e.name === 'BadDigest');
    assert.equal(existsSync(join(c.ufsDir, 'bucket/bad-md5')), false);
  });

  test('an overwrite outside Alluxio drops the metadata and the MD5 ETag', async () => {
    await s3.send(new PutObjectCommand({ Bucket: 'bucket', Key: 'o/file', Body: 'first', ...META }));
    assert.equal((await head('o/file')).ETag, `"${md5('first')}"`);
    writeFileSync(join(c.ufsDir, 'bucket/o/file'), 'second!');
    assert.ok(existsSync(sidecar('o/file')), 'the stale sidecar is still on disk');
    // The worker's metadata cache may hold the old status for its TTL; poll until it sees the change.
    const h = await waitFor('the new version', async () => {
      const x = await head('o/file');
      return x.ContentLength === 7 ? x : undefined;
    }, 60_000, 200);
    assert.equal(h.Metadata && Object.keys(h.Metadata).length, 0);
    assert.equal(h.ContentType, 'application/octet-stream');
    assert.equal(h.CacheControl, undefined);
    assert.notEqual(h.ETag, `"${md5('first')}"`);
    assert.match(h.ETag!, /-1"$/, 'a file written outside keeps the version-based ETag');
  });

  test('DeleteObject deletes the sidecar; a REST mv moves it', async () => {
    await s3.send(new PutObjectCommand({ Bucket: 'bucket', Key: 'd/gone', Body: 'x', Metadata: { k: 'v' } }));
    assert.ok(existsSync(sidecar('d/gone')));
    await s3.send(new PutObjectCommand({ Bucket: 'bucket', Key: 'd/keep', Body: 'x' })); // keeps d/ alive
    await s3.send(new DeleteObjectCommand({ Bucket: 'bucket', Key: 'd/gone' }));
    assert.equal(existsSync(sidecar('d/gone')), false, 'the sidecar went with the object');

    const body = Buffer.from('moved bytes');
    await s3.send(new PutObjectCommand({ Bucket: 'bucket', Key: 'mv/from', Body: body, ...META }));
    const rest = `http://127.0.0.1:${c.cluster.ports[1]!.http}`;
    // The REST API wants credentials when auth is on: a SigV4 signature with the S3 keys.
    const post = async (url: string) => fetch(url, { method: 'POST', headers: await sigV4Headers('POST', url, ACCESS_KEY, SECRET_KEY) });
    const mv = await post(`${rest}/v1/mv?srcPath=${encodeURIComponent('/bucket/mv/from')}&dstPath=${encodeURIComponent('/bucket/mv/sub/to')}`);
    assert.equal(mv.status, 200, await mv.text());
    assert.equal(existsSync(sidecar('mv/from')), false);
    assert.ok(existsSync(sidecar('mv/sub/to')));
    const h = await head('mv/sub/to');
    assertMeta(h, 'after mv');
    assert.equal(h.ETag, `"${md5(body)}"`, 'the MD5 ETag survives the rename (its ctime changed)');
    // A directory rename carries the sidecars below it.
    const mvDir = await post(`${rest}/v1/mv?srcPath=${encodeURIComponent('/bucket/mv/sub')}&dstPath=${encodeURIComponent('/bucket/mv/sub2')}`);
    assert.equal(mvDir.status, 200, await mvDir.text());
    assertMeta(await head('mv/sub2/to'), 'after a directory mv');
    assert.deepEqual(readdirSync(join(c.ufsDir, '.alluxio-meta/bucket/mv')).sort(), ['sub2']);
  });
});

describe('S3 ETags and metadata persist across a worker restart', { timeout: 300_000 }, () => {
  let tmp: TempDir;
  before(async () => { tmp = await makeTempDir('alluxio-s3-meta-restart-'); });
  after(async () => tmp?.cleanup());

  test('a restarted worker process answers the same MD5 ETag and metadata', async () => {
    const ufs = join(tmp.path, 'ufs');
    mkdirSync(join(ufs, 'bucket'), { recursive: true });
    const o = { ufs, pagestore: join(tmp.path, 'pagestore') };
    const body = randomBytes(300_000);
    let w = await startWorkerChild({ dir: join(tmp.path, 'w1'), ...o, logLevel: 'warn' });
    try {
      const s3 = new S3Client({ endpoint: w.s3, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
      const put = await s3.send(new PutObjectCommand({ Bucket: 'bucket', Key: 'r/obj', Body: body, ...META }));
      assert.equal(put.ETag, `"${md5(body)}"`);
      s3.destroy();
    } finally {
      await w.stop();
    }
    w = await startWorkerChild({ dir: join(tmp.path, 'w2'), ...o, logLevel: 'warn' });
    try {
      const s3 = new S3Client({ endpoint: w.s3, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
      const h = await s3.send(new HeadObjectCommand({ Bucket: 'bucket', Key: 'r/obj' }));
      assert.equal(h.ETag, `"${md5(body)}"`);
      assertMeta(h, 'after restart');
      s3.destroy();
    } finally {
      await w.stop();
    }
  });
});

describe('awscli uploads get the MD5 ETag that aws s3 sync expects', { timeout: 300_000 }, () => {
  let c: S3TestCluster;
  before(async () => { c = await startS3TestCluster({ workers: 1, auth: true }); });
  after(async () => c?.stop());

  test('aws s3 cp: ETag is the MD5 (single part) or md5-of-md5s-N (8 MiB parts); sync twice uploads once', async () => {
    const env = awsEnv(c.tmp.path);
    const ep = c.endpoints[0]!;
    const local = join(c.tmp.path, 'local');
    mkdirSync(local);
    const small = randomBytes(100_000);
    const big = randomBytes(20 * 1024 * 1024);
    writeFileSync(join(local, 'small.bin'), small);
    writeFileSync(join(local, 'big.bin'), big);
    for (const name of ['small.bin', 'big.bin']) {
      const up = await aws(ep, env, ['s3', 'cp', join(local, name), `s3://bucket/cli/${name}`]);
      assert.equal(up.code, 0, up.stderr);
    }
    const etag = async (key: string) => JSON.parse((await aws(ep, env, ['s3api', 'head-object', '--bucket', 'bucket', '--key', key])).stdout).ETag as string;
    assert.equal(await etag('cli/small.bin'), `"${md5(small)}"`);
    const partMd5s = [0, 1, 2].map((i) => createHash('md5').update(big.subarray(i * 8 << 20, (i + 1) * 8 << 20)).digest());
    assert.equal(await etag('cli/big.bin'), `"${md5(Buffer.concat(partMd5s))}-3"`);
    const first = await aws(ep, env, ['s3', 'sync', local, 's3://bucket/synced']);
    assert.equal(first.code, 0, first.stderr);
    assert.equal((first.stdout.match(/^upload: /gm) ?? []).length, 2);
    const again = await aws(ep, env, ['s3', 'sync', local, 's3://bucket/synced']);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(again.stdout.trim(), '', 'a second sync uploads nothing');
  });
});

// The S3 API over plain HTTP (SIMPLE auth): ranges, conditionals, ETags, copy, batch delete,
// multipart bookkeeping, bucket operations, errors and metrics. Real clients are in the other files.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { registry } from '../../../src/common/metrics.js';
import { stagedUploads, startS3TestCluster, type S3TestCluster } from '../../support/s3-clients.js';

async function req(url: string, init: RequestInit & { headers?: Record<string, string> } = {}): Promise<{ status: number; headers: Headers; body: Buffer; text: string }> {
  const r = await fetch(url, { redirect: 'manual', ...init });
  const body = Buffer.from(await r.arrayBuffer());
  return { status: r.status, headers: r.headers, body, text: body.toString('utf8') };
}

function code(xml: string): string | undefined {
  return /<Code>([^<]+)<\/Code>/.exec(xml)?.[1];
}

describe('S3 API (HTTP)', () => {
  let c: S3TestCluster;
  let ep: string;
  const data = randomBytes(100_000);

  before(async () => {
    c = await startS3TestCluster({ workers: 1, buckets: ['bucket', 'other'] });
    ep = c.endpoints[0]!;
  });
  after(async () => c?.stop());

  test('PutObject then GetObject round-trips; ETag and Last-Modified agree across PUT, HEAD, GET and LIST', async () => {
    const put = await req(`${ep}/bucket/dir/obj.bin`, { method: 'PUT', body: data });
    assert.equal(put.status, 200);
    assert.ok(put.headers.get('x-amz-request-id'));
    const etag = put.headers.get('etag')!;
    assert.match(etag, /^"[0-9a-f]{32}(-1)?"$/);
    assert.deepEqual(readFileSync(join(c.ufsDir, 'bucket/dir/obj.bin')), data);
    const head = await req(`${ep}/bucket/dir/obj.bin`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('etag'), etag);
    assert.equal(head.headers.get('content-length'), String(data.length));
    const get = await req(`${ep}/bucket/dir/obj.bin`);
    assert.deepEqual(get.body, data);
    assert.equal(get.headers.get('etag'), etag);
    assert.equal(get.headers.get('last-modified'), head.headers.get('last-modified'));
    const list = await req(`${ep}/bucket?list-type=2&prefix=dir/`);
    assert.ok(list.text.includes(`<ETag>${etag.replace(/"/g, '&quot;')}</ETag>`), list.text);
    // A new version has a new ETag.
    const put2 = await req(`${ep}/bucket/dir/obj.bin`, { method: 'PUT', body: data.subarray(0, 10) });
    assert.notEqual(put2.headers.get('etag'), etag);
    assert.equal((await req(`${ep}/bucket/dir/obj.bin`)).body.length, 10);
    await req(`${ep}/bucket/dir/obj.bin`, { method: 'PUT', body: data });
  });

  test('Range: bytes=a-b, a-, -n; a range past the end is InvalidRange (416); several ranges are refused', async () => {
    const url = `${ep}/bucket/dir/obj.bin`;
    const r1 = await req(url, { headers: { range: 'bytes=10-19' } });
    assert.equal(r1.status, 206);
    assert.deepEqual(r1.body, data.subarray(10, 20));
    assert.equal(r1.headers.get('content-range'), `bytes 10-19/${data.length}`);
    const r2 = await req(url, { headers: { range: 'bytes=99990-' } });
    assert.deepEqual(r2.body, data.subarray(99_990));
    const r3 = await req(url, { headers: { range: 'bytes=-5' } });
    assert.deepEqual(r3.body, data.subarray(data.length - 5));
    const r4 = await req(url, { headers: { range: 'bytes=99999-200000' } });
    assert.deepEqual(r4.body, data.subarray(99_999));
    const bad = await req(url, { headers: { range: `bytes=${data.length}-` } });
    assert.equal(bad.status, 416);
    assert.equal(code(bad.text), 'InvalidRange');
    assert.equal((await req(url, { headers: { range: 'bytes=0-1,5-6' } })).status, 416);
    assert.equal((await req(url, { headers: { range: 'bytes=9-3' } })).status, 416);
    // Not a bytes range at all: ignored, as RFC 7233 says.
    assert.equal((await req(url, { headers: { range: 'items=0-1' } })).status, 200);
  });

  test('conditional GET: If-None-Match → 304, If-Match mismatch → 412, If-Modified-Since', async () => {
    const url = `${ep}/bucket/dir/obj.bin`;
    const etag = (await req(url, { method: 'HEAD' })).headers.get('etag')!;
    assert.equal((await req(url, { headers: { 'if-none-match': etag } })).status, 304);
    assert.equal((await req(url, { headers: { 'if-none-match': '"other"' } })).status, 200);
    assert.equal((await req(url, { headers: { 'if-match': etag } })).status, 200);
    const pf = await req(url, { headers: { 'if-match': '"nope"' } });
    assert.equal(pf.status, 412);
    assert.equal(code(pf.text), 'PreconditionFailed');
    assert.equal((await req(url, { headers: { 'if-modified-since': new Date(Date.now() + 3600_000).toUTCString() } })).status, 304);
    assert.equal((await req(url, { headers: { 'if-modified-since': new Date(0).toUTCString() } })).status, 200);
  });

  test('Content-MD5: a mismatch is BadDigest and nothing is written; a match is accepted', async () => {
    const body = randomBytes(1000);
    const wrong = createHash('md5').update('x').digest('base64');
    const r = await req(`${ep}/bucket/md5.bin`, { method: 'PUT', body, headers: { 'content-md5': wrong } });
    assert.equal(r.status, 400);
    assert.equal(code(r.text), 'BadDigest');
    assert.equal(existsSync(join(c.ufsDir, 'bucket/md5.bin')), false);
    const ok = await req(`${ep}/bucket/md5.bin`, { method: 'PUT', body, headers: { 'content-md5': createHash('md5').update(body).digest('base64') } });
    assert.equal(ok.status, 200);
    assert.deepEqual(readFileSync(join(c.ufsDir, 'bucket/md5.bin')), body);
  });

  test('CopyObject copies across buckets; DeleteObject is idempotent; missing keys are NoSuchKey', async () => {
    const cp = await req(`${ep}/other/copied.bin`, { method: 'PUT', headers: { 'x-amz-copy-source': '/bucket/dir/obj.bin' } });
    assert.equal(cp.status, 200, cp.text);
    assert.match(cp.text, /<CopyObjectResult[^>]*>.*<ETag>/);
    assert.deepEqual(readFileSync(join(c.ufsDir, 'other/copied.bin')), data);
    const self = await req(`${ep}/other/copied.bin`, { method: 'PUT', headers: { 'x-amz-copy-source': 'other/copied.bin' } });
    assert.equal(code(self.text), 'InvalidRequest');
    const missing = await req(`${ep}/other/copied.bin.nope`);
    assert.equal(missing.status, 404);
    assert.equal(code(missing.text), 'NoSuchKey');
    assert.equal((await req(`${ep}/other/copied.bin`, { method: 'DELETE' })).status, 204);
    assert.equal((await req(`${ep}/other/copied.bin`, { method: 'DELETE' })).status, 204);
    assert.equal(existsSync(join(c.ufsDir, 'other/copied.bin')), false);
  });

  test('DeleteObjects deletes what exists, reports bad keys, and removes emptied prefixes', async () => {
    for (const k of ['d/a/1', 'd/a/2', 'd/b']) await req(`${ep}/bucket/${k}`, { method: 'PUT', body: 'x' });
    const xml = '<Delete><Object><Key>d/a/1</Key></Object><Object><Key>d/a/2</Key></Object><Object><Key>d/missing</Key></Object><Object><Key>d/../etc</Key></Object></Delete>';
    const r = await req(`${ep}/bucket?delete`, { method: 'POST', body: xml });
    assert.equal(r.status, 200, r.text);
    assert.equal((r.text.match(/<Deleted>/g) ?? []).length, 3);
    assert.match(r.text, /<Error><Key>d\/\.\.\/etc<\/Key><Code>InvalidArgument<\/Code>/);
    assert.equal(existsSync(join(c.ufsDir, 'bucket/d/a')), false, 'the emptied prefix d/a/ is gone');
    assert.equal(existsSync(join(c.ufsDir, 'bucket/d/b')), true);
    const quiet = await req(`${ep}/bucket?delete`, { method: 'POST', body: '<Delete><Quiet>true</Quiet><Object><Key>d/b</Key></Object></Delete>' });
    assert.doesNotMatch(quiet.text, /<Deleted>/);
    assert.equal(existsSync(join(c.ufsDir, 'bucket/d')), false);
  });

  test('ListObjects v1/v2 and ListObjectVersions: prefix, delimiter, max-keys, tokens, start-after, url encoding', async () => {
    const keys = ['l/a', 'l/b/1', 'l/b/2', 'l/c d', 'l/e%f', 'l/z/9'];
    for (const k of keys) await req(`${ep}/bucket/${k.split('/').map(encodeURIComponent).join('/')}`, { method: 'PUT', body: k });
    const v2 = await req(`${ep}/bucket?list-type=2&prefix=l/&delimiter=/`);
    assert.deepEqual([...v2.text.matchAll(/<Key>([^<]+)<\/Key>/g)].map((m) => m[1]), ['l/a', 'l/c d', 'l/e%f']);
    assert.deepEqual([...v2.text.matchAll(/<Prefix>(l\/[^<]+)<\/Prefix>/g)].map((m) => m[1]), ['l/b/', 'l/z/']);
    // Page through everything two at a time.
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const r = await req(`${ep}/bucket?list-type=2&prefix=l/&max-keys=2${token ? '&continuation-token=' + encodeURIComponent(token) : ''}`);
      const page = [...r.text.matchAll(/<Key>([^<]+)<\/Key>/g)].map((m) => m[1]!);
      assert.ok(page.length <= 2);
      seen.push(...page);
      token = /<NextContinuationToken>([^<]+)</.exec(r.text)?.[1];
    } while (token);
    assert.deepEqual(seen, [...keys].sort());
    const sa = await req(`${ep}/bucket?list-type=2&prefix=l/&start-after=l/b/2`);
    assert.deepEqual([...sa.text.matchAll(/<Key>([^<]+)<\/Key>/g)].map((m) => m[1]), ['l/c d', 'l/e%f', 'l/z/9']);
    const enc = await req(`${ep}/bucket?list-type=2&prefix=l/&encoding-type=url`);
    assert.match(enc.text, /<Key>l\/c%20d<\/Key>/);
    const v1 = await req(`${ep}/bucket?prefix=l/&delimiter=/&max-keys=2`);
    assert.match(v1.text, /<IsTruncated>true<\/IsTruncated>/);
    const marker = /<NextMarker>([^<]+)</.exec(v1.text)![1]!;
    const v1b = await req(`${ep}/bucket?prefix=l/&delimiter=/&marker=${encodeURIComponent(marker)}`);
    assert.deepEqual([...v1b.text.matchAll(/<Key>([^<]+)<\/Key>/g)].map((m) => m[1]), ['l/c d', 'l/e%f']);
    const ver = await req(`${ep}/bucket?versions&prefix=l/`);
    assert.equal((ver.text.match(/<Version>/g) ?? []).length, keys.length);
    assert.equal((ver.text.match(/<VersionId>null<\/VersionId>/g) ?? []).length, keys.length);
    const none = await req(`${ep}/nobucket?list-type=2`);
    assert.equal(none.status, 404);
    assert.equal(code(none.text), 'NoSuchBucket');
  });

  test('multipart: parts staged off the UFS; abort leaves nothing; bad part lists refused; complete writes once', async () => {
    const init = await req(`${ep}/bucket/mp/big.bin?uploads`, { method: 'POST' });
    const id = /<UploadId>([^<]+)</.exec(init.text)![1]!;
    const p1 = randomBytes(5 * 1024 * 1024);
    const p2 = randomBytes(1234);
    const e1 = (await req(`${ep}/bucket/mp/big.bin?partNumber=1&uploadId=${id}`, { method: 'PUT', body: p1 })).headers.get('etag')!;
    const e2 = (await req(`${ep}/bucket/mp/big.bin?partNumber=2&uploadId=${id}`, { method: 'PUT', body: p2 })).headers.get('etag')!;
    assert.equal(e1, `"${createHash('md5').update(p1).digest('hex')}"`);
    assert.equal(existsSync(join(c.ufsDir, 'bucket/mp')), false, 'nothing in the UFS before Complete');
    const lp = await req(`${ep}/bucket/mp/big.bin?uploadId=${id}`);
    assert.equal((lp.text.match(/<Part>/g) ?? []).length, 2);
    const ups = await req(`${ep}/bucket?uploads`);
    assert.ok(ups.text.includes(id));
    const complete = (parts: Array<[number, string]>) => `<CompleteMultipartUpload>${parts.map(([n, e]) => `<Part><PartNumber>${n}</PartNumber><ETag>${e}</ETag></Part>`).join('')}</CompleteMultipartUpload>`;
    const badEtag = await req(`${ep}/bucket/mp/big.bin?uploadId=${id}`, { method: 'POST', body: complete([[1, e1], [2, '"00000000000000000000000000000000"']]) });
    assert.equal(code(badEtag.text), 'InvalidPart');
    const order = await req(`${ep}/bucket/mp/big.bin?uploadId=${id}`, { method: 'POST', body: complete([[2, e2], [1, e1]]) });
    assert.equal(code(order.text), 'InvalidPartOrder');
    const missing = await req(`${ep}/bucket/mp/big.bin?uploadId=${id}`, { method: 'POST', body: complete([[2, e2], [3, e2]]) });
    assert.equal(code(missing.text), 'InvalidPart');
    await req(`${ep}/bucket/mp/big.bin?partNumber=3&uploadId=${id}`, { method: 'PUT', body: p2 });
    const small = await req(`${ep}/bucket/mp/big.bin?uploadId=${id}`, { method: 'POST', body: complete([[2, e2], [3, e2]]) });
    assert.equal(code(small.text), 'EntityTooSmall');
    assert.equal(code((await req(`${ep}/bucket/mp/big.bin?uploadId=${id}`, { method: 'POST', body: '<Complete' })).text), 'MalformedXML');
    assert.equal(existsSync(join(c.ufsDir, 'bucket/mp')), false);
    const done = await req(`${ep}/bucket/mp/big.bin?uploadId=${id}`, { method: 'POST', body: complete([[1, e1], [2, e2]]) });
    assert.equal(done.status, 200, done.text);
    assert.deepEqual(readFileSync(join(c.ufsDir, 'bucket/mp/big.bin')), Buffer.concat([p1, p2]));
    const etag = /<ETag>([^<]+)</.exec(done.text)![1]!.replace(/&quot;/g, '"');
    assert.equal((await req(`${ep}/bucket/mp/big.bin`, { method: 'HEAD' })).headers.get('etag'), etag);
    assert.equal(code((await req(`${ep}/bucket/mp/big.bin?partNumber=3&uploadId=${id}`, { method: 'PUT', body: 'x' })).text), 'NoSuchUpload');

    const init2 = await req(`${ep}/bucket/mp/aborted.bin?uploads`, { method: 'POST' });
    const id2 = /<UploadId>([^<]+)</.exec(init2.text)![1]!;
    await req(`${ep}/bucket/mp/aborted.bin?partNumber=1&uploadId=${id2}`, { method: 'PUT', body: p2 });
    assert.equal((await req(`${ep}/bucket/mp/aborted.bin?uploadId=${id2}`, { method: 'DELETE' })).status, 204);
    assert.equal(existsSync(join(c.ufsDir, 'bucket/mp/aborted.bin')), false);
    assert.deepEqual(stagedUploads(c), [], 'no staged parts are left');
    assert.equal(code((await req(`${ep}/bucket/mp/aborted.bin?uploadId=${id2}`)).text), 'NoSuchUpload');
  });

  test('buckets: ListBuckets, HeadBucket, CreateBucket and DeleteBucket make and remove root-mount directories', async () => {
    const lb = await req(`${ep}/`);
    assert.deepEqual([...lb.text.matchAll(/<Name>([^<]+)<\/Name>/g)].map((m) => m[1]).sort(), ['bucket', 'other']);
    assert.equal((await req(`${ep}/bucket`, { method: 'HEAD' })).status, 200);
    assert.equal((await req(`${ep}/nobucket`, { method: 'HEAD' })).status, 404);
    assert.equal((await req(`${ep}/newbucket`, { method: 'PUT' })).status, 200);
    assert.ok(existsSync(join(c.ufsDir, 'newbucket')));
    assert.equal(code((await req(`${ep}/newbucket`, { method: 'PUT' })).text), 'BucketAlreadyOwnedByYou');
    writeFileSync(join(c.ufsDir, 'newbucket', 'f'), 'x');
    const ne = await req(`${ep}/newbucket`, { method: 'DELETE' });
    assert.equal(ne.status, 409);
    assert.equal(code(ne.text), 'BucketNotEmpty');
    await req(`${ep}/newbucket/f`, { method: 'DELETE' });
    assert.equal((await req(`${ep}/newbucket`, { method: 'DELETE' })).status, 204);
    assert.equal(existsSync(join(c.ufsDir, 'newbucket')), false);
  });

  test('directory markers: PUT key/ makes a directory, HEAD key/ finds it, listing shows it as a prefix', async () => {
    assert.equal((await req(`${ep}/bucket/folder/`, { method: 'PUT', body: '' })).status, 200);
    const h = await req(`${ep}/bucket/folder/`, { method: 'HEAD' });
    assert.equal(h.status, 200);
    assert.equal(h.headers.get('content-type'), 'application/x-directory');
    assert.equal((await req(`${ep}/bucket/folder`, { method: 'HEAD' })).status, 404);
    const l = await req(`${ep}/bucket?list-type=2&prefix=folder&delimiter=/`);
    assert.match(l.text, /<CommonPrefixes><Prefix>folder\/<\/Prefix><\/CommonPrefixes>/);
    assert.equal((await req(`${ep}/bucket/folder/`, { method: 'DELETE' })).status, 204);
    assert.equal(existsSync(join(c.ufsDir, 'bucket/folder')), false);
  });

  test('metrics: latency by operation, bytes served, errors by S3 code', async () => {
    await req(`${ep}/bucket/no-such-key`);
    const text = await registry.metrics();
    assert.match(text, /alluxio_s3_api_call_latency_seconds_count\{op="GetObject"\} [1-9]/);
    assert.match(text, /alluxio_s3_api_call_latency_seconds_count\{op="PutObject"\} [1-9]/);
    assert.match(text, /alluxio_s3_api_errors_total\{code="NoSuchKey"\} [1-9]/);
    assert.match(text, /alluxio_s3_api_bytes_served_total [1-9]/);
  });
});

describe('S3 API without a root mount', () => {
  test('CreateBucket is refused with a pointer to alluxio mount add; ListBuckets is empty', async () => {
    const c = await startS3TestCluster({ rootMount: false });
    try {
      const ep = c.endpoints[0]!;
      const r = await req(`${ep}/newbucket`, { method: 'PUT' });
      assert.equal(r.status, 400);
      assert.equal(code(r.text), 'InvalidRequest');
      assert.match(r.text, /alluxio mount add --path \/newbucket/);
      assert.doesNotMatch((await req(`${ep}/`)).text, /<Bucket>/);
      assert.equal((await req(`${ep}/newbucket/key`)).status, 404);
    } finally {
      await c.stop();
    }
  });
});

// Departures S3 conformance suites found (issue 14): listing edge cases (max-keys=0, fetch-owner,
// encoding-type), 304s that carry the validators, an idempotent CompleteMultipartUpload, re-sent
// parts, an empty Expect header, and keys that are both an object and a prefix on a local UFS.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stagedUploads, startS3TestCluster, type S3TestCluster } from '../../support/s3-clients.js';
import { startS3Server, type S3TestServer } from '../../support/s3-server.js';
import { makeTempDir, type TempDir } from '../../support/tmp.js';
import { startTestCluster, type TestCluster } from '../../support/workers.js';

async function req(url: string, init: RequestInit & { headers?: Record<string, string> } = {}): Promise<{ status: number; headers: Headers; text: string }> {
  const r = await fetch(url, { redirect: 'manual', ...init });
  return { status: r.status, headers: r.headers, text: Buffer.from(await r.arrayBuffer()).toString('utf8') };
}

function code(xml: string): string | undefined {
  return /<Code>([^<]+)<\/Code>/.exec(xml)?.[1];
}

function all(xml: string, tag: string): string[] {
  return [...xml.matchAll(new RegExp(`<${tag}>([^<]*)</${tag}>`, 'g'))].map((m) => m[1]!);
}

/** Sends raw HTTP/1.1 bytes and returns the status line and headers of the first answer. */
function rawRequest(port: number, head: string, body = ''): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1');
    let got = '';
    s.setTimeout(30_000, () => s.destroy(new Error('no answer in 30 s')));
    s.on('data', (d: Buffer) => {
      got += d.toString('latin1');
      const end = got.indexOf('\r\n\r\n');
      if (end >= 0) {
        s.destroy();
        resolve(got.slice(0, end));
      }
    });
    s.on('error', reject);
    s.write(head + body);
  });
}

const completeBody = (parts: Array<[number, string]>) =>
  `<CompleteMultipartUpload>${parts.map(([n, e]) => `<Part><PartNumber>${n}</PartNumber><ETag>${e}</ETag></Part>`).join('')}</CompleteMultipartUpload>`;

describe('S3 conformance', { timeout: 300_000 }, () => {
  let c: S3TestCluster;
  let ep: string;

  before(async () => {
    c = await startS3TestCluster({ workers: 1, buckets: ['bucket'] });
    ep = c.endpoints[0]!;
    for (const k of ['c/a', 'c/b', 'c/sp ace+plus']) await req(`${ep}/bucket/${k.split('/').map(encodeURIComponent).join('/')}`, { method: 'PUT', body: k });
  });
  after(async () => c?.stop());

  test('max-keys=0: v2 and v1 answer an empty, untruncated page without a token or marker', async () => {
    const v2 = await req(`${ep}/bucket?list-type=2&prefix=c/&max-keys=0`);
    assert.equal(v2.status, 200, v2.text);
    assert.deepEqual(all(v2.text, 'IsTruncated'), ['false']);
    assert.deepEqual(all(v2.text, 'KeyCount'), ['0']);
    assert.deepEqual(all(v2.text, 'MaxKeys'), ['0']);
    assert.doesNotMatch(v2.text, /<Contents>|<NextContinuationToken>/);
    const v1 = await req(`${ep}/bucket?prefix=c/&max-keys=0`);
    assert.equal(v1.status, 200, v1.text);
    assert.deepEqual(all(v1.text, 'IsTruncated'), ['false']);
    assert.doesNotMatch(v1.text, /<Contents>|<NextMarker>/);
    // A missing bucket is still NoSuchBucket.
    assert.equal(code((await req(`${ep}/nobucket?list-type=2&max-keys=0`)).text), 'NoSuchBucket');
  });

  test('v2 lists Owner only with fetch-owner=true; v1 always does', async () => {
    const plain = await req(`${ep}/bucket?list-type=2&prefix=c/`);
    assert.equal(all(plain.text, 'Key').length, 3);
    assert.doesNotMatch(plain.text, /<Owner>/);
    const owned = await req(`${ep}/bucket?list-type=2&prefix=c/&fetch-owner=true`);
    assert.equal((owned.text.match(/<Owner>/g) ?? []).length, 3);
    assert.doesNotMatch((await req(`${ep}/bucket?list-type=2&prefix=c/&fetch-owner=false`)).text, /<Owner>/);
    assert.equal(((await req(`${ep}/bucket?prefix=c/`)).text.match(/<Owner>/g) ?? []).length, 3);
  });

  test('v1 and v2 percent-encode Prefix, Marker and keys only with encoding-type=url', async () => {
    const prefix = encodeURIComponent('c/sp ace');
    const v1 = await req(`${ep}/bucket?prefix=${prefix}&marker=${encodeURIComponent('c/b b')}`);
    assert.deepEqual(all(v1.text, 'Prefix'), ['c/sp ace']);
    assert.deepEqual(all(v1.text, 'Marker'), ['c/b b']);
    assert.deepEqual(all(v1.text, 'Key'), ['c/sp ace+plus']);
    assert.doesNotMatch(v1.text, /<EncodingType>/);
    const v1url = await req(`${ep}/bucket?prefix=${prefix}&encoding-type=url`);
    assert.deepEqual(all(v1url.text, 'Prefix'), ['c/sp%20ace']);
    assert.deepEqual(all(v1url.text, 'Key'), ['c/sp%20ace%2Bplus']);
    assert.deepEqual(all(v1url.text, 'EncodingType'), ['url']);
    const v2 = await req(`${ep}/bucket?list-type=2&prefix=${prefix}&start-after=${encodeURIComponent('c/a a')}`);
    assert.deepEqual(all(v2.text, 'Prefix'), ['c/sp ace']);
    assert.deepEqual(all(v2.text, 'StartAfter'), ['c/a a']);
    assert.deepEqual(all(v2.text, 'Key'), ['c/sp ace+plus']);
  });

  test('304 Not Modified carries ETag and Last-Modified; failed If-Match / If-Unmodified-Since are 412', async () => {
    const url = `${ep}/bucket/c/a`;
    const head = await req(url, { method: 'HEAD' });
    const etag = head.headers.get('etag')!;
    const lastModified = head.headers.get('last-modified')!;
    for (const method of ['GET', 'HEAD']) {
      const inm = await req(url, { method, headers: { 'if-none-match': etag } });
      assert.equal(inm.status, 304);
      assert.equal(inm.headers.get('etag'), etag, `${method} If-None-Match 304 has the ETag`);
      assert.equal(inm.headers.get('last-modified'), lastModified);
      assert.equal(inm.text, '');
      const ims = await req(url, { method, headers: { 'if-modified-since': lastModified } });
      assert.equal(ims.status, 304);
      assert.equal(ims.headers.get('etag'), etag, `${method} If-Modified-Since 304 has the ETag`);
      assert.equal(ims.headers.get('last-modified'), lastModified);
      assert.equal((await req(url, { method, headers: { 'if-match': '"0123"' } })).status, 412);
      assert.equal((await req(url, { method, headers: { 'if-unmodified-since': new Date(0).toUTCString() } })).status, 412);
      // If-Match that holds wins over a failing If-Unmodified-Since (RFC 7232 §6, as S3 does).
      assert.equal((await req(url, { method, headers: { 'if-match': etag, 'if-unmodified-since': new Date(0).toUTCString() } })).status, 200);
      // If-None-Match that matches wins over If-Modified-Since that would serve: 304.
      assert.equal((await req(url, { method, headers: { 'if-none-match': etag, 'if-modified-since': new Date(0).toUTCString() } })).status, 304);
    }
    const pf = await req(url, { headers: { 'if-match': '"0123"' } });
    assert.equal(code(pf.text), 'PreconditionFailed');
    // CopyObject's source conditions fail with 412, never 304.
    const cp = await req(`${ep}/bucket/c/copy`, { method: 'PUT', headers: { 'x-amz-copy-source': '/bucket/c/a', 'x-amz-copy-source-if-none-match': etag } });
    assert.equal(cp.status, 412);
    assert.equal(code(cp.text), 'PreconditionFailed');
  });

  test('a second CompleteMultipartUpload answers 200 with the same ETag; a re-sent part replaces the earlier one', async () => {
    const url = `${ep}/bucket/mp/twice.bin`;
    const id = /<UploadId>([^<]+)</.exec((await req(`${url}?uploads`, { method: 'POST' })).text)![1]!;
    const first = randomBytes(5 * 1024 * 1024);
    const p1 = randomBytes(5 * 1024 * 1024);
    const p2 = randomBytes(777);
    const e1old = (await req(`${url}?partNumber=1&uploadId=${id}`, { method: 'PUT', body: first })).headers.get('etag')!;
    const e1 = (await req(`${url}?partNumber=1&uploadId=${id}`, { method: 'PUT', body: p1 })).headers.get('etag')!;
    const e2 = (await req(`${url}?partNumber=2&uploadId=${id}`, { method: 'PUT', body: p2 })).headers.get('etag')!;
    assert.notEqual(e1old, e1);
    assert.equal(e1, `"${createHash('md5').update(p1).digest('hex')}"`);
    const lp = await req(`${url}?uploadId=${id}`);
    assert.deepEqual(all(lp.text, 'PartNumber'), ['1', '2']);
    assert.deepEqual(all(lp.text, 'ETag').map((e) => e.replace(/&quot;/g, '"')), [e1, e2]);
    assert.deepEqual(all(lp.text, 'Size'), [String(p1.length), String(p2.length)]);
    // The earlier part 1 is gone: completing with its ETag is InvalidPart.
    assert.equal(code((await req(`${url}?uploadId=${id}`, { method: 'POST', body: completeBody([[1, e1old], [2, e2]]) })).text), 'InvalidPart');
    const done = await req(`${url}?uploadId=${id}`, { method: 'POST', body: completeBody([[1, e1], [2, e2]]) });
    assert.equal(done.status, 200, done.text);
    const etag = all(done.text, 'ETag')[0]!;
    assert.ok(readFileSync(join(c.ufsDir, 'bucket/mp/twice.bin')).equals(Buffer.concat([p1, p2])));
    const again = await req(`${url}?uploadId=${id}`, { method: 'POST', body: completeBody([[1, e1], [2, e2]]) });
    assert.equal(again.status, 200, again.text);
    assert.equal(all(again.text, 'ETag')[0], etag);
    assert.match(again.text, /<CompleteMultipartUploadResult/);
    // The finished upload is no longer listed, takes no parts, and its parts are gone from disk.
    assert.ok(!(await req(`${ep}/bucket?uploads`)).text.includes(id));
    assert.equal(code((await req(`${url}?partNumber=3&uploadId=${id}`, { method: 'PUT', body: 'x' })).text), 'NoSuchUpload');
    assert.equal(code((await req(`${url}?uploadId=${id}`)).text), 'NoSuchUpload');
    const staged = stagedUploads(c);
    for (const u of staged) assert.doesNotMatch(readdirNames(c, u).join(' '), /\.part/);
    // Another key cannot claim the finished upload.
    assert.equal(code((await req(`${ep}/bucket/mp/other.bin?uploadId=${id}`, { method: 'POST', body: completeBody([[1, e1], [2, e2]]) })).text), 'NoSuchUpload');
    // Nor can a second Complete of an aborted upload.
    const id2 = /<UploadId>([^<]+)</.exec((await req(`${url}?uploads`, { method: 'POST' })).text)![1]!;
    assert.equal((await req(`${url}?uploadId=${id2}`, { method: 'DELETE' })).status, 204);
    assert.equal(code((await req(`${url}?uploadId=${id2}`, { method: 'POST', body: completeBody([[1, e1]]) })).text), 'NoSuchUpload');
  });

  test('an empty Expect header is accepted; Expect: 100-continue still gets its 100', async () => {
    const port = Number(new URL(ep).port);
    const empty = await rawRequest(port, 'PUT /bucket/c/expect HTTP/1.1\r\nHost: x\r\nExpect:\r\nContent-Length: 5\r\nConnection: close\r\n\r\n', 'hello');
    assert.match(empty, /^HTTP\/1\.1 200 /, empty);
    assert.equal(readFileSync(join(c.ufsDir, 'bucket/c/expect'), 'utf8'), 'hello');
    const cont = await rawRequest(port, 'PUT /bucket/c/expect HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\nConnection: close\r\n\r\n');
    assert.match(cont, /^HTTP\/1\.1 100 /, cont);
    const other = await rawRequest(port, 'GET /bucket/c/a HTTP/1.1\r\nHost: x\r\nExpect: teapot\r\nConnection: close\r\n\r\n');
    assert.match(other, /^HTTP\/1\.1 417 /, other);
  });

  test('local UFS: a key under an object, or an object over a prefix, is a clear S3 error and loses nothing', async () => {
    assert.equal((await req(`${ep}/bucket/pk/foo/bar`, { method: 'PUT', body: 'bar' })).status, 200);
    const under = await req(`${ep}/bucket/pk/foo/bar/baz`, { method: 'PUT', body: 'baz' });
    assert.equal(under.status, 400, under.text);
    assert.equal(code(under.text), 'ParentIsObject');
    assert.match(under.text, /pk\/foo\/bar/);
    assert.equal(readFileSync(join(c.ufsDir, 'bucket/pk/foo/bar'), 'utf8'), 'bar');
    assert.equal((await req(`${ep}/bucket/pk/x/y/z`, { method: 'PUT', body: 'z' })).status, 200);
    const over = await req(`${ep}/bucket/pk/x/y`, { method: 'PUT', body: 'y' });
    assert.equal(over.status, 409, over.text);
    assert.equal(code(over.text), 'ObjectExistsAsDirectory');
    assert.match(over.text, /pk\/x\/y/);
    assert.equal(readFileSync(join(c.ufsDir, 'bucket/pk/x/y/z'), 'utf8'), 'z');
    // A directory marker over an object is the same clash.
    const marker = await req(`${ep}/bucket/pk/foo/bar/`, { method: 'PUT', body: '' });
    assert.equal(code(marker.text), 'ParentIsObject', marker.text);
    // The same refusals for CopyObject and a multipart Complete.
    const cp = await req(`${ep}/bucket/pk/foo/bar/copy`, { method: 'PUT', headers: { 'x-amz-copy-source': '/bucket/pk/x/y/z' } });
    assert.equal(code(cp.text), 'ParentIsObject');
    const id = /<UploadId>([^<]+)</.exec((await req(`${ep}/bucket/pk/x/y?uploads`, { method: 'POST' })).text)![1]!;
    const e = (await req(`${ep}/bucket/pk/x/y?partNumber=1&uploadId=${id}`, { method: 'PUT', body: 'part' })).headers.get('etag')!;
    const done = await req(`${ep}/bucket/pk/x/y?uploadId=${id}`, { method: 'POST', body: completeBody([[1, e]]) });
    assert.equal(code(done.text), 'ObjectExistsAsDirectory');
  });
});

describe('S3 API over an S3 UFS (a real s3rver)', { timeout: 300_000 }, () => {
  let tmp: TempDir;
  let s3: S3TestServer;
  let cluster: TestCluster;
  let ep: string;

  before(async () => {
    tmp = await makeTempDir('alluxio-s3conf-');
    s3 = await startS3Server({ buckets: ['data'] });
    cluster = await startTestCluster({ dir: tmp.path, rootUfs: 's3://data/root/', workers: 1, properties: s3.ufsOptions() });
    ep = `http://127.0.0.1:${cluster.workers[0]!.s3.httpPort}`;
  });
  after(async () => {
    await cluster?.stop();
    await s3?.stop();
    await tmp?.cleanup();
  });

  test('foo/bar and foo/bar/baz are both objects, whichever is written first', async () => {
    assert.equal((await req(`${ep}/bucket`, { method: 'PUT' })).status, 200);
    for (const [first, second] of [['a/foo/bar', 'a/foo/bar/baz'], ['b/x/y/z', 'b/x/y']]) {
      for (const k of [first!, second!]) {
        const put = await req(`${ep}/bucket/${k}`, { method: 'PUT', body: `body of ${k}` });
        assert.equal(put.status, 200, `${k}: ${put.text}`);
      }
      for (const k of [first!, second!]) {
        const get = await req(`${ep}/bucket/${k}`);
        assert.equal(get.status, 200, `${k}: ${get.text}`);
        assert.equal(get.text, `body of ${k}`);
      }
    }
    const listed = await req(`${ep}/bucket?list-type=2&prefix=a/`);
    assert.deepEqual(all(listed.text, 'Key'), ['a/foo/bar', 'a/foo/bar/baz']);
  });
});

function readdirNames(c: S3TestCluster, upload: string): string[] {
  return c.cluster.workers.flatMap((_, i) => {
    const d = join(c.tmp.path, `pagestore-${i}`, 'state', 's3-multipart', upload);
    return existsSync(d) ? readdirSync(d) : [];
  });
}

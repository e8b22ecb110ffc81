// Malformed requests get S3 errors (never a crash, never a 500), and a fuzz run of 10,000
// generated malformed requests leaves the worker serving with no leaked file descriptors.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { Pool } from 'undici';
import { startS3TestCluster, type S3TestCluster } from '../../support/s3-clients.js';

function code(xml: string): string | undefined {
  return /<Code>([^<]+)<\/Code>/.exec(xml)?.[1];
}

function openFds(): number {
  return readdirSync('/proc/self/fd').length;
}

/** A small deterministic PRNG (mulberry32), so a failing case can be replayed. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('malformed requests', { timeout: 600_000 }, () => {
  let c: S3TestCluster;
  let pool: Pool;
  let ep: string;

  before(async () => {
    c = await startS3TestCluster({ workers: 1 });
    ep = c.endpoints[0]!;
    writeFileSync(join(c.ufsDir, 'bucket', 'obj'), 'hello world');
    mkdirSync(join(c.ufsDir, 'sentinel'));
    writeFileSync(join(c.ufsDir, 'sentinel', 'obj'), 'still here'); // the fuzz never names this bucket
    pool = new Pool(ep, { connections: 16 });
  });
  after(async () => {
    await pool?.close();
    await c?.stop();
  });

  async function send(method: string, path: string, headers: Record<string, string> = {}, body?: string | Buffer) {
    const r = await pool.request({ method: method as 'GET', path, headers, body });
    const text = await r.body.text();
    return { status: r.statusCode, code: code(text) ?? (r.headers['x-amz-error-code'] as string | undefined), text, requestId: r.headers['x-amz-request-id'] };
  }

  test('each kind of malformed request gets its S3 error', async () => {
    const cases: Array<[string, ReturnType<typeof send>, number, string]> = [
      ['bad XML body', send('POST', '/bucket?delete', {}, '<Delete><Object><Key>a</Key></Object'), 400, 'MalformedXML'],
      ['wrong XML root', send('POST', '/bucket?delete', {}, '<Other/>'), 400, 'MalformedXML'],
      ['bad Range', send('GET', '/bucket/obj', { range: 'bytes=abc' }), 416, 'InvalidRange'],
      ['Range past the end', send('GET', '/bucket/obj', { range: 'bytes=100-200' }), 416, 'InvalidRange'],
      ['key with ..', send('GET', '/bucket/a/../../etc/passwd'), 400, 'InvalidArgument'],
      ['encoded ..', send('GET', '/bucket/a/%2E%2E/obj'), 400, 'InvalidArgument'],
      ['key with NUL', send('GET', '/bucket/a%00b'), 400, 'InvalidArgument'],
      ['2 KiB key', send('PUT', '/bucket/' + 'k'.repeat(2048), {}, 'x'), 400, 'KeyTooLongError'],
      ['unknown bucket', send('GET', '/nobucket?list-type=2'), 404, 'NoSuchBucket'],
      ['unknown bucket, object', send('GET', '/nobucket/key'), 404, 'NoSuchBucket'],
      ['PUT into an unknown bucket', send('PUT', '/nobucket/key', {}, 'x'), 404, 'NoSuchBucket'],
      ['unsupported operation', send('GET', '/bucket?acl'), 501, 'NotImplemented'],
      ['unsupported object operation', send('PUT', '/bucket/obj?tagging', {}, '<Tagging/>'), 501, 'NotImplemented'],
      ['unsupported method', send('PATCH', '/bucket/obj'), 405, 'MethodNotAllowed'],
      ['bad percent-encoding', send('GET', '/bucket/%zz'), 400, 'InvalidURI'],
      ['bad bucket name', send('GET', '/-bad-/x'), 400, 'InvalidBucketName'],
      ['bad max-keys', send('GET', '/bucket?list-type=2&max-keys=-1'), 400, 'InvalidArgument'],
      ['bad continuation token', send('GET', '/bucket?list-type=2&continuation-token=%%%'), 400, 'InvalidArgument'],
      ['bad Content-MD5', send('PUT', '/bucket/md5', { 'content-md5': 'nope' }, 'x'), 400, 'InvalidDigest'],
      ['bad part number', send('PUT', '/bucket/obj?partNumber=0&uploadId=00000000000000000000000000000000', {}, 'x'), 400, 'InvalidArgument'],
      ['unknown upload id', send('PUT', '/bucket/obj?partNumber=1&uploadId=00000000000000000000000000000000', {}, 'x'), 404, 'NoSuchUpload'],
      ['unknown upload', send('POST', '/bucket/obj?uploadId=zz', {}, '<CompleteMultipartUpload/>'), 404, 'NoSuchUpload'],
      ['HEAD of a missing key', send('HEAD', '/bucket/missing'), 404, 'NoSuchKey'],
    ];
    for (const [what, p, status, s3code] of cases) {
      const r = await p;
      assert.equal(r.status, status, `${what}: ${r.text}`);
      assert.equal(r.code, s3code, what);
      assert.ok(r.requestId, `${what}: a request id`);
    }
  });

  test('10,000 generated malformed requests: no crash, no 500, no leaked descriptors', async () => {
    const baseline = openFds();
    const next = rng(20240611);
    const pick = <T>(a: readonly T[]): T => a[Math.floor(next() * a.length)]!;
    const junk = (n: number) => Array.from({ length: n }, () => String.fromCharCode(Math.floor(next() * 256))).join('');
    const methods = ['GET', 'PUT', 'POST', 'DELETE', 'HEAD', 'PATCH', 'OPTIONS'];
    const paths = [
      () => '/' + encodeURIComponent(junk(1 + Math.floor(next() * 20))),
      () => '/bucket/' + encodeURIComponent(junk(1 + Math.floor(next() * 40))),
      () => '/bucket/' + 'x'.repeat(1000 + Math.floor(next() * 2000)),
      () => '/bucket/a/..%2F' + junk(3).replace(/[^a-z]/g, 'q'),
      () => '/bucket/%' + junk(2).replace(/[^A-Za-z]/g, 'z'),
      () => '/bucket?' + pick(['list-type=9', 'max-keys=abc', 'continuation-token=' + encodeURIComponent(junk(8)), 'versions&max-keys=-5', 'uploads&prefix=%FF', 'delete', 'encoding-type=xml', 'acl', 'policy']),
      () => '/bucket/obj?' + pick(['uploadId=' + junk(4).replace(/[^a-f]/g, 'a'), 'partNumber=99999&uploadId=x', 'uploads', 'tagging', 'partNumber=2', 'uploadId=&partNumber=1']),
      () => '/bucket/obj',
      () => '//bucket//obj',
    ];
    const headerSets = [
      () => ({ range: pick(['bytes=', 'bytes=-', 'bytes=5-1', 'bytes=999999-', 'bytes=0-1,2-3', 'bytes=-0', 'pages=1-2', 'bytes=' + junk(5).replace(/[^0-9-]/g, '9')]) }),
      () => ({ authorization: pick(['AWS4-HMAC-SHA256 garbage', 'AWS4-HMAC-SHA256 Credential=a/b/c, SignedHeaders=host, Signature=zz', 'Bearer x', 'AWS a:b']) }),
      () => ({ 'content-md5': pick(['', 'abc', '1B2M2Y8AsgTpgAmY7PhCfg==']) }),
      () => ({ 'x-amz-content-sha256': pick(['STREAMING-AWS4-HMAC-SHA256-PAYLOAD', 'STREAMING-UNSIGNED-PAYLOAD-TRAILER', 'STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD', 'nothex']), 'x-amz-decoded-content-length': pick(['5', 'x', '99999999999999999']) }),
      () => ({ 'x-amz-copy-source': pick(['', '/', 'bucket', '/bucket/../x', '%zz', '/nobucket/key', '/bucket/obj?versionId=3']) }),
      () => ({ 'if-match': junk(3).replace(/[^a-z]/g, 'a'), 'if-modified-since': 'not a date' }),
      () => ({}),
    ];
    const bodies = [
      () => undefined,
      () => '<Delete>' + junk(30).replace(/[^<>a-zA-Z/]/g, '') ,
      () => '<CompleteMultipartUpload><Part><PartNumber>x</PartNumber></Part></CompleteMultipartUpload>',
      () => '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><Delete><Object><Key>&a;&a;</Key></Object></Delete>',
      () => Buffer.from(junk(200), 'latin1'),
      () => '1;chunk-signature=zz\r\nx\r\n',
    ];
    let httpCount = 0;
    let rawCount = 0;
    const statuses = new Map<number, number>();
    const total = 10_000;
    const batch = 64;
    for (let i = 0; i < total; i += batch) {
      const work: Array<Promise<void>> = [];
      for (let j = i; j < Math.min(total, i + batch); j++) {
        if (j % 20 === 0) {
          // Not HTTP at all, or broken HTTP framing, over a raw socket.
          rawCount++;
          work.push(rawGarbage(ep, pick([
            junk(100), 'GET / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n', 'GET /bucket/obj HTTP/9.9\r\n\r\n',
            'PUT /bucket/x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', `GET /${'a'.repeat(20000)} HTTP/1.1\r\n\r\n`,
            'GET /bucket/obj HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc',
          ])));
          continue;
        }
        httpCount++;
        const method = pick(methods);
        const body = method === 'GET' || method === 'HEAD' ? undefined : pick(bodies)();
        work.push(pool.request({ method: method as 'GET', path: pick(paths)(), headers: pick(headerSets)(), body })
          .then(async (r) => {
            await r.body.dump();
            statuses.set(r.statusCode, (statuses.get(r.statusCode) ?? 0) + 1);
            assert.ok(r.headers['x-amz-request-id'], 'every answer has a request id');
          }, (err: Error) => {
            // A request whose framing the server refused may have its connection cut: fine.
            if (!/socket|closed|reset|other side/i.test(err.message)) throw err;
          }));
      }
      await Promise.all(work);
    }
    assert.equal(httpCount + rawCount, total);
    assert.equal(statuses.get(500) ?? 0, 0, `no InternalError: ${JSON.stringify([...statuses])}`);
    // The worker still serves.
    const ok = await send('GET', '/sentinel/obj');
    assert.equal(ok.status, 200);
    assert.equal(ok.text, 'still here');
    // Descriptors: every socket and file the requests opened is closed again.
    await pool.close();
    pool = new Pool(ep, { connections: 4 });
    // Sockets close asynchronously: poll until the count is back near the baseline (fails after 15 s).
    let now = openFds();
    const deadline = Date.now() + 15_000;
    while (now > baseline + 8 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      now = openFds();
    }
    assert.ok(now <= baseline + 8, `open descriptors ${now}, baseline ${baseline}`);
  });
});

/** Writes bytes on a fresh connection and reads until the server closes it (or 2 s pass). */
function rawGarbage(endpoint: string, data: string): Promise<void> {
  const u = new URL(endpoint);
  return new Promise((resolve) => {
    const s = connect(Number(u.port), u.hostname);
    const done = () => { s.destroy(); resolve(); };
    s.setTimeout(2000, done);
    s.on('error', done);
    s.on('close', done);
    s.on('data', () => {});
    s.write(Buffer.from(data, 'latin1'), () => s.end());
  });
}

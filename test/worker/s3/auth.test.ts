// SigV4 verification: AWS's own streaming-upload example checks the canonical request and the chunk
// chain; against a worker with credentials, wrong secrets, unknown keys, tampered headers, expired
// presigned URLs, skewed clocks and tampered aws-chunked bodies are refused with S3 codes, and the
// refused requests never reach the UFS.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { SignatureV4 } from '@smithy/signature-v4';
import { request } from 'undici';
import { AwsChunkedDecoder } from '../../../src/worker/s3/aws-chunked.js';
import { parseTarget } from '../../../src/worker/s3/s3-request.js';
import { authenticate } from '../../../src/worker/s3/sigv4.js';
import { ACCESS_KEY, SECRET_KEY, startS3TestCluster, type S3TestCluster } from '../../support/s3-clients.js';
import { Sha256 } from '../../support/sigv4-signer.js';

// AWS's documented example (sigv4-streaming): 66560 bytes of 'a' in chunks of 64 KiB, 1 KiB, 0.
const DOC = {
  secret: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  access: 'AKIAIOSFODNN7EXAMPLE',
  seed: '4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9',
  chunks: ['ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648', '0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497', 'b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9'],
};

function docRequest(): IncomingMessage {
  const headers = {
    host: 's3.amazonaws.com', 'x-amz-date': '20130524T000000Z', 'x-amz-storage-class': 'REDUCED_REDUNDANCY',
    'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD', 'content-encoding': 'aws-chunked',
    'x-amz-decoded-content-length': '66560', 'content-length': '66824',
    authorization: `AWS4-HMAC-SHA256 Credential=${DOC.access}/20130524/us-east-1/s3/aws4_request,SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class,Signature=${DOC.seed}`,
  };
  return { method: 'PUT', headers } as unknown as IncomingMessage;
}

function docBody(sigs = DOC.chunks, tamper = false): Buffer {
  const a = Buffer.alloc(65536, 'a');
  const b = Buffer.alloc(1024, tamper ? 'b' : 'a');
  return Buffer.concat([Buffer.from(`10000;chunk-signature=${sigs[0]}\r\n`), a, Buffer.from(`\r\n400;chunk-signature=${sigs[1]}\r\n`), b, Buffer.from(`\r\n0;chunk-signature=${sigs[2]}\r\n\r\n`)]);
}

async function decode(dec: AwsChunkedDecoder, body: Buffer): Promise<Buffer> {
  const out: Buffer[] = [];
  // Feed in odd-sized pieces so chunk headers and data straddle reads.
  const pieces: Buffer[] = [];
  for (let i = 0; i < body.length; i += 777) pieces.push(body.subarray(i, i + 777));
  for await (const c of Readable.from(pieces).pipe(dec)) out.push(c as Buffer);
  return Buffer.concat(out);
}

describe('SigV4 against AWS\'s documented streaming example', () => {
  const now = Date.UTC(2013, 4, 24, 0, 5);
  const creds = new Map([[DOC.access, DOC.secret]]);

  test('the header signature verifies and the chunk chain decodes to the payload', async () => {
    const auth = authenticate(docRequest(), parseTarget('/examplebucket/chunkObject.txt'), creds, now);
    assert.equal(auth.verified, true);
    assert.equal(auth.user, DOC.access);
    const data = await decode(new AwsChunkedDecoder(auth.chunkSigning, false, 66560), docBody());
    assert.ok(data.equals(Buffer.alloc(66560, 'a')));
  });

  test('a changed chunk, a changed signature or a wrong secret is refused', async () => {
    const auth = authenticate(docRequest(), parseTarget('/examplebucket/chunkObject.txt'), creds, now);
    await assert.rejects(decode(new AwsChunkedDecoder(auth.chunkSigning, false, 66560), docBody(DOC.chunks, true)), { s3Code: 'SignatureDoesNotMatch' });
    const sigs = [...DOC.chunks];
    sigs[2] = sigs[2]!.replace(/^b/, 'c');
    await assert.rejects(decode(new AwsChunkedDecoder(auth.chunkSigning, false, 66560), docBody(sigs)), { s3Code: 'SignatureDoesNotMatch' });
    assert.throws(() => authenticate(docRequest(), parseTarget('/examplebucket/chunkObject.txt'), new Map([[DOC.access, 'other']]), now), { s3Code: 'SignatureDoesNotMatch' });
    assert.throws(() => authenticate(docRequest(), parseTarget('/examplebucket/other.txt'), creds, now), { s3Code: 'SignatureDoesNotMatch' });
    assert.throws(() => authenticate(docRequest(), parseTarget('/examplebucket/chunkObject.txt'), creds, now + 3600_000), { s3Code: 'RequestTimeTooSkewed' });
  });

  test('a body cut short is IncompleteBody', async () => {
    const auth = authenticate(docRequest(), parseTarget('/examplebucket/chunkObject.txt'), creds, now);
    await assert.rejects(decode(new AwsChunkedDecoder(auth.chunkSigning, false, 66560), docBody().subarray(0, 60_000)), { s3Code: 'IncompleteBody' });
  });
});

describe('a worker with S3 credentials configured', { timeout: 600_000 }, () => {
  let c: S3TestCluster;
  let host: string;
  let ufsCalls = 0;

  before(async () => {
    c = await startS3TestCluster({ workers: 1, auth: true });
    host = c.endpoints[0]!.replace('http://', '');
    // Count every call that reaches the bucket's UFS client (the real one, wrapped in place).
    const ufs = c.cluster.workers[0]!.files.resolve('/bucket/x').ufs as unknown as Record<string, unknown>;
    for (const m of ['getStatus', 'list', 'openRead', 'write', 'delete', 'mkdir', 'rename']) {
      const orig = (ufs[m] as (...a: unknown[]) => unknown).bind(ufs);
      ufs[m] = (...a: unknown[]) => { ufsCalls++; return orig(...a); };
    }
  });
  after(async () => c?.stop());

  function signer(secret = SECRET_KEY, access = ACCESS_KEY): SignatureV4 {
    return new SignatureV4({ service: 's3', region: 'us-east-1', credentials: { accessKeyId: access, secretAccessKey: secret }, sha256: Sha256, uriEscapePath: false });
  }

  async function send(method: string, path: string, headers: Record<string, string>, body?: Buffer, query: Record<string, string> = {}) {
    const qs = new URLSearchParams(query).toString();
    const r = await request(`http://${host}${path}${qs ? '?' + qs : ''}`, { method: method as 'GET', headers, body });
    const text = await r.body.text();
    return { status: r.statusCode, code: /<Code>([^<]+)</.exec(text)?.[1], text };
  }

  async function signed(method: string, path: string, opts: { body?: Buffer; extra?: Record<string, string>; secret?: string; access?: string; date?: Date } = {}) {
    const body = opts.body ?? Buffer.alloc(0);
    const req = await signer(opts.secret, opts.access).sign({
      method, protocol: 'http:', hostname: host.split(':')[0]!, port: Number(host.split(':')[1]), path, query: {},
      headers: { host, 'x-amz-content-sha256': createHash('sha256').update(body).digest('hex'), ...opts.extra },
      body,
    }, { signingDate: opts.date ?? new Date() });
    return req.headers as Record<string, string>;
  }

  test('a correctly signed PUT and GET work', async () => {
    const body = randomBytes(5000);
    const put = await send('PUT', '/bucket/ok.bin', await signed('PUT', '/bucket/ok.bin', { body }), body);
    assert.equal(put.status, 200, put.text);
    assert.ok(readFileSync(join(c.ufsDir, 'bucket/ok.bin')).equals(body));
    assert.equal((await send('GET', '/bucket/ok.bin', await signed('GET', '/bucket/ok.bin'))).status, 200);
  });

  test('refused requests carry S3 codes and none reaches the UFS', async () => {
    const before = ufsCalls;
    const body = Buffer.from('should never land');
    const cases: Array<[string, Promise<{ status: number; code?: string }>, number, string]> = [
      ['no auth', send('GET', '/bucket/ok.bin', {}), 403, 'AccessDenied'],
      ['wrong secret', signed('GET', '/bucket/ok.bin', { secret: 'wrong' }).then((h) => send('GET', '/bucket/ok.bin', h)), 403, 'SignatureDoesNotMatch'],
      ['wrong secret, PUT', signed('PUT', '/bucket/evil.bin', { secret: 'wrong', body }).then((h) => send('PUT', '/bucket/evil.bin', h, body)), 403, 'SignatureDoesNotMatch'],
      ['unknown access key', signed('GET', '/bucket/ok.bin', { access: 'nobody' }).then((h) => send('GET', '/bucket/ok.bin', h)), 403, 'InvalidAccessKeyId'],
      ['tampered signed header', signed('PUT', '/bucket/evil.bin', { body, extra: { 'x-amz-meta-note': 'a' } }).then((h) => send('PUT', '/bucket/evil.bin', { ...h, 'x-amz-meta-note': 'b' }, body)), 403, 'SignatureDoesNotMatch'],
      ['tampered path', signed('GET', '/bucket/ok.bin').then((h) => send('GET', '/bucket/evil.bin', h)), 403, 'SignatureDoesNotMatch'],
      ['skewed clock', signed('GET', '/bucket/ok.bin', { date: new Date(Date.now() - 3600_000) }).then((h) => send('GET', '/bucket/ok.bin', h)), 403, 'RequestTimeTooSkewed'],
      ['SigV2', send('GET', '/bucket/ok.bin', { authorization: `AWS ${ACCESS_KEY}:c2lnbmF0dXJl`, date: new Date().toUTCString() }), 403, 'AccessDenied'],
    ];
    const presigned = await signer().presign({ method: 'GET', protocol: 'http:', hostname: host.split(':')[0]!, port: Number(host.split(':')[1]), path: '/bucket/ok.bin', query: {}, headers: { host } },
      { expiresIn: 60, signingDate: new Date(Date.now() - 120_000) });
    cases.push(['expired presigned URL', send('GET', '/bucket/ok.bin', {}, undefined, presigned.query as Record<string, string>), 403, 'AccessDenied']);
    for (const [what, p, status, code] of cases) {
      const r = await p;
      assert.equal(r.status, status, what);
      assert.equal(r.code, code, what);
    }
    assert.equal(ufsCalls, before, 'no refused request reached the UFS');
    assert.equal(existsSync(join(c.ufsDir, 'bucket/evil.bin')), false);
    const fresh = await signer().presign({ method: 'GET', protocol: 'http:', hostname: host.split(':')[0]!, port: Number(host.split(':')[1]), path: '/bucket/ok.bin', query: {}, headers: { host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } }, { expiresIn: 60 });
    const fr = await send('GET', '/bucket/ok.bin', {}, undefined, fresh.query as Record<string, string>);
    assert.equal(fr.status, 200, `a valid presigned URL works: ${fr.text}`);
  });

  test('a body that does not match its signed SHA-256 is refused and not written', async () => {
    const h = await signed('PUT', '/bucket/hash.bin', { body: Buffer.from('original') });
    const r = await send('PUT', '/bucket/hash.bin', h, Buffer.from('replaced'));
    assert.equal(r.status, 400);
    assert.equal(r.code, 'XAmzContentSHA256Mismatch');
    assert.equal(existsSync(join(c.ufsDir, 'bucket/hash.bin')), false);
  });

  test('aws-chunked uploads: signed chunks are verified one by one', async () => {
    const data = randomBytes(200_000);
    const upload = async (tamper: boolean) => {
      const date = new Date();
      const chunkSizes = [65536, 65536, 65536, data.length - 3 * 65536];
      const encodedLength = chunkSizes.reduce((n, s) => n + s.toString(16).length + 17 + 64 + 4 + s, 0) + 1 + 17 + 64 + 4;
      const headers = await signed('PUT', '/bucket/chunked.bin', { date, extra: {
        'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD', 'content-encoding': 'aws-chunked',
        'x-amz-decoded-content-length': String(data.length), 'content-length': String(encodedLength),
      } });
      const seed = /Signature=([0-9a-f]{64})/.exec(headers.authorization!)![1]!;
      const amzDate = headers['x-amz-date']!;
      const day = amzDate.slice(0, 8);
      const hm = (k: Buffer | string, s: string) => createHmac('sha256', k).update(s).digest();
      const key = hm(hm(hm(hm('AWS4' + SECRET_KEY, day), 'us-east-1'), 's3'), 'aws4_request');
      const emptyHash = createHash('sha256').digest('hex');
      let prev = seed;
      const parts: Buffer[] = [];
      let off = 0;
      for (const size of [...chunkSizes, 0]) {
        const chunk = data.subarray(off, off + size);
        off += size;
        const sig = hm(key, `AWS4-HMAC-SHA256-PAYLOAD\n${amzDate}\n${day}/us-east-1/s3/aws4_request\n${prev}\n${emptyHash}\n${createHash('sha256').update(chunk).digest('hex')}`).toString('hex');
        prev = sig;
        const sent = tamper && size > 0 && off > 65536 && off <= 131072 ? Buffer.from(chunk).fill(0, 0, 10) : chunk;
        parts.push(Buffer.from(`${size.toString(16)};chunk-signature=${sig}\r\n`), sent, Buffer.from('\r\n'));
      }
      const body = Buffer.concat(parts);
      assert.equal(body.length, encodedLength);
      return send('PUT', '/bucket/chunked.bin', headers, body);
    };
    const bad = await upload(true);
    assert.equal(bad.status, 403, bad.text);
    assert.equal(bad.code, 'SignatureDoesNotMatch');
    assert.equal(existsSync(join(c.ufsDir, 'bucket/chunked.bin')), false, 'a tampered chunked upload leaves nothing');
    const ok = await upload(false);
    assert.equal(ok.status, 200, ok.text);
    assert.ok(readFileSync(join(c.ufsDir, 'bucket/chunked.bin')).equals(data));
  });
});

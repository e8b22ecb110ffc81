// GetObject without the SDK's HTTP stack (src/ufs/s3-fast-get.ts). Its SigV4 signatures are checked
// by a verifier that real clients' signatures pass: our own S3 API with credentials on (s3rver does
// not check signatures). Its answers and errors are checked against s3rver.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { fastGetConfig, fastGetObject, type FastGetConfig } from '../../src/ufs/s3-fast-get.js';
import { readArenas, releaseReadChunk } from '../../src/ufs/read-arenas.js';
import { ACCESS_KEY, SECRET_KEY, startS3TestCluster, type S3TestCluster } from '../support/s3-clients.js';
import { startS3Server, type S3TestServer } from '../support/s3-server.js';
import { startFaultyHttpServer } from '../support/faulty-http-server.js';

async function readBody(out: { Body: AsyncIterable<unknown> }, delayMs = 0): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of out.Body) {
    chunks.push(c as Buffer);
    if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
  }
  return Buffer.concat(chunks);
}

const signal = () => new AbortController().signal;
const KEY = 'dir/a b+c!(1)*.bin';

describe('fastGetConfig', () => {
  it('is on only for a plain http endpoint, path-style, with static credentials', () => {
    const creds = { accessKeyId: 'a', secretAccessKey: 'b' };
    assert.deepEqual(fastGetConfig('http://10.0.0.1:9000', true, 'us-east-1', creds, 1000), { host: '10.0.0.1', port: 9000, region: 'us-east-1', ...creds, bodyTimeoutMs: 1000 });
    assert.equal(fastGetConfig('http://minio', true, 'r', creds, 1)?.port, 80);
    assert.equal(fastGetConfig('https://minio:9000', true, 'r', creds, 1), undefined, 'TLS goes through the SDK');
    assert.equal(fastGetConfig('http://minio:9000', false, 'r', creds, 1), undefined, 'virtual-host buckets go through the SDK');
    assert.equal(fastGetConfig('http://minio:9000', true, 'r', undefined, 1), undefined, 'the default credential chain goes through the SDK');
    assert.equal(fastGetConfig('http://minio:9000/base', true, 'r', creds, 1), undefined, 'an endpoint with a path goes through the SDK');
    assert.equal(fastGetConfig(undefined, true, 'r', creds, 1), undefined, 'AWS itself goes through the SDK');
  });
});

describe('fastGetObject signatures, checked by a SigV4 verifier', () => {
  let c: S3TestCluster;
  let cfg: FastGetConfig;
  const data = randomBytes(2_000_000);

  before(async () => {
    c = await startS3TestCluster({ auth: true, buckets: ['signed'] });
    mkdirSync(join(c.ufsDir, 'signed', 'dir'), { recursive: true });
    writeFileSync(join(c.ufsDir, 'signed', KEY), data);
    cfg = fastGetConfig(c.endpoints[0], true, 'us-east-1', { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY }, 5000)!;
  });
  after(async () => c?.stop());

  it('a signed ranged GET of a key with reserved characters is accepted and returns the range', async () => {
    const out = await fastGetObject(cfg, { bucket: 'signed', key: KEY, range: 'bytes=10-1000009', uri: 'u', attemptSignal: signal() });
    assert.equal(out.ContentRange, `bytes 10-1000009/${data.length}`);
    assert.ok(out.ETag);
    assert.ok((await readBody(out)).equals(data.subarray(10, 1_000_010)));
  });

  it('If-Match is sent (and signed): a stale ETag gets 412 PreconditionFailed', async () => {
    await assert.rejects(fastGetObject(cfg, { bucket: 'signed', key: KEY, range: 'bytes=0-9', ifMatch: '"0123"', uri: 'u', attemptSignal: signal() }),
      (e: Error & { $metadata?: { httpStatusCode?: number } }) => e.name === 'PreconditionFailed' && e.$metadata?.httpStatusCode === 412);
  });

  it('a wrong secret is refused with the S3 error in the SDK shape', async () => {
    await assert.rejects(fastGetObject({ ...cfg, secretAccessKey: 'wrong-secret' }, { bucket: 'signed', key: KEY, range: 'bytes=0-9', uri: 'u', attemptSignal: signal() }),
      (e: Error & { $metadata?: { httpStatusCode?: number } }) => {
        assert.equal(e.name, 'SignatureDoesNotMatch');
        assert.equal(e.$metadata?.httpStatusCode, 403);
        return true;
      });
  });

  it('the signing key kept from the last GET follows the secret: right, wrong, right again', async () => {
    const get = (c2: FastGetConfig) => fastGetObject(c2, { bucket: 'signed', key: KEY, range: 'bytes=0-9', uri: 'u', attemptSignal: signal() });
    assert.ok((await readBody(await get(cfg))).equals(data.subarray(0, 10)));
    await assert.rejects(get({ ...cfg, secretAccessKey: 'wrong-secret' }), (e: Error) => e.name === 'SignatureDoesNotMatch');
    assert.ok((await readBody(await get(cfg))).equals(data.subarray(0, 10)));
  });
});

describe('fastGetObject answers, against s3rver', () => {
  let s3: S3TestServer;
  let cfg: FastGetConfig;
  let etag: string;
  const data = randomBytes(12 * 1024 * 1024 + 5);

  before(async () => {
    s3 = await startS3Server({ buckets: ['b'] });
    const client = new S3Client({ endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } });
    etag = (await client.send(new PutObjectCommand({ Bucket: 'b', Key: KEY, Body: data }))).ETag!;
    await client.send(new PutObjectCommand({ Bucket: 'b', Key: 'empty', Body: Buffer.alloc(0) }));
    client.destroy();
    cfg = fastGetConfig(s3.endpoint, true, 'us-east-1', { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey }, 5000)!;
  });
  after(async () => s3?.stop());

  it('a whole object read by a slow consumer arrives whole (the socket pauses and resumes)', async () => {
    const out = await fastGetObject(cfg, { bucket: 'b', key: KEY, range: 'bytes=0-', uri: 'u', attemptSignal: signal() });
    assert.equal(out.ETag, etag);
    assert.ok((await readBody(out, 1)).equals(data));
  });

  it('read arenas: released chunks give their arenas back for the next reads; held chunks keep their bytes', async () => {
    const get = () => fastGetObject(cfg, { bucket: 'b', key: KEY, range: 'bytes=0-', uri: 'u', attemptSignal: signal() });
    // Held: a reader that keeps its chunks and never releases them.
    const held: Buffer[] = [];
    for await (const c of (await get()).Body) held.push(c as Buffer);
    const freeBefore = readArenas.freeCount;
    // Released: each chunk is copied, then given back.
    const readReleasing = async () => {
      const copy = Buffer.allocUnsafe(data.length);
      let n = 0;
      for await (const c of (await get()).Body) {
        n += (c as Buffer).copy(copy, n);
        releaseReadChunk(c as Buffer);
      }
      return copy.subarray(0, n);
    };
    assert.ok((await readReleasing()).equals(data));
    assert.ok(readArenas.freeCount > freeBefore, `released arenas are pooled (${freeBefore} -> ${readArenas.freeCount} free)`);
    // These reads take their arenas from the pool: none of them may be one the held chunks are in.
    assert.ok((await readReleasing()).equals(data));
    assert.ok((await readReleasing()).equals(data));
    assert.ok(Buffer.concat(held).equals(data), 'the held chunks were not overwritten by later reads');
  });

  it('a missing key and a range past the end fail as the SDK would', async () => {
    const code = async (req: { key: string; range: string; ifMatch?: string }) => {
      try {
        await fastGetObject(cfg, { bucket: 'b', uri: 'u', attemptSignal: signal(), ...req });
        return 'no error';
      } catch (e) {
        return `${(e as Error).name} ${(e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode}`;
      }
    };
    assert.equal(await code({ key: 'missing', range: 'bytes=0-9' }), 'NoSuchKey 404');
    assert.equal(await code({ key: KEY, range: `bytes=${data.length + 10}-` }), 'InvalidRange 416');
    const ok = await fastGetObject(cfg, { bucket: 'b', key: KEY, range: 'bytes=0-9', ifMatch: etag, uri: 'u', attemptSignal: signal() });
    assert.ok((await readBody(ok)).equals(data.subarray(0, 10)));
  });

  it('an aborted attempt rejects with the abort reason; a destroyed body closes the connection', async () => {
    const ac = new AbortController();
    const reason = new Error('deadline');
    ac.abort(reason);
    await assert.rejects(fastGetObject(cfg, { bucket: 'b', key: KEY, range: 'bytes=0-', uri: 'u', attemptSignal: ac.signal }), reason);
    const out = await fastGetObject(cfg, { bucket: 'b', key: KEY, range: 'bytes=0-', uri: 'u', attemptSignal: signal() });
    for await (const _ of out.Body) break; // destroys the body after its first chunk
    assert.ok(out.Body.destroyed);
  });

  it('nothing goes to the SDK path in an S3 UFS over this endpoint, and reads stay byte-exact', async () => {
    const { S3Ufs } = await import('../../src/ufs/s3-ufs.js');
    const ufs = new S3Ufs('s3://b/', s3.ufsOptions());
    try {
      const st = await ufs.getStatus(`s3://b/${KEY}`);
      const body = await ufs.openRead(`s3://b/${KEY}`, 5, 3_000_000, { version: `etag:${st.etag}` });
      assert.ok((await readBody({ Body: body })).equals(data.subarray(5, 3_000_005)));
      assert.equal((await readBody({ Body: await ufs.openRead('s3://b/empty', 0, -1) })).length, 0);
      await assert.rejects(ufs.openRead(`s3://b/${KEY}`, 0, 10, { version: 'etag:0123' }), { code: 'ALX_ERR_STALE' });
    } finally {
      await ufs.close();
    }
  });
});

// Where the fast path does not apply (https, virtual-host buckets, the default credential chain),
// reads go through the SDK as before: exercised here through the default chain (environment).
describe('the SDK path for GetObject', () => {
  let s3: S3TestServer;
  const data = randomBytes(3 * 1024 * 1024 + 1);
  const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };

  before(async () => {
    s3 = await startS3Server({ buckets: ['b'] });
    const client = new S3Client({ endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } });
    await client.send(new PutObjectCommand({ Bucket: 'b', Key: 'k', Body: data }));
    client.destroy();
    process.env.AWS_ACCESS_KEY_ID = s3.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = s3.secretAccessKey;
  });
  after(async () => {
    if (saved.id === undefined) delete process.env.AWS_ACCESS_KEY_ID; else process.env.AWS_ACCESS_KEY_ID = saved.id;
    if (saved.secret === undefined) delete process.env.AWS_SECRET_ACCESS_KEY; else process.env.AWS_SECRET_ACCESS_KEY = saved.secret;
    await s3?.stop();
  });

  it('reads byte-exact ranges and fails a stalled body with ALX_ERR_UFS_TIMEOUT', async () => {
    const { S3Ufs } = await import('../../src/ufs/s3-ufs.js');
    const ufs = new S3Ufs('s3://b/', { 'alluxio.underfs.s3.endpoint': s3.endpoint });
    try {
      assert.equal(ufs.settings.staticCredentials, false, 'no static credentials: the fast path is off');
      assert.ok((await readBody({ Body: await ufs.openRead('s3://b/k', 7, 2_000_000) })).equals(data.subarray(7, 2_000_007)));
    } finally {
      await ufs.close();
    }
    const stall = await startFaultyHttpServer('stall-body');
    const slow = new S3Ufs('s3://bucket/', { 'alluxio.underfs.s3.endpoint': stall.endpoint, 'alluxio.underfs.s3.request.timeout': '300ms' });
    try {
      const body = await slow.openRead('s3://bucket/stalled', 0, 1000);
      await assert.rejects(readBody({ Body: body }), { code: 'ALX_ERR_UFS_TIMEOUT' });
    } finally {
      await slow.close();
      await stall.stop();
    }
  });
});

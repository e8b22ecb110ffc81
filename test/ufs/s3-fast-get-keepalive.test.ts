// Keep-alive connections of the S3 fast GET (src/ufs/s3-fast-get.ts): a GET after a complete answer
// goes over the same connection; a body left unread, an error answer or a connection the server
// closed while idle never hands a broken connection to the next GET. A real s3rver behind a TCP
// relay (in this file) that counts connections, and can drop a connection's second request
// unanswered, as a server that closed an idle connection does.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createConnection, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { fastGetConfig, fastGetObject, type FastGetConfig } from '../../src/ufs/s3-fast-get.js';
import { startS3Server, type S3TestServer } from '../support/s3-server.js';

interface Relay {
  cfg: FastGetConfig;
  /** Connections accepted so far. */
  readonly connections: number;
  close(): Promise<void>;
}

/** A TCP relay to `target`; with dropSecond, a connection is cut when its second request arrives. */
async function startRelay(s3: S3TestServer, dropSecond: boolean): Promise<Relay> {
  const t = new URL(s3.endpoint);
  let connections = 0;
  const open = new Set<Socket>();
  const server: Server = createServer((client) => {
    connections++;
    const up = createConnection({ host: t.hostname, port: Number(t.port) });
    open.add(client);
    open.add(up);
    let requests = 0;
    client.on('data', (d: Buffer) => {
      requests += d.toString('latin1').split('GET /').length - 1;
      if (dropSecond && requests >= 2) {
        client.destroy();
        up.destroy();
        return;
      }
      up.write(d);
    });
    up.pipe(client);
    const done = () => { client.destroy(); up.destroy(); open.delete(client); open.delete(up); };
    client.on('close', done).on('error', done);
    up.on('close', done).on('error', done);
  });
  server.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const port = (server.address() as AddressInfo).port;
  return {
    cfg: fastGetConfig(`http://127.0.0.1:${port}`, true, 'us-east-1', { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey }, 10_000)!,
    get connections() { return connections; },
    close: () => new Promise((r) => { for (const s of open) s.destroy(); server.close(() => r(undefined)); }),
  };
}

async function get(cfg: FastGetConfig, key: string, range = 'bytes=0-'): Promise<Buffer> {
  const out = await fastGetObject(cfg, { bucket: 'ka', key, range, uri: `s3://ka/${key}`, attemptSignal: new AbortController().signal });
  const chunks: Buffer[] = [];
  for await (const c of out.Body) chunks.push(Buffer.from(c as Buffer));
  return Buffer.concat(chunks);
}

describe('S3 fast GET keep-alive', () => {
  let s3: S3TestServer;
  const big = randomBytes(700_000);
  const small = randomBytes(10);

  before(async () => {
    s3 = await startS3Server({ buckets: ['ka'] });
    const c = new S3Client({ endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } });
    await c.send(new PutObjectCommand({ Bucket: 'ka', Key: 'big', Body: big }));
    await c.send(new PutObjectCommand({ Bucket: 'ka', Key: 'small', Body: small }));
    c.destroy();
  });
  after(async () => s3?.stop());

  it('GETs one after the other go over one connection and stay byte-exact', async () => {
    const relay = await startRelay(s3, false);
    try {
      for (let i = 0; i < 10; i++) {
        assert.ok((await get(relay.cfg, i % 2 ? 'big' : 'small')).equals(i % 2 ? big : small), `GET ${i}`);
        assert.ok((await get(relay.cfg, 'big', 'bytes=1000-1999')).equals(big.subarray(1000, 2000)), `ranged GET ${i}`);
      }
      assert.equal(relay.connections, 1);
    } finally {
      await relay.close();
    }
  });

  it('a body destroyed before its end and an error answer close their connection; the next GET opens a new one', async () => {
    const relay = await startRelay(s3, false);
    try {
      const out = await fastGetObject(relay.cfg, { bucket: 'ka', key: 'big', range: 'bytes=0-', uri: 'u', attemptSignal: new AbortController().signal });
      for await (const _ of out.Body) break; // destroys the body after its first chunk
      assert.ok((await get(relay.cfg, 'small')).equals(small));
      assert.equal(relay.connections, 2);
      await assert.rejects(get(relay.cfg, 'missing'), { name: 'NoSuchKey' });
      assert.ok((await get(relay.cfg, 'big')).equals(big));
      assert.equal(relay.connections, 3);
    } finally {
      await relay.close();
    }
  });

  it('a kept connection the server drops unanswered is replaced once: the GET succeeds on a new connection', async () => {
    const relay = await startRelay(s3, true);
    try {
      for (let i = 0; i < 3; i++) assert.ok((await get(relay.cfg, 'big')).equals(big), `GET ${i}`);
      // Each later GET found the kept connection dropped and went on over a new one.
      assert.equal(relay.connections, 3);
    } finally {
      await relay.close();
    }
  });

  it('concurrent GETs each get their own connection and their own bytes', async () => {
    const relay = await startRelay(s3, false);
    try {
      for (let round = 0; round < 3; round++) {
        const got = await Promise.all(Array.from({ length: 6 }, (_, i) => get(relay.cfg, 'big', `bytes=${i * 1000}-${i * 1000 + 99_999}`)));
        got.forEach((b, i) => assert.ok(b.equals(big.subarray(i * 1000, i * 1000 + 100_000)), `round ${round} GET ${i}`));
      }
      assert.ok(relay.connections <= 6, `${relay.connections} connections for 3 rounds of 6 GETs`);
    } finally {
      await relay.close();
    }
  });
});

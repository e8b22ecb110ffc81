// x-alluxio-s3-hop-headers (hop-headers.ts) is set by a forwarding worker, but any client can send
// it too. Pinned here: it cannot change what a worker does. It stands in only for the hop-by-hop
// headers (Expect, Transfer-Encoding, ...) when the signature is checked, so it can neither stand in
// for a signed Range or If-None-Match the request does not carry, nor pass a request that is not
// signed with the client's own secret, and on a request that signed no hop-by-hop header it changes
// nothing. Real workers (SigV4 on, two workers, keys owned by each), requests signed by the AWS
// SDK's signer.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { sameWorker } from '../../../src/hashring/worker-info.js';
import { SIGNED_HOP_HEADER } from '../../../src/worker/s3/hop-headers.js';
import { sigV4Headers } from '../../support/sigv4-signer.js';
import { ACCESS_KEY, SECRET_KEY, startS3TestCluster, type S3TestCluster } from '../../support/s3-clients.js';

interface Answer { status: number; body: Buffer }

function send(url: string, headers: Record<string, string>): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const r = httpRequest(url, { method: 'GET', headers }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts) }));
    });
    r.on('error', reject);
    r.end();
  });
}

describe('x-alluxio-s3-hop-headers from a client changes nothing', { timeout: 300_000 }, () => {
  let c: S3TestCluster;
  const data = randomBytes(1000);
  /** keys[i] is owned by worker i: each is asked of worker 0 (served there, or proxied to worker 1). */
  const keys: string[] = [];

  before(async () => {
    c = await startS3TestCluster({ workers: 2, auth: true });
    const w0 = c.cluster.workers[0]!;
    const ownerIndex = (key: string) => {
      const owner = w0.client.ring.owners(w0.files.resolve(`/bucket/${key}`).ufsUri, 1)[0]!;
      return c.cluster.workers.findIndex((w) => sameWorker(w.info.identity, owner.identity));
    };
    for (let i = 0; i < 10_000 && keys.filter(Boolean).length < 2; i++) {
      const k = `hop/k${i}`;
      keys[ownerIndex(k)] ??= k;
    }
    assert.ok(keys[0] && keys[1], 'a key owned by each worker');
    mkdirSync(join(c.ufsDir, 'bucket', 'hop'), { recursive: true });
    for (const k of keys) writeFileSync(join(c.ufsDir, 'bucket', k), data);
  });
  after(async () => c?.stop());

  const url = (key: string) => `${c.endpoints[0]}/bucket/${key}`;
  const hop = (values: Record<string, string>) => ({ [SIGNED_HOP_HEADER]: new URLSearchParams(values).toString() });

  test('it does not stand in for a signed Range the request does not carry', async () => {
    for (const [owner, key] of keys.entries()) {
      const signed = await sigV4Headers('GET', url(key), ACCESS_KEY, SECRET_KEY, undefined, { range: 'bytes=0-3' });
      const ok = await send(url(key), signed);
      assert.equal(ok.status, 206, `as signed (owner worker ${owner}): ${ok.body}`);
      assert.ok(ok.body.equals(data.subarray(0, 4)));
      const forged = await send(url(key), { ...signed, range: 'bytes=0-999', ...hop({ range: 'bytes=0-3' }) });
      assert.equal(forged.status, 403, `another Range with the signed one in the hop header (owner worker ${owner}): ${forged.body}`);
      assert.match(forged.body.toString(), /SignatureDoesNotMatch/);
    }
  });

  test('it does not stand in for a signed If-None-Match (conditional semantics stay the signed ones)', async () => {
    for (const [owner, key] of keys.entries()) {
      const signed = await sigV4Headers('GET', url(key), ACCESS_KEY, SECRET_KEY, undefined, { 'if-none-match': '"other"' });
      const ok = await send(url(key), signed);
      assert.equal(ok.status, 200, `as signed (owner worker ${owner})`);
      assert.ok(ok.body.equals(data));
      const forged = await send(url(key), { ...signed, 'if-none-match': '*', ...hop({ 'if-none-match': '"other"' }) });
      assert.equal(forged.status, 403, `If-None-Match: * with the signed value in the hop header (owner worker ${owner}): ${forged.status}`);
      assert.match(forged.body.toString(), /SignatureDoesNotMatch/);
    }
  });

  test('it passes no request that is not signed with the client\'s own secret', async () => {
    for (const key of keys) {
      const wrong = await sigV4Headers('GET', url(key), ACCESS_KEY, 'not-the-secret', undefined, { expect: '100-continue' });
      const r = await send(url(key), { ...wrong, ...hop({ expect: '100-continue', 'transfer-encoding': 'chunked' }) });
      assert.equal(r.status, 403);
      assert.match(r.body.toString(), /SignatureDoesNotMatch/);
      const anonymous = await send(url(key), hop({ expect: '100-continue' }));
      assert.equal(anonymous.status, 403);
      assert.match(anonymous.body.toString(), /AccessDenied/);
    }
  });

  test('on a request that signed no hop-by-hop header it is ignored', async () => {
    for (const [owner, key] of keys.entries()) {
      const signed = await sigV4Headers('GET', url(key), ACCESS_KEY, SECRET_KEY);
      const r = await send(url(key), { ...signed, ...hop({ expect: 'nonsense', 'transfer-encoding': 'gzip', range: 'bytes=0-0' }) });
      assert.equal(r.status, 200, `owner worker ${owner}: ${r.body}`);
      assert.ok(r.body.equals(data), 'the whole object: the hop header\'s range was not used');
    }
  });
});

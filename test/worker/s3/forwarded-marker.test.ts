// A worker forwards an S3 request for a key another worker owns with x-alluxio-s3-forwarded, and
// the receiver serves a request so marked itself. With authentication on, a client sending that
// marker (without the forwarding worker's proof) must not make a worker that does not own the key
// write it, cache it or answer a listing from its own state only: the marker is ignored and the
// request routed as any other. Normal forwarding keeps working. Real workers, real SigV4 requests.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IncomingMessage } from 'node:http';
import { registry } from '../../../src/common/metrics.js';
import { sameWorker, workerName } from '../../../src/hashring/worker-info.js';
import { fileIdOf } from '../../../src/pagestore/index.js';
import { FORWARD_PROOF_MAX_SKEW_MS, forwardProofKey, forwardProofProblem, makeForwardProof } from '../../../src/worker/s3/forward-proof.js';
import { signRequest } from '../../../src/worker/s3/sigv4.js';
import { ACCESS_KEY, SECRET_KEY, startS3TestCluster, type S3TestCluster } from '../../support/s3-clients.js';
import { makeTempDir, type TempDir } from '../../support/tmp.js';

const FORGED = { 'x-alluxio-s3-forwarded': 'worker-00000000-0000-0000-0000-000000000000', 'x-alluxio-s3-forwarded-proof': `${Math.floor(Date.now() / 1000)}.${'0'.repeat(64)}` };

/** A key under bucket/ whose owner on the ring is worker `i`. */
function keyOwnedBy(c: S3TestCluster, i: number, prefix: string): { key: string; ufsUri: string } {
  const w0 = c.cluster.workers[0]!;
  for (let n = 0; n < 1000; n++) {
    const key = `${prefix}/k${n}`;
    const ufsUri = w0.files.resolve(`/bucket/${key}`).ufsUri;
    if (sameWorker(w0.client.ring.owners(ufsUri, 1)[0]!.identity, c.cluster.workers[i]!.info.identity)) return { key, ufsUri };
  }
  throw new Error(`no key owned by worker ${i} in 1000 tries`);
}

async function proxied(): Promise<number> {
  const m = (await registry.getSingleMetric('alluxio_s3_api_forwarded_total')?.get())?.values.find((v) => v.labels.mode === 'proxy');
  return m?.value ?? 0;
}

/** A SigV4-signed request (UNSIGNED-PAYLOAD) with `extra` headers that are not signed. */
async function signed(method: string, url: string, extra: Record<string, string> = {}, body?: Buffer<ArrayBuffer>): Promise<Response> {
  const headers = { ...signRequest(method, new URL(url), ACCESS_KEY, SECRET_KEY), ...extra };
  return body === undefined ? fetch(url, { method, headers }) : fetch(url, { method, headers, body });
}

/** Counts FileService.write calls on each worker (the real method still runs). */
function countWrites(c: S3TestCluster): number[] {
  const counts = c.cluster.workers.map(() => 0);
  c.cluster.workers.forEach((w, i) => {
    const real = w.files.write.bind(w.files);
    w.files.write = ((...args: Parameters<typeof real>) => {
      counts[i]!++;
      return real(...args);
    }) as typeof w.files.write;
  });
  return counts;
}

async function waitFor(what: string, cond: () => boolean): Promise<void> {
  for (const end = Date.now() + 30_000; !cond();) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('the S3 forwarding marker with authentication on', { timeout: 600_000 }, () => {
  let c: S3TestCluster;
  let writes: number[];

  before(async () => {
    c = await startS3TestCluster({ workers: 2, auth: true });
    writes = countWrites(c);
  });
  after(async () => c?.stop());

  test('a forged marker on a PUT to the non-owner: the owner writes the key', async () => {
    const { key } = keyOwnedBy(c, 1, 'forged-put');
    const data = randomBytes(5000);
    const before = [...writes];
    const proxiedBefore = await proxied();
    const r = await signed('PUT', `${c.endpoints[0]}/bucket/${key}`, FORGED, data);
    assert.equal(r.status, 200, await r.text());
    assert.ok(readFileSync(join(c.ufsDir, 'bucket', key)).equals(data));
    assert.deepEqual([writes[0]! - before[0]!, writes[1]! - before[1]!], [0, 1], 'written by the owner (worker 1), not the receiver');
    assert.equal(await proxied(), proxiedBefore + 1, 'proxied to the owner once');
  });

  test('a forged marker on a GET to the non-owner: the owner caches the object, the receiver does not', async () => {
    const { key, ufsUri } = keyOwnedBy(c, 1, 'forged-get');
    const data = randomBytes(300_000);
    assert.equal((await signed('PUT', `${c.endpoints[1]}/bucket/${key}`, {}, data)).status, 200);
    const r = await signed('GET', `${c.endpoints[0]}/bucket/${key}`, FORGED);
    assert.equal(r.status, 200);
    assert.ok(Buffer.from(await r.arrayBuffer()).equals(data));
    const id = fileIdOf(ufsUri);
    // Pages are stored just after they are sent.
    await waitFor('the owner to cache the object', () => (c.cluster.workers[1]!.store.fileInfo(id)?.bytes ?? 0) >= data.length);
    assert.equal(c.cluster.workers[0]!.store.fileInfo(id), undefined, 'the receiving worker cached nothing');
  });

  test('a forged marker on ListMultipartUploads: the listing still covers every worker', async () => {
    const { key } = keyOwnedBy(c, 1, 'forged-mpu');
    const created = await signed('POST', `${c.endpoints[1]}/bucket/${key}?uploads=`);
    assert.equal(created.status, 200, await created.clone().text());
    const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(await created.text())![1]!;
    try {
      const r = await signed('GET', `${c.endpoints[0]}/bucket?uploads=`, FORGED);
      assert.equal(r.status, 200);
      assert.match(await r.text(), new RegExp(`<UploadId>${uploadId}</UploadId>`), 'the upload staged on worker 1 is listed by worker 0');
    } finally {
      await signed('DELETE', `${c.endpoints[1]}/bucket/${key}?uploadId=${encodeURIComponent(uploadId)}`);
    }
  });

  test('a request passed between workers too often without a proof they accept is refused, not written', async () => {
    // What workers whose credentials files differ would do to each other: each ignores the other's
    // marker and forwards again, adding one to the hop count.
    const { key } = keyOwnedBy(c, 1, 'hops');
    const before = [...writes];
    const r = await signed('PUT', `${c.endpoints[0]}/bucket/${key}`, { ...FORGED, 'x-alluxio-s3-forward-hops': '3' }, randomBytes(1000));
    assert.equal(r.status, 503);
    assert.match(await r.text(), /<Code>ServiceUnavailable<\/Code>.*same alluxio\.worker\.s3\.auth\.credentials\.file/s);
    assert.deepEqual(writes, before, 'no worker wrote the key');
    assert.equal(existsSync(join(c.ufsDir, 'bucket', key)), false);
  });

  test('normal forwarding: PUT and GET through the non-owner land on the owner', async () => {
    const { key, ufsUri } = keyOwnedBy(c, 1, 'fwd');
    const data = randomBytes(200_000);
    const before = [...writes];
    const proxiedBefore = await proxied();
    assert.equal((await signed('PUT', `${c.endpoints[0]}/bucket/${key}`, {}, data)).status, 200);
    assert.deepEqual([writes[0]! - before[0]!, writes[1]! - before[1]!], [0, 1]);
    const r = await signed('GET', `${c.endpoints[0]}/bucket/${key}?x=a%20b`);
    assert.equal(r.status, 200);
    assert.ok(Buffer.from(await r.arrayBuffer()).equals(data));
    assert.ok((await proxied()) >= proxiedBefore + 2);
    await waitFor('the owner to cache the object', () => (c.cluster.workers[1]!.store.fileInfo(fileIdOf(ufsUri))?.bytes ?? 0) >= data.length);
    assert.equal(c.cluster.workers[0]!.store.fileInfo(fileIdOf(ufsUri)), undefined);
  });

  test('a proof is bound to its request, its forwarder and its time', () => {
    const key = forwardProofKey({ keys: new Map([[ACCESS_KEY, SECRET_KEY]]), tokens: new Map() });
    const req = (url: string) => ({ method: 'PUT', url, headers: { authorization: 'AWS4-HMAC-SHA256 Credential=x', 'x-amz-date': '20260101T000000Z' } }) as unknown as IncomingMessage;
    const name = workerName(c.cluster.workers[0]!.info.identity);
    const now = Date.now();
    const proof = makeForwardProof(key, req('/bucket/a'), name, now);
    assert.equal(forwardProofProblem(key, req('/bucket/a'), name, proof, now + 60_000), undefined);
    assert.equal(forwardProofProblem(key, req('/bucket/b'), name, proof, now), 'a wrong proof');
    assert.equal(forwardProofProblem(key, req('/bucket/a'), 'worker-other', proof, now), 'a wrong proof');
    assert.equal(forwardProofProblem(key, req('/bucket/a'), name, proof, now + FORWARD_PROOF_MAX_SKEW_MS + 1000), 'a stale proof');
    assert.equal(forwardProofProblem(key, req('/bucket/a'), name, undefined, now), 'no proof');
    assert.equal(forwardProofProblem(key, req('/bucket/a'), name, 'garbage', now), 'a malformed proof');
    const otherKey = forwardProofKey({ keys: new Map([[ACCESS_KEY, 'another-secret']]), tokens: new Map() });
    assert.equal(forwardProofProblem(otherKey, req('/bucket/a'), name, proof, now), 'a wrong proof');
    assert.ok(!proof.includes(SECRET_KEY) && !proof.includes(key.toString('hex')), 'the proof shows neither the secret nor the key');
  });
});

describe('workers whose credentials files differ (a rotation half done)', { timeout: 600_000 }, () => {
  let c: S3TestCluster;
  let tmp: TempDir;

  before(async () => {
    tmp = await makeTempDir('alluxio-s3-cred-');
    // Worker 1 has a new key pair first: its proof key differs from worker 0's; both accept the client's key.
    const other = join(tmp.path, 'credentials');
    writeFileSync(other, `rotated-key:rotated-secret-0123456789\n${ACCESS_KEY}:${SECRET_KEY}\n`);
    c = await startS3TestCluster({ workers: 2, auth: true, workerProperties: [undefined, { 'alluxio.worker.s3.auth.credentials.file': other }] });
  });
  after(async () => {
    await c?.stop();
    await tmp?.cleanup();
  });

  test('forwarded requests still reach the owner, and a listing fan-out ends', async () => {
    const { key } = keyOwnedBy(c, 1, 'rot');
    const data = randomBytes(3000);
    // Worker 1 does not accept worker 0's proof but owns the key: it serves the request itself.
    assert.equal((await signed('PUT', `${c.endpoints[0]}/bucket/${key}`, {}, data)).status, 200);
    assert.ok(readFileSync(join(c.ufsDir, 'bucket', key)).equals(data));
    const get = await signed('GET', `${c.endpoints[0]}/bucket/${key}`);
    assert.ok(Buffer.from(await get.arrayBuffer()).equals(data));
    // Each worker ignores the other's marker and fans out again, until the hop limit.
    const created = await signed('POST', `${c.endpoints[1]}/bucket/${key}?uploads=`);
    const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(await created.text())![1]!;
    try {
      const r = await signed('GET', `${c.endpoints[0]}/bucket?uploads=`);
      assert.equal(r.status, 200);
      assert.match(await r.text(), new RegExp(`<UploadId>${uploadId}</UploadId>`));
    } finally {
      await signed('DELETE', `${c.endpoints[1]}/bucket/${key}?uploadId=${encodeURIComponent(uploadId)}`);
    }
  });
});

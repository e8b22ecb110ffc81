// Hot small-object GETs (src/worker/s3/hot-gets.ts): a hit must answer exactly what the full path
// would, and an entry must stop answering as soon as anything it was built from changes.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { HotGets } from '../../../src/worker/s3/hot-gets.js';
import type { UfsStatus } from '../../../src/ufs/under-file-system.js';
import { startS3TestCluster, type S3TestCluster } from '../../support/s3-clients.js';

async function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; body: Buffer }> {
  const r = await fetch(url, { headers });
  return { status: r.status, headers: r.headers, body: Buffer.from(await r.arrayBuffer()) };
}

describe('HotGets entries and what invalidates them (a real HTTP server, fake sources)', () => {
  const status: UfsStatus = { uri: 'file:///u/a', name: 'a', isDirectory: false, length: 3, lastModifiedMs: 1 };
  const sources = { status: status as UfsStatus | undefined, table: {} as unknown, ring: {} as unknown };
  const hot = new HotGets(1024, { cachedStatus: () => sources.status, mountTable: () => sources.table, ring: () => sources.ring });
  let server: Server;
  let base: string;
  let misses = 0;

  before(async () => {
    server = createServer((req, res) => {
      if (HotGets.eligible(req) && hot.serve(req, res, 'REQ-ID')) return;
      misses++;
      res.writeHead(404).end();
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => server.close());

  const add = () => hot.add({ url: '/b/a', data: Buffer.from('abc'), ufsUri: status.uri, status, headers: ['x-amz-request-id', '', 'etag', '"e"', 'content-length', '3'] });

  test('a hit sends the stored bytes and headers with its own request id', async () => {
    add();
    const r = await get(`${base}/b/a`);
    assert.equal(r.status, 200);
    assert.equal(r.body.toString(), 'abc');
    assert.equal(r.headers.get('x-amz-request-id'), 'REQ-ID');
    assert.equal(r.headers.get('etag'), '"e"');
  });

  test('requests a hot entry must not answer go the long way', async () => {
    add();
    const m0 = misses;
    for (const h of [{ range: 'bytes=0-1' }, { 'if-none-match': '"e"' }, { 'if-match': '"x"' }, { 'if-modified-since': 'Mon, 01 Jan 2001 00:00:00 GMT' }] as Array<Record<string, string>>) {
      assert.equal((await get(`${base}/b/a`, h)).status, 404, JSON.stringify(h));
    }
    assert.equal((await get(`${base}/b/a?acl`)).status, 404);
    assert.equal((await fetch(`${base}/b/a`, { method: 'HEAD' })).status, 404);
    assert.equal(misses - m0, 6);
  });

  for (const [what, change] of [
    ['the metadata-cache entry expires', () => { sources.status = undefined; }],
    ['the metadata is refreshed (a new status object)', () => { sources.status = { ...status }; }],
    ['the mount table changes', () => { sources.table = {}; }],
    ['the ring changes', () => { sources.ring = {}; }],
  ] as Array<[string, () => void]>) {
    test(`an entry stops answering when ${what}`, async () => {
      sources.status = status;
      add();
      assert.equal((await get(`${base}/b/a`)).status, 200);
      change();
      assert.equal((await get(`${base}/b/a`)).status, 404);
      sources.status = status;
      assert.equal((await get(`${base}/b/a`)).status, 404, 'a stale entry is dropped, not revived');
    });
  }

  test('the byte budget holds; entries that were hit get a second chance', () => {
    const h = new HotGets(10, { cachedStatus: () => status, mountTable: () => 1, ring: () => 1 });
    const entry = (url: string) => ({ url, data: Buffer.alloc(4), ufsUri: status.uri, status, headers: ['x-amz-request-id', ''] });
    h.add(entry('/1'));
    h.add(entry('/2'));
    const fakeRes = { writeHead() { return this; }, end() {} } as never;
    assert.ok(h.serve({ url: '/1', method: 'GET', headers: {} } as never, fakeRes, 'r'));
    h.add(entry('/3')); // 12 bytes > 10: /2 goes, /1 was used
    assert.equal(h.size, 2);
    assert.ok(h.serve({ url: '/1', method: 'GET', headers: {} } as never, fakeRes, 'r'));
    assert.equal(h.serve({ url: '/2', method: 'GET', headers: {} } as never, fakeRes, 'r'), undefined);
    h.add({ ...entry('/big'), data: Buffer.alloc(11) });
    assert.equal(h.size, 2, 'an entry over the whole budget is not kept');
  });
});

describe('hot GETs on a real worker answer what the full path answers', () => {
  let c: S3TestCluster;
  let ep: string;

  before(async () => {
    c = await startS3TestCluster({ buckets: ['hot'], properties: { 'alluxio.user.metadata.cache.expiration.time': '1s' } });
    ep = c.endpoints[0]!;
  });
  after(async () => c?.stop());

  test('repeated GETs, ranges, conditionals, a PUT through S3 and a change in the UFS', async () => {
    const v1 = randomBytes(4096);
    writeFileSync(join(c.ufsDir, 'hot', 'k.bin'), v1);
    const first = await get(`${ep}/hot/k.bin`);
    const ids = new Set<string>();
    for (let i = 0; i < 5; i++) {
      const r = await get(`${ep}/hot/k.bin`);
      assert.ok(r.body.equals(v1));
      for (const h of ['etag', 'last-modified', 'content-length', 'content-type', 'accept-ranges']) assert.equal(r.headers.get(h), first.headers.get(h), h);
      ids.add(r.headers.get('x-amz-request-id')!);
    }
    assert.equal(ids.size, 5, 'every answer has its own request id');
    const part = await get(`${ep}/hot/k.bin`, { range: 'bytes=10-19' });
    assert.equal(part.status, 206);
    assert.ok(part.body.equals(v1.subarray(10, 20)));
    assert.equal((await get(`${ep}/hot/k.bin`, { 'if-none-match': first.headers.get('etag')! })).status, 304);

    // a PUT through the API is seen at once
    const v2 = randomBytes(4096);
    assert.equal((await fetch(`${ep}/hot/k.bin`, { method: 'PUT', body: v2 })).status, 200);
    assert.ok((await get(`${ep}/hot/k.bin`)).body.equals(v2));
    assert.ok((await get(`${ep}/hot/k.bin`)).body.equals(v2));

    // a change behind our back is seen once the metadata TTL (1s) has passed
    const v3 = randomBytes(3000);
    writeFileSync(join(c.ufsDir, 'hot', 'k.bin'), v3);
    await new Promise((r) => setTimeout(r, 1300));
    const r3 = await get(`${ep}/hot/k.bin`);
    assert.ok(r3.body.equals(v3));
    assert.equal(r3.headers.get('content-length'), '3000');
    assert.ok((await get(`${ep}/hot/k.bin`)).body.equals(v3));

    // and a delete
    assert.equal((await fetch(`${ep}/hot/k.bin`, { method: 'DELETE' })).status, 204);
    assert.equal((await get(`${ep}/hot/k.bin`)).status, 404);
  });
});

// Reads pinned to a UFS version through the worker's front ends: REST (/v1/read, the alluxiofs
// page route) tells the version it serves in x-alluxio-ufs-version and takes `version=` to pin
// one; S3 GetObject keeps S3's ETag and If-Match. A worker whose metadata entry has another
// version than the pinned one asks the UFS again instead of trusting the entry for its TTL. A
// version the UFS no longer has is a clear "changed during the read" error (REST 409
// ALX_ERR_STALE, S3 412 PreconditionFailed). A real in-process worker over a local UFS directory.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileIdOf } from '../../src/pagestore/index.js';
import { LocalUfs } from '../../src/ufs/local-ufs.js';
import { ufsVersion } from '../../src/ufs/under-file-system.js';
import type { FileEntry } from '../../src/worker/file-service.js';
import { etagOf } from '../../src/worker/s3/get-object.js';
import { makeTempDir, type TempDir } from '../support/tmp.js';
import { startTestCluster, type TestCluster } from '../support/workers.js';

const WHEN = new Date('2024-03-01T10:00:00Z');

async function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; body: Buffer }> {
  const r = await fetch(url, { headers });
  return { status: r.status, headers: r.headers, body: Buffer.from(await r.arrayBuffer()) };
}

describe('reads pinned to a version (REST and S3)', () => {
  let tmp: TempDir;
  let ufsDir: string;
  let cluster: TestCluster;
  let rest: string;
  let s3: string;
  let ufs: LocalUfs;

  before(async () => {
    tmp = await makeTempDir('alluxio-pinned-');
    ufsDir = join(tmp.path, 'ufs');
    mkdirSync(join(ufsDir, 'bkt'), { recursive: true });
    ufs = new LocalUfs(`file://${ufsDir}`);
    // A long metadata TTL: only a pinned version makes the worker look at the UFS again.
    cluster = await startTestCluster({ dir: tmp.path, rootUfs: `file://${ufsDir}`, workers: 1, properties: { 'alluxio.user.metadata.cache.expiration.time': '10min' } });
    rest = `http://127.0.0.1:${cluster.ports[0]!.http}`;
    s3 = `http://127.0.0.1:${cluster.ports[0]!.s3}`;
  });
  after(async () => {
    await cluster.stop();
    await tmp.cleanup();
  });

  /** Rewrites a file in place with the same length and restores its mtime, as cp -p does. */
  function replaceKeepingMtime(path: string, data: Buffer): void {
    writeFileSync(path, data);
    utimesSync(path, WHEN, WHEN);
  }

  test('REST: answers name their version; a pinned version is served, refreshed, or refused with 409', async () => {
    const path = join(ufsDir, 'bkt', 'r.bin');
    const v1 = Buffer.alloc(200_000, 1);
    const v2 = Buffer.alloc(200_000, 2);
    replaceKeepingMtime(path, v1);
    const first = await get(`${rest}/v1/read?path=/bkt/r.bin&offset=0&length=100`);
    assert.equal(first.status, 200);
    const h1 = first.headers.get('x-alluxio-ufs-version');
    assert.ok(h1, 'a data answer names the version it serves');
    const ver1 = decodeURIComponent(h1);
    assert.equal(ver1, ufsVersion(await ufs.getStatus(`file://${ufsDir}/bkt/r.bin`)));

    await new Promise((r) => setTimeout(r, 20));
    replaceKeepingMtime(path, v2);
    const ver2 = ufsVersion(await ufs.getStatus(`file://${ufsDir}/bkt/r.bin`));
    assert.notEqual(ver2, ver1);
    // The worker's metadata entry is v1 (10 min TTL); a read pinned to v2 (learned from another
    // worker) makes it ask the UFS again, and it serves v2.
    const pinned2 = await get(`${rest}/v1/read?path=/bkt/r.bin&version=${encodeURIComponent(ver2)}`);
    assert.equal(pinned2.status, 200);
    assert.ok(pinned2.body.equals(v2), 'a read pinned to the current version served other bytes');
    assert.equal(decodeURIComponent(pinned2.headers.get('x-alluxio-ufs-version')!), ver2);
    // A read pinned to v1, which the UFS no longer has: a clear error, no bytes.
    const pinned1 = await get(`${rest}/v1/read?path=/bkt/r.bin&offset=100&length=1000&version=${encodeURIComponent(ver1)}`);
    assert.equal(pinned1.status, 409);
    const err = JSON.parse(pinned1.body.toString()) as { code: string; message: string };
    assert.equal(err.code, 'ALX_ERR_STALE');
    assert.match(err.message, /\/bkt\/r\.bin changed during the read.*retry/);
    // The alluxiofs page route pins the same way.
    const uri = `file://${ufsDir}/bkt/r.bin`;
    const page = await get(`${rest}/v1/file/${fileIdOf(uri)}/page/0?ufsFullPath=${encodeURIComponent(uri)}&version=${encodeURIComponent(ver1)}`);
    assert.equal(page.status, 409);
    const pageNow = await get(`${rest}/v1/file/${fileIdOf(uri)}/page/0?ufsFullPath=${encodeURIComponent(uri)}&version=${encodeURIComponent(ver2)}`);
    assert.equal(pageNow.status, 200);
    assert.equal(decodeURIComponent(pageNow.headers.get('x-alluxio-ufs-version')!), ver2);
    assert.ok(pageNow.body.equals(v2.subarray(0, pageNow.body.length)));
  });

  test('S3 GetObject: If-Match of the current ETag is served even over stale metadata; of a replaced version is 412', async () => {
    const path = join(ufsDir, 'bkt', 's.bin');
    const v1 = Buffer.alloc(100_000, 3);
    const v2 = Buffer.alloc(100_000, 4);
    replaceKeepingMtime(path, v1);
    const first = await get(`${s3}/bkt/s.bin`);
    assert.equal(first.status, 200);
    assert.ok(first.body.equals(v1));
    const etag1 = first.headers.get('etag')!;

    await new Promise((r) => setTimeout(r, 20));
    replaceKeepingMtime(path, v2); // same length, same mtime: a new ETag all the same
    const st2 = await ufs.getStatus(`file://${ufsDir}/bkt/s.bin`);
    const entry2: FileEntry = { type: 'file', name: 's.bin', path: '/bkt/s.bin', ufsPath: st2.uri, lastModifiedMs: st2.lastModifiedMs, length: st2.length, version: ufsVersion(st2) };
    const etag2 = etagOf(entry2);
    assert.notEqual(etag2, etag1, 'a cp -p replacement kept the ETag');
    const got2 = await get(`${s3}/bkt/s.bin`, { 'if-match': etag2 });
    assert.equal(got2.status, 200, 'If-Match of the current ETag was refused over a stale metadata entry');
    assert.ok(got2.body.equals(v2));
    assert.equal(got2.headers.get('etag'), etag2);
    const got1 = await get(`${s3}/bkt/s.bin`, { 'if-match': etag1 });
    assert.equal(got1.status, 412);
    assert.match(got1.body.toString(), /<Code>PreconditionFailed<\/Code>/);
    const range1 = await get(`${s3}/bkt/s.bin`, { 'if-match': etag1, range: 'bytes=50000-59999' });
    assert.equal(range1.status, 412, 'a ranged GET pinned to the replaced version got bytes');
  });
});

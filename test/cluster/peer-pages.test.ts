// The cache-only page route a new owner uses to take pages from the previous owner after a ring
// change: it serves only pages it has, in the asked version and page size, and never reads the UFS.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { metrics } from '../../src/common/metrics.js';
import { makeTempDir, type TempDir } from '../support/tmp.js';
import { startTestCluster, type TestCluster } from '../support/workers.js';

const PAGE = 64 * 1024;

describe('peer page route', () => {
  let tmp: TempDir;
  let cluster: TestCluster;
  let base: string;
  let uri: string;
  let fileId: string;
  let version: string;
  const data = randomBytes(3 * PAGE + 500);

  const pages = (q: Record<string, string | number>) =>
    fetch(`${base}/v1/cache/pages/${fileId}?${new URLSearchParams(Object.entries({ ufsFullPath: uri, version, pageSize: PAGE, fileLength: data.length, first: 0, last: 3, ...q }).map(([k, v]) => [k, String(v)]))}`);

  before(async () => {
    tmp = await makeTempDir('alluxio-peer-');
    const ufs = join(tmp.path, 'ufs');
    mkdirSync(ufs);
    writeFileSync(join(ufs, 'a.bin'), data);
    writeFileSync(join(ufs, 'cold.bin'), data);
    cluster = await startTestCluster({ dir: tmp.path, workers: 1, rootUfs: ufs, properties: { 'alluxio.worker.page.store.read.ahead.pages': '0' } });
    base = `http://127.0.0.1:${cluster.ports[0]!.http}`;
    uri = `file://${ufs}/a.bin`;
    fileId = createHash('sha256').update(uri).digest('hex');
    // Cache pages 1 and 2 only.
    const res = await fetch(`${base}/v1/read?path=/a.bin&offset=${PAGE}&length=${2 * PAGE}`);
    assert.equal((await res.arrayBuffer()).byteLength, 2 * PAGE);
    const store = cluster.workers[0]!.store;
    const deadline = Date.now() + 15_000; // generous: a loaded CI machine is slow
    while (!(store.has(fileId, 1) && store.has(fileId, 2)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    version = store.fileInfo(fileId)!.version;
  });

  after(async () => {
    await cluster?.stop();
    await tmp?.cleanup();
  });

  test('serves the consecutive cached pages from the first asked, and nothing from the UFS', async () => {
    const ufsBefore = (await metrics.ufsDataAccessBytes.get()).values.reduce((n, v) => n + v.value, 0);
    let res = await pages({ first: 1 });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-alluxio-page-count'), '2');
    assert.ok(Buffer.from(await res.arrayBuffer()).equals(data.subarray(PAGE, 3 * PAGE)));
    res = await pages({ first: 0 }); // page 0 is not cached: nothing, even though 1 and 2 are
    assert.equal(res.headers.get('x-alluxio-page-count'), '0');
    assert.equal((await res.arrayBuffer()).byteLength, 0);
    res = await pages({ first: 1, last: 1 });
    assert.equal(res.headers.get('x-alluxio-page-count'), '1');
    assert.equal((await res.arrayBuffer()).byteLength, PAGE);
    const cold = `file://${join(tmp.path, 'ufs', 'cold.bin')}`;
    res = await fetch(`${base}/v1/cache/pages/${createHash('sha256').update(cold).digest('hex')}?ufsFullPath=${encodeURIComponent(cold)}&version=${encodeURIComponent(version)}&pageSize=${PAGE}&fileLength=${data.length}&first=0&last=3`);
    assert.equal(res.headers.get('x-alluxio-page-count'), '0');
    await res.arrayBuffer();
    const ufsAfter = (await metrics.ufsDataAccessBytes.get()).values.reduce((n, v) => n + v.value, 0);
    assert.equal(ufsAfter, ufsBefore, 'the peer route read the UFS');
  });

  test('another version or page size gets no pages; a bad request is refused with the reason', async () => {
    let res = await pages({ first: 1, pageSize: 2 * PAGE });
    assert.equal(res.headers.get('x-alluxio-page-count'), '0');
    await res.arrayBuffer();
    res = await pages({ first: 1, version: 'mtime:1:len:1' });
    assert.equal(res.headers.get('x-alluxio-page-count'), '0');
    await res.arrayBuffer();
    res = await pages({ ufsFullPath: 'file:///elsewhere' });
    assert.equal(res.status, 400);
    assert.match((await res.json() as { message: string }).message, /not the SHA-256 of ufsFullPath/);
    res = await pages({ first: -1 });
    assert.equal(res.status, 400);
    assert.match((await res.json() as { message: string }).message, /first/);
  });
});

// The worker REST routes of the alluxiofs client (src/worker/alluxiofs-routes.ts), answer by answer,
// on two real in-process workers over a local UFS. test/python/ runs the real client against them.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, type TempDir } from '../support/tmp.js';
import { startTestCluster, type TestCluster } from '../support/workers.js';

const PAGE = 64 * 1024;
const SECRET = 'wJalrXUtnFEMI-K7MDENG-bPxRfiCYEXAMPLEKEY';
const sha = (s: string): string => createHash('sha256').update(s).digest('hex');

describe('worker: alluxiofs routes', () => {
  let tmp: TempDir;
  let cluster: TestCluster;
  let base: string;
  let root: string;
  let extra: string;
  const data = randomBytes(3 * PAGE + 77);
  const uri = (name: string): string => `file://${root}/${name}`;
  const call = async (method: string, path: string, params: Record<string, string | number | boolean>, body?: Buffer): Promise<{ status: number; buf: Buffer; json: () => any }> => {
    const q = new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)]));
    const res = await fetch(`${base}${path}?${q}`, { method, body: body === undefined ? undefined : new Uint8Array(body) });
    const buf = Buffer.from(await res.arrayBuffer());
    return { status: res.status, buf, json: () => JSON.parse(buf.toString('utf8')) };
  };

  before(async () => {
    tmp = await makeTempDir('alluxiofs-routes-');
    root = join(tmp.path, 'ufs');
    extra = join(tmp.path, 'extra');
    mkdirSync(root, { recursive: true });
    mkdirSync(extra, { recursive: true });
    writeFileSync(join(root, 'a.bin'), data);
    // A second mount whose options carry a secret: /v1/ufsInfo must not hand it out.
    const mounts = join(tmp.path, 'mounts');
    writeFileSync(mounts, `/extra file://${extra} s3a.secretKey=${SECRET} region=eu-west-1\n`);
    cluster = await startTestCluster({ dir: tmp.path, rootUfs: root, workers: 2, properties: { 'alluxio.mount.table.static.conf.file': mounts } });
    base = `http://127.0.0.1:${cluster.ports[0]!.http}`;
  });

  after(async () => {
    await cluster?.stop();
    await tmp?.cleanup();
  });

  test('/v1/node answers the owner as one object, and the first n owners as a list with count=', async () => {
    const one = await call('GET', '/v1/node', { path: uri('a.bin') });
    assert.equal(one.status, 200);
    const o = one.json();
    assert.equal(o.Host, '127.0.0.1');
    assert.ok(cluster.ports.some((p) => p.http === o.HttpServerPort), JSON.stringify(o));
    const two = (await call('GET', '/v1/node', { path: uri('a.bin'), count: 2 })).json();
    assert.ok(Array.isArray(two) && two.length === 2);
    assert.equal(two[0].HttpServerPort, o.HttpServerPort);
    // A handler that throws before any await (no path) answers 400 and the worker keeps serving.
    const bad = await call('GET', '/v1/node', {});
    assert.equal(bad.status, 400);
    assert.match(bad.buf.toString(), /missing query parameter 'path'/);
    assert.equal((await call('GET', '/v1/node', { path: uri('a.bin') })).status, 200);
  });

  test('/v1/info answers a one-element list; a missing path answers 404', async () => {
    const info = await call('GET', '/v1/info', { path: uri('a.bin') });
    assert.equal(info.status, 200);
    const rows = info.json();
    assert.ok(Array.isArray(rows) && rows.length === 1);
    assert.equal(rows[0].mLength, data.length);
    assert.equal(rows[0].mType, 'file');
    assert.equal((await call('GET', '/v1/info', { path: uri('missing.bin') })).status, 404);
  });

  test('/v1/ufsInfo maps each mount, without any mount option', async () => {
    const r = await call('GET', '/v1/ufsInfo', {});
    assert.equal(r.status, 200);
    assert.ok(!r.buf.toString('utf8').includes(SECRET), 'the secret leaked');
    assert.deepEqual(r.json(), { [`file://${root}/`]: { alluxio_path: '/' }, [`file://${extra}/`]: { alluxio_path: '/extra' } });
  });

  test('chunk, head, tail, range and page reads return the UFS bytes', async () => {
    const id = sha(uri('a.bin'));
    const p = { ufsFullPath: uri('a.bin') };
    assert.ok((await call('GET', `/v1/chunk/${id}`, { ...p, chunkSize: 1024 })).buf.equals(data));
    assert.ok((await call('GET', `/v1/head/${id}`, { ...p, numOfBytes: PAGE + 3 })).buf.equals(data.subarray(0, PAGE + 3)));
    assert.ok((await call('GET', `/v1/tail/${id}`, { ...p, numOfBytes: PAGE + 3 })).buf.equals(data.subarray(data.length - PAGE - 3)));
    assert.ok((await call('GET', `/v1/tail/${id}`, { ...p, numOfBytes: 10 * PAGE })).buf.equals(data), 'a tail longer than the file is the file');
    assert.ok((await call('GET', `/v1/range/${id}`, { ...p, offset: PAGE - 5, length: 10 })).buf.equals(data.subarray(PAGE - 5, PAGE + 5)));
    assert.ok((await call('GET', `/v1/file/${id}/page/1`, p)).buf.equals(data.subarray(PAGE, 2 * PAGE)));
    assert.equal((await call('GET', `/v1/head/${sha(uri('nope'))}`, { ufsFullPath: uri('nope') })).status, 404);
    assert.equal((await call('GET', `/v1/head/${sha('other')}`, p)).status, 400, 'the id must be the hash of ufsFullPath');
  });

  test('writes: chunk, pages in order, touch, copy, and rm with and without remove_alluxio_only', async () => {
    const body = randomBytes(PAGE + 9);
    const w = uri('w.bin');
    assert.equal((await call('POST', `/v1/chunk/${sha(w)}`, { ufsFullPath: w, chunkSize: 1024 }, body)).status, 200);
    assert.ok(readFileSync(join(root, 'w.bin')).equals(body));
    // Read it (cached), overwrite, read again: the new bytes.
    assert.ok((await call('GET', `/v1/chunk/${sha(w)}`, { ufsFullPath: w })).buf.equals(body));
    const body2 = randomBytes(100);
    await call('POST', `/v1/chunk/${sha(w)}`, { ufsFullPath: w }, body2);
    assert.ok((await call('GET', `/v1/chunk/${sha(w)}`, { ufsFullPath: w })).buf.equals(body2));

    const pg = uri('p.bin');
    assert.equal((await call('POST', `/v1/file/${sha(pg)}/page/0`, { ufsFullPath: pg }, data.subarray(0, PAGE))).status, 200);
    assert.equal((await call('POST', `/v1/file/${sha(pg)}/page/1`, { ufsFullPath: pg }, data.subarray(PAGE, PAGE + 5))).status, 200);
    assert.ok(readFileSync(join(root, 'p.bin')).equals(data.subarray(0, PAGE + 5)));
    const gap = await call('POST', `/v1/file/${sha(pg)}/page/3`, { ufsFullPath: pg }, Buffer.from('x'));
    assert.equal(gap.status, 400);
    assert.match(gap.buf.toString(), /starts at byte 196608, but the file has 65541 bytes/);
    assert.ok(readFileSync(join(root, 'p.bin')).equals(data.subarray(0, PAGE + 5)), 'a refused page changed the file');
    assert.equal((await call('POST', `/v1/file/${sha(pg)}/page/0`, { ufsFullPath: pg }, randomBytes(PAGE + 1))).status, 400, 'a page larger than the page size');

    const t = uri('t.txt');
    assert.equal((await call('POST', `/v1/touch/${sha(t)}`, { ufsFullPath: t })).status, 200);
    assert.equal(readFileSync(join(root, 't.txt')).length, 0);
    assert.equal((await call('POST', `/v1/touch/${sha(w)}`, { ufsFullPath: w })).status, 200);
    assert.ok(readFileSync(join(root, 'w.bin')).equals(body2), 'touch kept an existing file');

    const c = await call('POST', `/v1/copy/${sha(uri('a.bin'))}`, { srcPath: uri('a.bin'), dstPath: uri('c.bin'), recursive: 'True', forced: 'False' });
    assert.equal(c.status, 200, c.buf.toString());
    assert.ok(readFileSync(join(root, 'c.bin')).equals(data));

    // The client's booleans are Python's True/False.
    const keep = await call('POST', `/v1/rm/${sha(uri('c.bin'))}`, { ufsFullPath: uri('c.bin'), recursive: 'False', remove_alluxio_only: 'True' });
    assert.equal(keep.status, 200, keep.buf.toString());
    assert.ok(existsSync(join(root, 'c.bin')), 'remove_alluxio_only deleted the UFS file');
    assert.equal((await call('POST', `/v1/rm/${sha(uri('c.bin'))}`, { ufsFullPath: uri('c.bin'), remove_alluxio_only: 'False' })).status, 200);
    assert.ok(!existsSync(join(root, 'c.bin')));
    assert.equal((await call('POST', `/v1/rm/${sha(uri('c.bin'))}`, { ufsFullPath: uri('c.bin'), remove_alluxio_only: 'False' })).status, 404);
    assert.equal((await call('POST', `/v1/rm/${sha(uri('c.bin'))}`, { ufsFullPath: uri('c.bin'), recursive: 'maybe' })).status, 400);
  });
});

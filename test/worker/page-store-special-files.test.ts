// FIFOs where page files and sidecars belong: they must never be opened in a blocking way. The
// restart scan completes, reads fall back to the UFS with the right bytes, several FIFOs do not
// wedge the worker, SIGTERM exits, and /v1/health fails when the page store cannot do I/O.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs, { mkdirSync, writeFileSync } from 'node:fs';
import { rm, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { PageLayout } from '../../src/pagestore/page-layout.js';
import { waitFor } from '../support/etcd.js';
import { makeTempDir, type TempDir } from '../support/tmp.js';
import { startWorkerChild } from '../support/worker-child.js';
import { startTestCluster, type TestCluster } from '../support/workers.js';

const mkfifo = (...paths: string[]): Promise<unknown> => promisify(execFile)('mkfifo', paths);
const PAGE = 64 * 1024;

async function get(url: string, timeoutMs = 60_000): Promise<{ status: number; body: Buffer }> {
  const r = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  return { status: r.status, body: Buffer.from(await r.arrayBuffer()) };
}

describe('worker with FIFOs in its page store', () => {
  let tmp: TempDir;
  let ufs: string;
  let cluster: TestCluster | undefined;
  const files = new Map<string, Buffer>();
  let rest: string;

  const start = async (): Promise<void> => {
    cluster = await startTestCluster({ dir: tmp.path, rootUfs: ufs, pageSize: '64KB', cacheSize: '64MB' });
    rest = `http://127.0.0.1:${cluster.ports[0]!.http}`;
  };
  const read = async (name: string): Promise<Buffer> => {
    const r = await get(`${rest}/v1/read?path=/${name}`);
    assert.equal(r.status, 200, `${name}: ${r.body.toString()}`);
    return r.body;
  };
  const layout = (): PageLayout => new PageLayout(join(tmp.path, 'pagestore-0'), PAGE, 1000);
  const fileIdOf = async (name: string): Promise<string> =>
    (JSON.parse((await get(`${rest}/v1/cache/file?path=/${name}`)).body.toString()) as { fileId: string }).fileId;
  const cachedPages = async (name: string): Promise<number> =>
    (JSON.parse((await get(`${rest}/v1/cache/file?path=/${name}`)).body.toString()) as { cachedPages: number }).cachedPages;

  before(async () => {
    tmp = await makeTempDir('alluxio-fifo-');
    ufs = join(tmp.path, 'ufs');
    mkdirSync(ufs);
    for (const name of ['sidecar-fifo.bin', 'page-fifo.bin', 'many-fifos.bin', 'other.bin']) {
      const data = randomBytes(5 * PAGE + 123);
      files.set(name, data);
      writeFileSync(join(ufs, name), data);
    }
    await start();
    for (const name of files.keys()) {
      assert.deepEqual(await read(name), files.get(name));
      await waitFor(`${name} cached`, async () => (await cachedPages(name)) === 6, 30_000);
    }
  });
  after(async () => {
    await cluster?.stop();
    await tmp.cleanup();
  });

  test('restart: the scan completes past a FIFO sidecar and a FIFO page; those files read right from the UFS', async () => {
    const sidecarId = await fileIdOf('sidecar-fifo.bin');
    const pageId = await fileIdOf('page-fifo.bin');
    await cluster!.stop();
    cluster = undefined;
    const l = layout();
    await unlink(l.sidecarPath(sidecarId));
    await unlink(l.pagePath(pageId, 2));
    await mkfifo(l.sidecarPath(sidecarId), l.pagePath(pageId, 2));
    await start();
    const w = cluster!.workers[0]!;
    let scanned = false;
    void w.store.scanComplete.then(() => { scanned = true; });
    await waitFor('restart scan to complete', () => scanned, 30_000);
    assert.deepEqual(await read('sidecar-fifo.bin'), files.get('sidecar-fifo.bin'));
    assert.deepEqual(await read('page-fifo.bin'), files.get('page-fifo.bin'));
    assert.ok(!fs.existsSync(l.sidecarPath(sidecarId)) || fs.lstatSync(l.sidecarPath(sidecarId)).isFile(), 'the FIFO sidecar is gone');
    // The other files came back from disk.
    assert.equal(await cachedPages('other.bin'), 6);
  });

  test('FIFOs swapped in for five indexed pages: reads fall back to the UFS, other files are served', async () => {
    const id = await fileIdOf('many-fifos.bin');
    assert.equal(await cachedPages('many-fifos.bin'), 6, 'indexed after the restart, never opened since');
    const l = layout();
    for (let i = 0; i < 5; i++) {
      await unlink(l.pagePath(id, i));
      await mkfifo(l.pagePath(id, i));
    }
    const [many, other] = await Promise.all([read('many-fifos.bin'), read('other.bin')]);
    assert.deepEqual(many, files.get('many-fifos.bin'));
    assert.deepEqual(other, files.get('other.bin'));
    // Re-cached as regular files in their place.
    await waitFor('pages re-cached', async () => (await cachedPages('many-fifos.bin')) === 6, 30_000);
    await waitFor('FIFOs replaced', () => [0, 1, 2, 3, 4].every((i) => fs.lstatSync(l.pagePath(id, i)).isFile()), 30_000);
    assert.equal((await get(`${rest}/v1/health`)).status, 200);
  });

  test('health fails (503) while the I/O thread pool is starved, and recovers', async () => {
    const threads = Number(process.env.UV_THREADPOOL_SIZE ?? 4);
    const dir = join(tmp.path, 'starve');
    mkdirSync(dir);
    const fifos = Array.from({ length: threads }, (_, i) => join(dir, `f${i}`));
    await mkfifo(...fifos);
    // A blocking open of a FIFO holds a thread-pool thread until a writer comes: the same thing
    // a page-store FIFO did to the worker before reads and the scan opened only regular files.
    const opens = fifos.map((f) => fs.promises.open(f, 'r'));
    try {
      const r = await get(`${rest}/v1/health`);
      assert.equal(r.status, 503, r.body.toString());
      const body = JSON.parse(r.body.toString()) as { status: string; code: string; message: string };
      assert.equal(body.status, 'unhealthy');
      assert.equal(body.code, 'ALX_ERR_WORKER_UNAVAILABLE');
      assert.match(body.message, /thread pool/);
      const web = await get(`http://127.0.0.1:${cluster!.ports[0]!.web}/health`);
      assert.equal(web.status, 503);
    } finally {
      // Writers release the blocked opens (a non-blocking open of the write end succeeds once a reader waits).
      for (const f of fifos) fs.closeSync(fs.openSync(f, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK));
      for (const h of await Promise.all(opens)) await h.close();
    }
    await waitFor('health back to 200', async () => (await get(`${rest}/v1/health`)).status === 200, 30_000);
  });

  test('health fails (503) when a page store dir cannot be written', async () => {
    const l = layout();
    await rm(l.tempRoot, { recursive: true, force: true });
    await writeFile(l.tempRoot, 'a file where the TEMP dir belongs');
    try {
      const r = await get(`${rest}/v1/health`);
      assert.equal(r.status, 503, r.body.toString());
      assert.match(JSON.parse(r.body.toString()).message, /I\/O probe failed/);
    } finally {
      await rm(l.tempRoot, { force: true });
    }
    await waitFor('health back to 200', async () => (await get(`${rest}/v1/health`)).status === 200, 30_000);
  });
});

describe('worker process with a FIFO sidecar in its page store', () => {
  let tmp: TempDir;
  before(async () => { tmp = await makeTempDir('alluxio-fifo-proc-'); });
  after(async () => tmp.cleanup());

  test('starts, finishes its restart scan and exits promptly on SIGTERM', async () => {
    const ufs = join(tmp.path, 'ufs');
    mkdirSync(ufs);
    const pagestore = join(tmp.path, 'pagestore');
    // A file dir with a page and a FIFO for its sidecar, as a restart finds it.
    const l = new PageLayout(pagestore, PAGE, 1000);
    const fileId = 'ab'.repeat(32);
    mkdirSync(l.fileDir(fileId), { recursive: true });
    writeFileSync(l.pagePath(fileId, 0), randomBytes(1000));
    await mkfifo(l.sidecarPath(fileId));
    const w = await startWorkerChild({ dir: tmp.path, ufs, pagestore });
    try {
      await waitFor('restart scan done', () => w.output().includes('restart scan done'), 30_000, 100);
      assert.match(w.output(), /special file/);
    } finally {
      const gone = await w.stop('SIGTERM', 30_000);
      assert.ok(gone, `the worker did not exit within 30 s of SIGTERM:\n${w.output().slice(-2000)}`);
    }
  });
});

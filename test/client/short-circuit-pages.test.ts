// Short-circuit page reads (issue 16): a client on the worker's host asks the worker over its
// domain socket where a file's page files are and reads the cached pages itself, each checked
// against the sidecar's version and the page's CRC; anything else goes through the worker. A real
// etcd and a real worker process; the client runs in this process (its metric is read here).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, readlinkSync, renameSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'undici';
import { createClient } from '../../src/client/from-conf.js';
import type { AlluxioClient } from '../../src/client/alluxio-client.js';
import { createLogger } from '../../src/common/logging.js';
import { metrics } from '../../src/common/metrics.js';
import { WORKER_REST } from '../../src/common/protocol/index.js';
import { scrapeMetric } from '../support/cli.js';
import { startEtcd, waitFor, type EtcdCluster } from '../support/etcd.js';
import { makeTempDir, type TempDir } from '../support/tmp.js';
import { readAll, startWorkerProcesses, writeEtcdConf, type EtcdClusterConf, type WorkerProcess } from '../cluster/harness.js';

const PS = 64 * 1024; // the harness's page size
const WORKER_SC_BYTES = 'alluxio_worker_bytes_read_short_circuit_total';
const CACHED_READ = 'alluxio_cached_data_read_bytes_total';
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** This process's client metric: bytes the client read from page files itself. */
async function clientDirectBytes(): Promise<number> {
  return (await metrics.clientShortCircuitBytes.get()).values[0]?.value ?? 0;
}

/** The parsed sidecar of the file whose UFS URI ends with `/name`, with its directory. */
function sidecarOf(dir: string, name: string): { version: string; checksums: Record<string, number>; fileDir: string } | undefined {
  const walk = (d: string): ReturnType<typeof sidecarOf> => {
    let entries;
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return undefined;
    }
    for (const e of entries) {
      const p = join(d, e.name);
      if (e.isDirectory()) {
        const found = walk(p);
        if (found) return found;
      } else if (e.name === '.meta') {
        try {
          const s = JSON.parse(readFileSync(p, 'utf8')) as { ufsUri: string; version: string; checksums: Record<string, number> };
          if (s.ufsUri.endsWith(`/${name}`)) return { ...s, fileDir: d };
        } catch { /* being replaced */ }
      }
    }
    return undefined;
  };
  return walk(dir);
}

/** Descriptors of this process open on files under the page store. */
function openPageFiles(): number {
  let n = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`).startsWith(pages)) n++;
    } catch { /* closed meanwhile */ }
  }
  return n;
}

let pages = '';

describe('short-circuit page reads of a co-located client', { timeout: 600_000 }, () => {
  let tmp: TempDir;
  let etcd: EtcdCluster;
  let cc: EtcdClusterConf;
  let worker: WorkerProcess;
  let ufs: string;
  const clients: AlluxioClient[] = [];

  async function client(overrides: Record<string, string> = {}): Promise<AlluxioClient> {
    const c = await createClient(cc.conf(overrides), { log: createLogger('test', 'silent') });
    clients.push(c);
    await waitFor('the client sees the worker', () => c.ring.liveWorkers.length === 1, 60_000);
    return c;
  }

  /** Writes `name` to the UFS, reads it once through the worker (it caches every page) and waits until the sidecar lists them all. */
  async function cached(name: string, data: Buffer): Promise<{ fileDir: string; version: string }> {
    writeFileSync(join(ufs, name), data);
    const c = await client({ 'alluxio.user.short.circuit.enabled': 'false' });
    assert.equal(sha(await readAll(c, `/${name}`)), sha(data));
    const want = Math.ceil(data.length / PS);
    let found: ReturnType<typeof sidecarOf>;
    await waitFor(`sidecar of ${name} lists ${want} pages`, () => {
      found = sidecarOf(pages, name);
      return found !== undefined && Object.keys(found.checksums).length === want;
    }, 60_000);
    return found!;
  }

  before(async () => {
    tmp = await makeTempDir('alluxio-sc-pages-');
    ufs = join(tmp.path, 'ufs');
    mkdirSync(ufs);
    pages = join(tmp.path, 'worker-0', 'pagestore');
    etcd = await startEtcd();
    cc = writeEtcdConf(tmp.path, etcd.endpoints, {
      'alluxio.master.mount.table.root.ufs': ufs,
      'alluxio.worker.data.server.domain.socket.address': join(tmp.path, 'sockets'),
      'alluxio.worker.data.server.domain.socket.as.uuid': 'true',
      'alluxio.user.metadata.cache.expiration.time': '1s',
    });
    [worker] = await startWorkerProcesses(cc, tmp.path, 1);
  });

  after(async () => {
    for (const c of clients) await c.close().catch(() => {});
    await worker?.kill();
    await etcd?.cleanup();
    await tmp?.cleanup();
  });

  test('a cached file is read from its page files, bytes right; the worker serves none of it and hears of the pages', async () => {
    const data = randomBytes(8 * PS + 1000);
    await cached('whole.bin', data);
    const c = await client();
    const direct0 = await clientDirectBytes();
    const served0 = await scrapeMetric(worker.metricsUrl, CACHED_READ);
    const reported0 = await scrapeMetric(worker.metricsUrl, WORKER_SC_BYTES);
    const r = await c.read('/whole.bin');
    assert.equal(r.length, data.length);
    const parts: Buffer[] = [];
    for await (const b of r.stream) parts.push(b as Buffer);
    assert.equal(sha(Buffer.concat(parts)), sha(data), 'bytes read through the page files');
    assert.equal((await clientDirectBytes()) - direct0, data.length, 'every byte came from the page files');
    assert.equal((await scrapeMetric(worker.metricsUrl, CACHED_READ)) - served0, 0, 'the worker sent none of the bytes');
    await waitFor('the worker counts the reported pages', async () => (await scrapeMetric(worker.metricsUrl, WORKER_SC_BYTES)) - reported0 === data.length, 30_000);
    // A range across page edges, ending inside the short last page.
    const off = PS - 7;
    const len = 7 * PS + 500;
    const part = await c.read('/whole.bin', off, len);
    const got: Buffer[] = [];
    for await (const b of part.stream) got.push(b as Buffer);
    assert.equal(Buffer.concat(got).toString('hex'), data.subarray(off, off + len).toString('hex'));
    // The checked page files the client kept open are closed with it.
    assert.ok(openPageFiles() > 0, 'sanity: the client keeps checked page files open');
    clients.splice(clients.indexOf(c), 1);
    await c.close();
    await waitFor('no page file open after close', () => openPageFiles() === 0, 15_000);
  });

  test('a page file corrupted on disk is not served: its bytes come through the worker, right', async () => {
    const data = randomBytes(6 * PS);
    const { fileDir } = await cached('corrupt.bin', data);
    const bad = Buffer.from(data.subarray(2 * PS, 3 * PS));
    bad[1234]! ^= 0xff; // same length, wrong bytes: only the CRC tells
    writeFileSync(join(fileDir, '2'), bad);
    const c = await client();
    const direct0 = await clientDirectBytes();
    assert.equal(sha(await readAll(c, '/corrupt.bin')), sha(data), 'the corrupt page was served');
    assert.equal((await clientDirectBytes()) - direct0, data.length - PS, 'every other page came from the page files');
  });

  test('a file overwritten in the UFS (a new version) is not served from the old version\'s pages', async () => {
    const v1 = randomBytes(4 * PS);
    const old = await cached('changed.bin', v1);
    const oldFiles = new Map(readdirSync(old.fileDir).map((n) => [n, readFileSync(join(old.fileDir, n))]));
    const v2 = randomBytes(v1.length); // same length: only the version tells
    writeFileSync(join(ufs, 'changed.bin'), v2);
    const later = new Date(Date.now() + 5000);
    utimesSync(join(ufs, 'changed.bin'), later, later);
    // The worker learns the new version once its metadata cache (1 s here) expires, and caches it.
    const warm = await client({ 'alluxio.user.short.circuit.enabled': 'false' });
    await waitFor('the worker serves the new version', async () => sha(await readAll(warm, '/changed.bin')) === sha(v2), 30_000);
    await waitFor('the sidecar names the new version with every page', () => {
      const s = sidecarOf(pages, 'changed.bin');
      return s !== undefined && s.version !== old.version && Object.keys(s.checksums).length === 4;
    }, 60_000);
    // The old version's page files and sidecar put back (new inodes, as the worker writes them):
    // every page passes its CRC against that sidecar, but the sidecar names the old version.
    for (const [name, bytes] of oldFiles) {
      writeFileSync(join(old.fileDir, `${name}.tmp`), bytes);
      renameSync(join(old.fileDir, `${name}.tmp`), join(old.fileDir, name));
    }
    const c = await client();
    const direct0 = await clientDirectBytes();
    assert.equal(sha(await readAll(c, '/changed.bin')), sha(v2), 'bytes of the old version were served');
    assert.equal(await clientDirectBytes(), direct0, 'a page of the old version was read directly');
  });

  test('short-circuit off: no page is read directly; the page routes are not on the TCP port', async () => {
    const data = randomBytes(3 * PS + 5);
    await cached('off.bin', data);
    const c = await client({ 'alluxio.user.short.circuit.enabled': 'false' });
    const direct0 = await clientDirectBytes();
    const reported0 = await scrapeMetric(worker.metricsUrl, WORKER_SC_BYTES);
    assert.equal(sha(await readAll(c, '/off.bin')), sha(data));
    assert.equal(await clientDirectBytes(), direct0, 'no byte read from page files');
    assert.equal(await scrapeMetric(worker.metricsUrl, WORKER_SC_BYTES), reported0);
    for (const [method, route] of [['GET', WORKER_REST.localPages], ['POST', WORKER_REST.localPagesRead]] as const) {
      const res = await request(`${worker.rest}${route}?path=/off.bin`, { method, ...(method === 'POST' ? { body: '{}' } : {}) });
      const text = await res.body.text();
      assert.equal(res.statusCode, 404, `${method} ${route} over TCP: ${text}`);
      assert.doesNotMatch(text, /pagestore/, 'a page path leaked on TCP');
    }
  });
});

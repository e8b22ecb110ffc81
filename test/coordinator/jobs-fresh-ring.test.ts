// The peer lookup after ring changes, on a load job ([peer-lookup], peer-cache-digest.ts). Workers
// of a fresh cluster join one after the other, so the second one's ring changes (one worker, then
// two) and it is the new owner of half of the keys: it must not ask the first worker for pages of
// files no worker ever cached. Then a third worker joins a warm cluster: a load of the same files
// takes the pages that moved from their previous owners, not from the UFS.
// Real etcd, worker processes started in turn, a coordinator process, a local UFS.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scrapeMetric } from '../support/cli.js';
import { freePort, startEtcd, waitFor, type EtcdCluster } from '../support/etcd.js';
import { makeTempDir, type TempDir } from '../support/tmp.js';
import { CoordinatorProcess, WorkerProcess, writeEtcdConf, type EtcdClusterConf } from '../cluster/harness.js';

const FILES = 40;
const FILE_BYTES = 96 * 1024;

interface JobJson { jobState: string; filesDone: number; filesFailed: number; failedFiles: Array<{ path: string; error: string }> }

describe('load jobs across ring changes: the peer lookup asks only previous owners that hold the file', { timeout: 900_000 }, () => {
  let tmp: TempDir;
  let etcd: EtcdCluster;
  let cc: EtcdClusterConf;
  let coord: CoordinatorProcess;
  const workers: WorkerProcess[] = [];

  const sum = async (name: string, labels: Record<string, string> = {}, ws = workers) => {
    let n = 0;
    for (const w of ws) n += await scrapeMetric(w.metricsUrl, name, labels);
    return n;
  };
  const workerCount = async (url: string) => ((await (await fetch(url)).json()) as unknown[]).length;

  async function load(path: string): Promise<void> {
    const sub = await fetch(`${coord.url}/api/v1/load`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ path }) });
    assert.equal(sub.status, 200, await sub.clone().text());
    const end = await waitFor(`load of ${path} to end`, async () => {
      const p = await (await fetch(`${coord.url}/api/v1/load?path=${encodeURIComponent(path)}&verbose=true`)).json() as JobJson;
      return p.jobState === 'RUNNING' ? undefined : p;
    }, 300_000, 200);
    assert.equal(end.jobState, 'SUCCEEDED', JSON.stringify(end.failedFiles));
    assert.equal(end.filesDone, FILES);
  }

  before(async () => {
    tmp = await makeTempDir('alluxio-jobs-fresh-ring-');
    const ufs = join(tmp.path, 'ufs');
    mkdirSync(join(ufs, 'fresh'), { recursive: true });
    for (let i = 0; i < FILES; i++) writeFileSync(join(ufs, 'fresh', `f${i}.bin`), randomBytes(FILE_BYTES));
    etcd = await startEtcd();
    const coordPort = await freePort();
    cc = writeEtcdConf(tmp.path, etcd.endpoints, { 'alluxio.coordinator.web.port': String(coordPort), 'alluxio.master.mount.table.root.ufs': ufs });
    // One after the other (a worker is healthy once it has joined): the second worker's ring
    // starts with the first alone, then changes when it joins itself.
    workers.push(await WorkerProcess.start(cc, tmp.path, 0));
    workers.push(await WorkerProcess.start(cc, tmp.path, 1));
    coord = await CoordinatorProcess.start(cc, coordPort);
  });

  after(async () => {
    await coord?.kill();
    await Promise.all(workers.map((w) => w.kill()));
    await etcd?.cleanup();
    await tmp?.cleanup();
  });

  test('a load on a fresh cluster asks no worker for pages of files nobody cached', async () => {
    await load('/fresh');
    assert.equal(await sum('alluxio_ufs_data_access_bytes_total'), FILES * FILE_BYTES, 'every file read once from the UFS');
    assert.equal(await sum('alluxio_rest_requests_total', { route: 'peer-pages' }), 0, 'page requests to a previous owner that had nothing cached');
    assert.equal(await sum('alluxio_peer_page_read_bytes_total'), 0);
  });

  test('after a worker joins the warm cluster, the keys it took over come from their previous owners, not the UFS', async () => {
    workers.push(await WorkerProcess.start(cc, tmp.path, 2));
    for (const w of workers) {
      await waitFor(`worker ${w.index}'s ring with 3 workers`, async () => await workerCount(`${w.rest}/v1/node?path=/fresh/f0.bin&count=3`) === 3, 60_000, 100);
    }
    const joined = workers[2]!;
    await load('/fresh');
    const moved = await scrapeMetric(joined.metricsUrl, 'alluxio_peer_page_read_bytes_total');
    assert.ok(moved > 0 && moved % FILE_BYTES === 0, `the new worker took ${moved} bytes of whole files from previous owners`);
    assert.equal(await scrapeMetric(joined.metricsUrl, 'alluxio_ufs_data_access_bytes_total'), 0, 'the new worker read the UFS for files its peers had');
    assert.ok(await sum('alluxio_rest_requests_total', { route: 'peer-digest' }, workers.slice(0, 2)) > 0, 'the new worker asked its peers for their digests');
  });
});

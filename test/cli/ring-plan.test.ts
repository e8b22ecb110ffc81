// Ring changes that keep the cache, end to end with real worker processes and a real etcd:
// `alluxio ring plan --add 1` on a warm cluster predicts the share of cached bytes that moves, and
// after the worker joins, re-reading the whole dataset takes almost nothing from the UFS: the new
// owner asks the previous owner first. Each worker is its own process, so /metrics are per worker.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createClient } from '../../src/client/from-conf.js';
import type { AlluxioClient } from '../../src/client/alluxio-client.js';
import { createLogger } from '../../src/common/logging.js';
import { runCli, scrapeMetric } from '../support/cli.js';
import { startEtcd, waitFor, type EtcdCluster } from '../support/etcd.js';
import { makeTempDir, type TempDir } from '../support/tmp.js';
import { readAll, startWorkerProcesses, writeEtcdConf, WorkerProcess, type EtcdClusterConf } from '../cluster/harness.js';

const PAGE = 64 * 1024;

describe('ring plan and scale-out on a warm cluster', () => {
  let tmp: TempDir;
  let etcd: EtcdCluster;
  let cc: EtcdClusterConf;
  let client: AlluxioClient;
  const workers: WorkerProcess[] = [];
  const files = new Map<string, Buffer>();
  let total = 0;

  async function sumMetric(name: string): Promise<number> {
    let n = 0;
    for (const w of workers) n += await scrapeMetric(w.metricsUrl, name);
    return n;
  }

  before(async () => {
    tmp = await makeTempDir('alluxio-ringplan-');
    etcd = await startEtcd();
    const ufs = join(tmp.path, 'ufs');
    mkdirSync(ufs);
    for (let i = 0; i < 80; i++) {
      const size = PAGE / 2 + Math.floor(Math.random() * 4 * PAGE);
      const data = randomBytes(size);
      writeFileSync(join(ufs, `f${i}.bin`), data);
      files.set(`/f${i}.bin`, data);
      total += size;
    }
    cc = writeEtcdConf(tmp.path, etcd.endpoints, { 'alluxio.master.mount.table.root.ufs': ufs, 'alluxio.worker.page.store.read.ahead.pages': '0' });
    workers.push(...await startWorkerProcesses(cc, tmp.path, 3));
    client = await createClient(cc.conf(), { log: createLogger('test-client', 'silent') });
    await waitFor('client sees 3 workers', () => client.ring.liveWorkers.length === 3, 10_000);
  });

  after(async () => {
    await client?.close().catch(() => {});
    await Promise.all(workers.map((w) => w.kill('SIGTERM')));
    await etcd?.cleanup();
    await tmp?.cleanup();
  });

  test('the plan predicts the moved share, and the new owners read from the previous owners, not the UFS', async () => {
    // Warm: every file read once lands on its owner.
    for (const [path, data] of files) assert.ok((await readAll(client, path)).equals(data), path);
    await waitFor('all pages stored', async () => (await sumMetric('alluxio_cached_storage_bytes')) >= total, 10_000);
    const ufsWarm = await sumMetric('alluxio_ufs_data_access_bytes_total');
    assert.ok(ufsWarm >= total, `warm-up read ${ufsWarm} of ${total} bytes from the UFS`);

    const r = await runCli(['ring', 'plan', '--add', '1', '--json'], cc.env);
    assert.equal(r.code, 0, r.stderr);
    const plan = JSON.parse(r.stdout) as { share: number; cachedBytes: number; cachedFiles: number; workersAfter: number; newWorkers: Array<{ uuid: string; workerId: string }>; idealShare: number };
    assert.equal(plan.cachedFiles, files.size);
    assert.equal(plan.cachedBytes, total);
    assert.equal(plan.workersAfter, 4);
    assert.equal(plan.newWorkers.length, 1);
    assert.ok(plan.share > 0.05 && plan.share < 0.6, `predicted share ${plan.share}`);
    const human = await runCli(['ring', 'plan', '--add', '1', '--worker-uuid', plan.newWorkers[0]!.uuid], cc.env);
    assert.match(human.stdout, new RegExp(`Would move:\\s+${(plan.share * 100).toFixed(1)}% of the cached bytes`));
    assert.match(human.stdout, new RegExp(`alluxio.worker.identity.uuid=${plan.newWorkers[0]!.uuid}`));

    // Removing a worker moves exactly what it holds (every file is cached on its owner only).
    const w0 = (await (await fetch(`${workers[0]!.rest}/v1/health`)).json() as { worker: { identifier: string } }).worker.identifier;
    const rm = await runCli(['ring', 'plan', '--remove', w0.replace(/^(.{8})(.{4})(.{4})(.{4})/, '$1-$2-$3-$4-'), '--json'], cc.env);
    assert.equal(rm.code, 0, rm.stderr);
    const rmPlan = JSON.parse(rm.stdout) as { share: number; workersAfter: number };
    assert.equal(rmPlan.workersAfter, 2);
    const held = await scrapeMetric(workers[0]!.metricsUrl, 'alluxio_cached_storage_bytes');
    assert.ok(Math.abs(rmPlan.share - held / total) < 1e-9, `remove plan ${rmPlan.share}, worker holds ${held / total}`);

    // Scale out with the planned identity.
    workers.push(await WorkerProcess.start(cc, tmp.path, 3, { 'alluxio.worker.identity.uuid': plan.newWorkers[0]!.uuid }));
    await waitFor('client sees 4 workers', () => client.ring.liveWorkers.length === 4, 10_000);

    const ufsBefore = await sumMetric('alluxio_ufs_data_access_bytes_total');
    const missedBefore = await sumMetric('alluxio_missed_data_read_bytes_total');
    const cachedBefore = await sumMetric('alluxio_cached_data_read_bytes_total');
    const peerBefore = await sumMetric('alluxio_peer_page_read_bytes_total');
    for (const [path, data] of files) assert.ok((await readAll(client, path)).equals(data), `${path} differs after scale-out`);
    const ufsRead = (await sumMetric('alluxio_ufs_data_access_bytes_total')) - ufsBefore;
    const missed = (await sumMetric('alluxio_missed_data_read_bytes_total')) - missedBefore;
    const cached = (await sumMetric('alluxio_cached_data_read_bytes_total')) - cachedBefore;
    // Pages taken from a previous owner are neither hits nor misses (docs/metrics.md): whole files are read, so they count whole.
    const fromPeers = (await sumMetric('alluxio_peer_page_read_bytes_total')) - peerBefore;
    assert.equal(missed + cached + fromPeers, total, 'every byte was served by a worker');
    assert.ok(ufsRead < 0.05 * total, `re-reading after scale-out read ${ufsRead} of ${total} bytes (${(100 * ufsRead / total).toFixed(1)}%) from the UFS`);
    const peerBytes = await scrapeMetric(workers[3]!.metricsUrl, 'alluxio_peer_page_read_bytes_total');
    assert.ok(peerBytes > 0, 'the new worker took pages from previous owners');
    // What moved = what the new ring served without having it cached (its misses and its pages from peers).
    const actualShare = (missed + fromPeers) / total;
    if (process.env.ALLUXIO_TEST_VERBOSE) console.log({ predicted: plan.share, actualShare, ufsRead, peerBytes, total });
    assert.ok(Math.abs(actualShare - plan.share) <= 0.02, `predicted ${(plan.share * 100).toFixed(1)}%, moved ${(actualShare * 100).toFixed(1)}%`);
  });

  test('ring plan names its input errors', async () => {
    let r = await runCli(['ring', 'plan'], cc.env);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /--add N, --remove WORKER, --policy P or --virtual-nodes K/);
    r = await runCli(['ring', 'plan', '--remove', 'worker-00000000-0000-0000-0000-000000000000', '--policy', 'MAGLEV', '--json'], cc.env);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /no live worker by that id or address/);
    r = await runCli(['ring', 'plan', '--policy', 'NOPE'], cc.env);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /CONSISTENT\|JUMP/);
  });
});

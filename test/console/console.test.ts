// The web console in a real browser (Debian chromium via playwright-core) against a real cluster:
// etcd, three `alluxio process start worker` processes and the coordinator. The pages load with no
// console errors; the numbers they show are the ones /metrics and `alluxio info report` give; a
// worker killed with -9 shows DOWN at the next refreshes; secrets never reach the page.
// Screenshots land in test-artifacts/console/.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { createClient } from '../../src/client/from-conf.js';
import type { AlluxioClient } from '../../src/client/alluxio-client.js';
import { createLogger } from '../../src/common/logging.js';
import { workerName } from '../../src/hashring/worker-info.js';
import { runCli, scrapeMetric } from '../support/cli.js';
import { startEtcd, waitFor, type EtcdCluster } from '../support/etcd.js';
import { makeTempDir, type TempDir } from '../support/tmp.js';
import { CoordinatorProcess, readAll, startWorkerProcesses, writeEtcdConf, type EtcdClusterConf, type WorkerProcess } from '../cluster/harness.js';
import { launchBrowser, openPage, screenshot, type WatchedPage } from './browser.js';

const SECRET = 'console-test-secret-7f3a9c';
const WAIT = 30_000;

/** The data-value of a cell of worker `id`'s row in the overview table. */
async function cellValue(page: Page, id: string, field: string): Promise<string | null> {
  const el = page.locator(`tr[data-worker="${id}"] td[data-field="${field}"]`);
  return (await el.count()) === 0 ? null : el.getAttribute('data-value');
}

describe('web console in a browser', { timeout: 600_000 }, () => {
  let tmp: TempDir;
  let etcd: EtcdCluster;
  let cc: EtcdClusterConf;
  let workers: WorkerProcess[] = [];
  let coordinator: CoordinatorProcess;
  let client: AlluxioClient;
  let browser: Browser;
  const files: string[] = [];
  const pages: WatchedPage[] = [];

  before(async () => {
    tmp = await makeTempDir('alluxio-console-');
    etcd = await startEtcd();
    const ufs = join(tmp.path, 'ufs');
    mkdirSync(ufs);
    for (let i = 0; i < 12; i++) {
      writeFileSync(join(ufs, `f${i}.bin`), randomBytes(200_000 + i * 50_000));
      files.push(`/f${i}.bin`);
    }
    cc = writeEtcdConf(tmp.path, etcd.endpoints, { 'alluxio.master.mount.table.root.ufs': ufs, 's3a.secretKey': SECRET });
    workers = await startWorkerProcesses(cc, tmp.path, 3);
    coordinator = await CoordinatorProcess.start(cc);
    client = await createClient(cc.conf(), { log: createLogger('test-client', 'silent') });
    await waitFor('client sees 3 workers', () => client.ring.liveWorkers.length === 3, 60_000);
    browser = await launchBrowser();
  });

  after(async () => {
    for (const p of pages) assert.deepEqual(p.errors, [], `errors in ${p.page.url()}`);
    await browser?.close().catch(() => {});
    await client?.close().catch(() => {});
    await coordinator?.kill();
    await Promise.all(workers.map((w) => w.kill()));
    await etcd?.cleanup();
    await tmp?.cleanup();
  });

  async function open(url: string): Promise<Page> {
    const p = await openPage(browser, url);
    pages.push(p);
    return p.page;
  }

  test('JSON stays JSON: GET / without Accept: text/html answers the info as before', async () => {
    const res = await fetch(`${coordinator.url}/`);
    assert.match(res.headers.get('content-type') ?? '', /application\/json/);
    assert.equal(((await res.json()) as { component: string }).component, 'coordinator');
    const html = await fetch(`${coordinator.url}/`, { headers: { accept: 'text/html' } });
    assert.match(html.headers.get('content-type') ?? '', /text\/html/);
    const w = await fetch(`http://127.0.0.1:${workers[0]!.ports.web}/`);
    assert.equal(((await w.json()) as { component: string }).component, 'worker');
  });

  test('overview under a read load: 3 workers UP, charts drawn, numbers equal /metrics and info report', async () => {
    const page = await open(`${coordinator.url}/`);
    await page.locator('tr[data-worker]').nth(2).waitFor({ timeout: WAIT });
    // A small read load: every file twice (misses, then hits), while the page refreshes.
    for (let round = 0; round < 2; round++) for (const f of files) await readAll(client, f);
    await page.locator('.uplot').nth(2).waitFor({ timeout: WAIT });
    // The charts draw the sampler's series (a reading every 5 s): the load shows as a rate above 0.
    await waitFor('a read rate above 0 in the series the charts draw', async () => {
      const series = (await (await fetch(`${coordinator.url}/api/v1/console/series`)).json()) as { rates: Record<string, (number | null)[]> };
      return (series.rates.cachedRead ?? []).some((r) => r !== null && r > 0);
    }, WAIT, 250);
    await screenshot(page, 'overview-3-workers');

    const ids = await page.locator('tr[data-worker]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-worker')!));
    assert.equal(ids.length, 3);
    // `info report summary --json`: the cluster's figures with a row per worker (summary.cluster).
    const report = (JSON.parse((await runCli(['info', 'report', 'summary', '--json'], cc.env)).stdout) as { cluster: {
      usedBytes: number; hitRate: number; workers: Array<{ workerId: string; address: string; usedBytes: number; capacityBytes: number; hitRate: number }>;
    } }).cluster;
    assert.deepEqual([...ids].sort(), report.workers.map((w) => w.workerId).sort());
    for (const w of report.workers) {
      const proc = workers.find((p) => w.address.endsWith(`:${p.ports.http}`))!;
      const cached = await scrapeMetric(proc.metricsUrl, 'alluxio_cached_data_read_bytes_total');
      const ufsRead = await scrapeMetric(proc.metricsUrl, 'alluxio_ufs_data_access_bytes_total');
      // The page refreshes every 2 s: wait for a refresh after the load, then compare exactly.
      await waitFor(`${w.workerId} row shows cached read ${cached}`, async () => Number(await cellValue(page, w.workerId, 'cachedReadBytes')) === cached, WAIT, 250);
      assert.equal(Number(await cellValue(page, w.workerId, 'ufsReadBytes')), ufsRead);
      assert.equal(Number(await cellValue(page, w.workerId, 'usedBytes')), w.usedBytes);
      assert.equal(Number(await cellValue(page, w.workerId, 'capacityBytes')), w.capacityBytes);
      // A worker that served no read this run (ownership is random) has no hit rate: null in the
      // report, an empty data-value (shown as '-') on the page.
      const hit = await cellValue(page, w.workerId, 'hitRate');
      assert.equal(hit === '' || hit === null ? null : Number(hit), w.hitRate);
      assert.equal(await cellValue(page, w.workerId, 'state'), 'UP');
    }
    assert.ok(report.usedBytes > 0 && report.hitRate > 0, 'the load cached pages and hit them');
    assert.equal(Number(await page.locator('[data-card="usedBytes"]').getAttribute('data-value')), report.usedBytes);
    assert.equal(Number(await page.locator('[data-card="hitRate"]').getAttribute('data-value')), report.hitRate);
    assert.equal(await page.locator('[data-card="upWorkers"]').getAttribute('data-value'), '3');
    const mounts = (await (await fetch(`${coordinator.url}/api/v1/mount`)).json()) as Array<{ path: string; ufs: string }>;
    assert.equal(await page.locator('tr[data-mount="/"] td[data-field="ufs"]').textContent(), mounts.find((m) => m.path === '/')?.ufs);
    await page.close();
  });

  test('hash ring: each worker\'s share, what removing it or adding one would move (as ring plan says)', async () => {
    const page = await open(`${coordinator.url}/#ring`);
    await page.locator('tr[data-worker]').nth(2).waitFor({ timeout: WAIT });
    const shares = await page.locator('td[data-field="keyShare"]').evaluateAll((tds) => tds.map((td) => Number(td.getAttribute('data-value'))));
    assert.equal(shares.length, 3);
    assert.ok(Math.abs(shares.reduce((a, b) => a + b, 0) - 1) < 1e-9, `shares sum to 1: ${shares}`);
    const cachedShares = await page.locator('td[data-field="cachedShare"]').evaluateAll((tds) => tds.map((td) => Number(td.getAttribute('data-value'))));
    assert.ok(Math.abs(cachedShares.reduce((a, b) => a + b, 0) - 1) < 1e-9, `cached shares sum to 1: ${cachedShares}`);
    // Removing a worker moves exactly its own cached share, which `ring plan --remove` reports too.
    const first = (await page.locator('tr[data-worker]').first().getAttribute('data-worker'))!;
    const shown = Number(await cellValue(page, first, 'removeMoves'));
    const plan = JSON.parse((await runCli(['ring', 'plan', '--remove', first, '--json'], cc.env)).stdout) as { share: number };
    assert.ok(Math.abs(shown - plan.share) < 1e-9, `console ${shown} vs ring plan ${plan.share}`);
    assert.ok(Number(await page.locator('[data-field="addOne"]').getAttribute('data-value')) > 0);
    await screenshot(page, 'ring');
    await page.close();
  });

  test('jobs: a load job appears with its state and progress', async () => {
    const submit = await runCli(['--conf', `alluxio.coordinator.web.port=${coordinator.web}`, 'job', 'load', '--path', '/', '--submit'], cc.env);
    assert.equal(submit.code, 0, submit.stderr);
    const page = await open(`${coordinator.url}/#jobs`);
    await waitFor('the load job SUCCEEDED on the page', async () => (await page.locator('tr[data-job] td[data-field="state"]').first().getAttribute('data-value').catch(() => null)) === 'SUCCEEDED', 60_000, 250);
    assert.equal(await page.locator('tr[data-job] td[data-field="progress"]').first().getAttribute('data-value'), '1');
    await screenshot(page, 'jobs');
    await page.close();
  });

  test('configuration: provenance shown, the secret as *** and nowhere in the page', async () => {
    const page = await open(`${coordinator.url}/#conf`);
    const row = page.locator('tr[data-key="s3a.secretKey"]');
    await row.waitFor({ timeout: WAIT });
    assert.equal(await row.locator('td[data-field="value"]').textContent(), '***');
    assert.equal(await row.locator('td[data-field="source"]').getAttribute('data-value'), 'site-properties');
    assert.equal(await page.locator('tr[data-key="alluxio.coordinator.web.port"] td[data-field="source"]').getAttribute('data-value'), 'cli');
    assert.ok(!(await page.content()).includes(SECRET));
    const raw = await (await fetch(`${coordinator.url}/api/v1/console/conf`)).text();
    assert.ok(!raw.includes(SECRET));
    await page.close();
  });

  test('a worker\'s own console: its figures equal its /metrics', async () => {
    const w = workers[0]!;
    const page = await open(`http://127.0.0.1:${w.ports.web}/`);
    const cached = await scrapeMetric(w.metricsUrl, 'alluxio_cached_data_read_bytes_total');
    await waitFor('worker card shows its cached read', async () => Number(await page.locator('[data-card="cachedReadBytes"]').getAttribute('data-value').catch(() => null)) === cached, WAIT, 250);
    assert.equal(Number(await page.locator('[data-card="usedBytes"]').getAttribute('data-value')), await scrapeMetric(w.metricsUrl, 'alluxio_cached_storage_bytes'));
    await page.locator('.uplot').first().waitFor({ timeout: WAIT });
    await screenshot(page, 'worker');
    await page.goto(`http://127.0.0.1:${w.ports.web}/#warnings`);
    await page.getByText(/warning\(s\) and error\(s\) since this process started/).waitFor({ timeout: WAIT });
    await page.close();
  });

  test('a worker killed with -9 shows DOWN at the next refreshes; the others stay UP', async () => {
    const page = await open(`${coordinator.url}/`);
    await page.locator('tr[data-worker]').nth(2).waitFor({ timeout: WAIT });
    const victim = workers[2]!;
    const h = (await (await fetch(`${victim.rest}/v1/health`)).json()) as { worker: { version: number; identifier: string } };
    const id = workerName(h.worker);
    assert.equal(await cellValue(page, id, 'state'), 'UP');
    await victim.kill('SIGKILL');
    await waitFor(`${id} shows DOWN`, async () => (await cellValue(page, id, 'state')) === 'DOWN', WAIT, 100);
    await screenshot(page, 'worker-down');
    const states = await page.locator('td[data-field="state"]').evaluateAll((tds) => tds.map((td) => td.getAttribute('data-value')));
    assert.equal(states.filter((s) => s === 'UP').length, 2);
    await waitFor('the cards count it down', async () => (await page.locator('[data-card="downWorkers"]').getAttribute('data-value')) === '1', WAIT, 100);
    await page.close();
  });
});

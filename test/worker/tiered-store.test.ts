// Alluxio 2.x tiered-store properties on a worker: a MEM level over an SSD level. Pages land in
// the SSD level, are copied to MEM after repeated reads, and are then served from MEM; bytes
// stay correct throughout, and a changed file drops its pages from both levels.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfiguration } from '../../src/conf/index.js';
import { scrapeMetric } from '../support/cli.js';
import { pageStoreFromConf } from '../../src/worker/page-store-from-conf.js';
import { TieredPageStore } from '../../src/pagestore/tiered-page-store.js';
import { makeTempDir, type TempDir } from '../support/tmp.js';
import { startTestCluster, type TestCluster } from '../support/workers.js';

const PAGE = 64 * 1024;

describe('2.x tiered store (MEM over SSD) on a worker', () => {
  let tmp: TempDir;
  let cluster: TestCluster;
  let ufs: string;
  let ssd: string;
  const data = randomBytes(8 * PAGE + 123);

  before(async () => {
    tmp = await makeTempDir('alluxio-tiered-');
    ufs = join(tmp.path, 'ufs');
    ssd = join(tmp.path, 'ssd');
    mkdirSync(ufs);
    writeFileSync(join(ufs, 'hot.bin'), data);
    cluster = await startTestCluster({
      dir: tmp.path, rootUfs: ufs, pageSize: '64KB',
      properties: {
        'alluxio.worker.tieredstore.levels': '2',
        'alluxio.worker.tieredstore.level0.alias': 'MEM',
        'alluxio.worker.tieredstore.level0.dirs.path': '/dev/shm',
        'alluxio.worker.tieredstore.level0.dirs.quota': '2MB',
        'alluxio.worker.tieredstore.level1.alias': 'SSD',
        'alluxio.worker.tieredstore.level1.dirs.path': ssd,
        'alluxio.worker.tieredstore.level1.dirs.mediumtype': 'SSD',
        'alluxio.worker.tieredstore.level1.dirs.quota': '16MB',
        'alluxio.worker.tieredstore.level1.watermark.high.ratio': '0.9',
        'alluxio.worker.tieredstore.level1.watermark.low.ratio': '0.7',
      },
    });
  });

  after(async () => {
    await cluster?.stop();
    await tmp?.cleanup();
  });

  const metricsUrl = () => `http://127.0.0.1:${cluster.ports[0]!.web}/metrics`;
  const memHits = () => scrapeMetric(metricsUrl(), 'alluxio_cached_tier_page_hits_total', { tier: 'MEM' });
  const read = async () => Buffer.from(await (await fetch(`http://127.0.0.1:${cluster.ports[0]!.http}/v1/read?path=/hot.bin`)).arrayBuffer());

  test('the worker runs a tiered store with the levels and quotas of the 2.x properties', () => {
    const store = cluster.workers[0]!.store;
    assert.ok(store instanceof TieredPageStore);
    const levels = (store as TieredPageStore).tierStats();
    assert.deepEqual(levels.map((l) => l.alias), ['MEM', 'SSD']);
    assert.equal(levels[0]!.capacityBytes, 2 * 1024 * 1024);
    assert.equal(levels[1]!.capacityBytes, Math.floor(16 * 1024 * 1024 * 0.9));
  });

  test('pages land in SSD, are promoted to MEM after repeated reads, then MEM serves them; bytes correct', async () => {
    const store = cluster.workers[0]!.store as TieredPageStore;
    const memHits0 = await memHits();
    assert.ok((await read()).equals(data)); // miss: from the UFS into SSD
    assert.equal(store.tierStats()[0]!.pages, 0, 'nothing in MEM after one read');
    // Pages are stored behind the read (asynchronous page writes): wait for them.
    for (let i = 0; i < 150 && store.tierStats()[1]!.pages < 9; i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(store.tierStats()[1]!.pages, 9, 'every page stored in the SSD level');
    assert.ok(readdirSync(ssd).length > 0, 'page files under the SSD directory');
    for (let i = 0; i < 3; i++) assert.ok((await read()).equals(data));
    // Promotion is asynchronous: wait until MEM holds the pages, then a read is served from MEM.
    for (let i = 0; i < 100 && store.tierStats()[0]!.pages < 9; i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(store.tierStats()[0]!.pages, 9, 'every page copied to MEM');
    assert.ok((await scrapeMetric(metricsUrl(), 'alluxio_cached_tier_promotions_total', { tier: 'MEM' })) >= 9);
    const before = await memHits();
    assert.ok((await read()).equals(data));
    assert.ok((await memHits()) - before >= 9, 'the last read came from MEM');
    assert.ok(before >= memHits0);
  });

  test('a file changed in the UFS is never served from either level', async () => {
    const next = randomBytes(3 * PAGE);
    writeFileSync(join(ufs, 'hot.bin'), next);
    // The worker's metadata cache may serve the old version for its TTL; wait for the new bytes.
    let got = await read();
    for (let i = 0; i < 200 && !got.equals(next); i++) {
      assert.ok(got.equals(data) || got.equals(next), 'old or new bytes, never a mix');
      await new Promise((r) => setTimeout(r, 100));
      got = await read();
    }
    assert.ok(got.equals(next));
  });

  test('bad tiered-store properties are refused with the key named', () => {
    const conf = (props: Record<string, string>) => loadConfiguration({ env: {}, overrides: { 'alluxio.worker.tieredstore.levels': '1', ...props } });
    assert.throws(() => pageStoreFromConf(conf({ 'alluxio.worker.tieredstore.level0.alias': 'TAPE', 'alluxio.worker.tieredstore.level0.dirs.quota': '1MB' })), /level0\.alias 'TAPE': expected MEM, SSD or HDD/);
    assert.throws(() => pageStoreFromConf(conf({ 'alluxio.worker.tieredstore.level0.alias': 'SSD', 'alluxio.worker.tieredstore.level0.dirs.path': '/tmp/x' })), /needs alluxio\.worker\.tieredstore\.level0\.dirs\.quota/);
    assert.throws(() => pageStoreFromConf(conf({ 'alluxio.worker.tieredstore.level0.alias': 'SSD', 'alluxio.worker.tieredstore.level0.dirs.path': '/tmp/x', 'alluxio.worker.tieredstore.level0.dirs.quota': '1MB', 'alluxio.worker.tieredstore.level0.watermark.high.ratio': '1.5' })), /high\.ratio '1\.5'/);
  });
});

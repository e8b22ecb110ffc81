// Makes docs/images/console-overview.png: a 3-worker cluster (etcd, worker processes, the
// coordinator) under a small paced read load for a few minutes, then the console's overview in
// Debian chromium. Not a test; run it by hand when the page changes:
//   node --import tsx test/console/screenshot-overview.ts [seconds of load, default 150]
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient } from '../../src/client/from-conf.js';
import { createLogger } from '../../src/common/logging.js';
import { sleep, startEtcd, waitFor } from '../support/etcd.js';
import { makeTempDir } from '../support/tmp.js';
import { CoordinatorProcess, readAll, startWorkerProcesses, writeEtcdConf } from '../cluster/harness.js';
import { launchBrowser } from './browser.js';

const OUT = fileURLToPath(new URL('../../docs/images/console-overview.png', import.meta.url));
const seconds = Number(process.argv[2] ?? 150);

const tmp = await makeTempDir('alluxio-console-shot-');
const etcd = await startEtcd();
const ufs = join(tmp.path, 'ufs');
mkdirSync(join(ufs, 'datasets'), { recursive: true });
const files: string[] = [];
for (let i = 0; i < 60; i++) {
  writeFileSync(join(ufs, 'datasets', `part-${String(i).padStart(4, '0')}.parquet`), randomBytes(256 * 1024 + i * 8192));
  files.push(`/datasets/part-${String(i).padStart(4, '0')}.parquet`);
}
const cc = writeEtcdConf(tmp.path, etcd.endpoints, { 'alluxio.master.mount.table.root.ufs': ufs, 'alluxio.cluster.name': 'alluxio-demo' });
const workers = await startWorkerProcesses(cc, tmp.path, 3);
const coordinator = await CoordinatorProcess.start(cc);
const client = await createClient(cc.conf(), { log: createLogger('shot', 'silent') });
const browser = await launchBrowser();
try {
  await waitFor('3 workers', () => client.ring.liveWorkers.length === 3, 60_000);
  const page = await browser.newPage({ viewport: { width: 1400, height: 760 } });
  await page.goto(`${coordinator.url}/`); // opening the console starts its sampler
  // A small read load that warms up: a growing working set, read at a few files a second.
  const end = Date.now() + seconds * 1000;
  let n = 0;
  while (Date.now() < end) {
    const hot = Math.min(files.length, 6 + Math.floor(n / 8));
    await readAll(client, files[Math.floor(Math.random() * hot)]!);
    n++;
    await sleep(120);
  }
  await sleep(2500);
  await page.screenshot({ path: OUT });
  console.log(`wrote ${OUT} after ${n} reads`);
} finally {
  await browser.close();
  await client.close();
  await coordinator.kill();
  await Promise.all(workers.map((w) => w.kill()));
  await etcd.cleanup();
  await tmp.cleanup();
}

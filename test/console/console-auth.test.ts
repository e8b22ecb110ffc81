// The web console with authentication on (alluxio.worker.s3.auth.enabled + a credentials file):
// the page asks for the REST API's bearer token before it shows anything, its views refuse calls
// without it (reads included), a wrong token is refused, and the right one shows the cluster. On
// the coordinator and on a worker's web port. Debian chromium via playwright-core.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startEtcd, type EtcdCluster } from '../support/etcd.js';
import { makeTempDir, type TempDir } from '../support/tmp.js';
import { CoordinatorProcess, startWorkerProcesses, writeEtcdConf, type WorkerProcess } from '../cluster/harness.js';
import { launchBrowser, openPage, screenshot, type WatchedPage } from './browser.js';

const TOKEN = 'console-auth-token-5d1e8b';
const WAIT = 30_000;

describe('web console with authentication on', { timeout: 300_000 }, () => {
  let tmp: TempDir;
  let etcd: EtcdCluster;
  let workers: WorkerProcess[] = [];
  let coordinator: CoordinatorProcess;
  let browser: Browser;
  const pages: WatchedPage[] = [];

  before(async () => {
    tmp = await makeTempDir('alluxio-console-auth-');
    etcd = await startEtcd();
    const ufs = join(tmp.path, 'ufs');
    mkdirSync(ufs);
    writeFileSync(join(ufs, 'a.txt'), 'hello\n');
    const cred = join(tmp.path, 'credentials');
    writeFileSync(cred, `token console ${TOKEN}\nconsoleuser:console-user-secret\n`, { mode: 0o600 });
    const cc = writeEtcdConf(tmp.path, etcd.endpoints, {
      'alluxio.master.mount.table.root.ufs': ufs,
      'alluxio.worker.s3.auth.enabled': 'true',
      'alluxio.worker.s3.auth.credentials.file': cred,
    });
    workers = await startWorkerProcesses(cc, tmp.path, 1);
    coordinator = await CoordinatorProcess.start(cc);
    browser = await launchBrowser();
  });

  after(async () => {
    for (const p of pages) assert.deepEqual(p.errors, [], `errors in ${p.page.url()}`);
    await browser?.close().catch(() => {});
    await coordinator?.kill();
    await Promise.all(workers.map((w) => w.kill()));
    await etcd?.cleanup();
    await tmp?.cleanup();
  });

  async function signIn(page: Page, token: string): Promise<void> {
    await page.locator('#login').waitFor({ state: 'visible', timeout: WAIT });
    await page.fill('#token', token);
    await page.click('#login button[type=submit]');
  }

  for (const where of ['coordinator', 'worker'] as const) {
    test(`${where}: views refuse calls without credentials; the page asks, refuses a wrong token, works with the right one`, async () => {
      const base = where === 'coordinator' ? coordinator.url : `http://127.0.0.1:${workers[0]!.ports.web}`;
      for (const view of ['overview', 'conf', 'warnings', 'series']) {
        const res = await fetch(`${base}/api/v1/console/${view}`);
        assert.equal(res.status, 401, `${view} without credentials`);
        assert.equal(((await res.json()) as { code: string }).code, 'ALX_ERR_UNAUTHENTICATED');
        const ok = await fetch(`${base}/api/v1/console/${view}`, { headers: { authorization: `Bearer ${TOKEN}` } });
        assert.equal(ok.status, 200, `${view} with the token`);
      }
      const w = await openPage(browser, `${base}/`);
      pages.push(w);
      const page = w.page;
      await page.locator('#login').waitFor({ state: 'visible', timeout: WAIT });
      assert.equal(await page.locator('[data-card]').count(), 0, 'nothing shown before signing in');
      await screenshot(page, `auth-${where}-login`);

      await signIn(page, 'not-the-token');
      await page.locator('#login-message').getByText(/not one of the tokens/).waitFor({ timeout: WAIT });
      assert.equal(await page.locator('[data-card]').count(), 0);

      await signIn(page, TOKEN);
      await page.locator('[data-card="usedBytes"]').waitFor({ timeout: WAIT });
      assert.equal(await page.locator('#login').isVisible(), false);
      if (where === 'coordinator') await page.locator('tr[data-worker] td[data-field="state"][data-value="UP"]').waitFor({ timeout: WAIT });
      // The configuration view redacts the credentials file's secrets: they are not properties, and the token never shows.
      await page.goto(`${base}/#conf`);
      await page.locator('tr[data-key="alluxio.worker.s3.auth.credentials.file"]').waitFor({ timeout: WAIT });
      const html = await page.content();
      assert.ok(!html.includes(TOKEN) && !html.includes('console-user-secret'));
      await screenshot(page, `auth-${where}-conf`);
      await page.close();
    });
  }
});

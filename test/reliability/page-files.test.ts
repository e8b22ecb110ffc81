// Bad files in a worker's page store: a cached page with flipped bytes, a truncated page, a page and
// a sidecar replaced by FIFOs (mkfifo), while the worker runs and across a kill -9 and restart.
// Reads must return the right bytes (a bad page is dropped and re-read from the UFS) and answer
// within a generous bound instead of hanging; the worker keeps serving its other files meanwhile;
// the restart and its scan of the page store complete.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, openSync, readdirSync, statSync, truncateSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { scrapeMetric } from '../support/cli.js';
import { waitFor } from '../support/etcd.js';
import type { WorkerProcess } from '../cluster/harness.js';
import { PAGE, readAll, startReliabilityCluster, type ReliabilityCluster } from './harness.js';

/** A read that has not answered in this long is hung (a FIFO open blocks until a writer comes). */
const HUNG_MS = 30_000;

describe('reliability: corrupt, truncated and special files in the page store', () => {
  let c: ReliabilityCluster;
  let owner: WorkerProcess;
  /** Three files with the same owner: a (8 pages), b, and other (never tampered with). */
  let a: string;
  let b: string;
  let other: string;
  let ok = 0;
  let failed = 0;
  let wrong = 0;

  before(async () => {
    const files: Record<string, number> = {};
    for (let i = 0; i < 12; i++) files[`p${i}.bin`] = 8 * PAGE + 1000 + i;
    c = await startReliabilityCluster({ files, props: { 'alluxio.worker.failure.detection.timeout': '3s' } });
    const byOwner = new Map<WorkerProcess, string[]>();
    for (const p of c.files.keys()) {
      const o = c.owners(p, 1)[0]!;
      byOwner.set(o, [...(byOwner.get(o) ?? []), p]);
    }
    const [o, paths] = [...byOwner.entries()].sort((x, y) => y[1].length - x[1].length)[0]!;
    assert.ok(paths.length >= 3, 'one worker owns three of the files');
    owner = o;
    [a, b, other] = paths as [string, string, string];
    for (const p of [a, b, other]) assert.ok((await readAll(c.client, p)).equals(c.files.get(p)!));
    await waitFor('every page of a, b and other cached on the owner', async () => {
      for (const p of [a, b, other]) {
        const s = await (await fetch(`${owner.rest}/v1/cache/file?path=${encodeURIComponent(p)}`)).json() as { cachedPages: number };
        if (s.cachedPages < 9) return false;
      }
      return true;
    });
    // Sidecars are written a moment after the pages (batched).
    await waitFor('the sidecars of a, b and other written', () => [a, b, other].every((p) => { try { return statSync(join(c.pageDir(owner, p)!, '.meta')).isFile(); } catch { return false; } }));
  });
  after(async () => {
    console.log(`[reliability] page-files: reads ok=${ok} failed=${failed} wrong=${wrong}`);
    await c?.stop();
  });

  /** A client read checked against the UFS bytes, bounded by HUNG_MS; counted. */
  async function check(path: string, label: string): Promise<void> {
    const t0 = Date.now();
    let timer: NodeJS.Timeout | undefined;
    try {
      const got = await Promise.race([
        readAll(c.client, path),
        new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`no answer in ${HUNG_MS / 1000}s: the read hangs`)), HUNG_MS); }),
      ]);
      const good = got.equals(c.files.get(path)!);
      if (good) ok++; else wrong++;
      console.log(`[reliability] ${label}: ${path} ${good ? 'right bytes' : 'WRONG BYTES'} in ${Date.now() - t0} ms`);
      assert.ok(good, `${label}: ${path} returned wrong bytes`);
    } catch (err) {
      if (!(err instanceof assert.AssertionError)) {
        failed++;
        console.log(`[reliability] ${label}: ${path} failed after ${Date.now() - t0} ms: ${(err as Error).message}`);
      }
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  const page = (path: string, i: number | string) => join(c.pageDir(owner, path)!, String(i));

  function mkfifoOver(file: string): void {
    unlinkSync(file);
    execFileSync('mkfifo', [file]);
    assert.ok(statSync(file).isFIFO());
  }

  test('a page with flipped bytes and a truncated page: right bytes, the bad pages dropped and re-read', async () => {
    const corruptBefore = await scrapeMetric(owner.metricsUrl, 'alluxio_cached_corrupt_pages_total');
    // In place (same inode), as disk corruption would be: an open descriptor sees it too.
    const fd = openSync(page(a, 1), 'r+');
    writeSync(fd, Buffer.from([0xde, 0xad, 0xbe, 0xef]), 0, 4, 100);
    closeSync(fd);
    truncateSync(page(a, 2), 1000);
    await check(a, 'flipped page 1, truncated page 2');
    const corrupt = await scrapeMetric(owner.metricsUrl, 'alluxio_cached_corrupt_pages_total') - corruptBefore;
    console.log(`[reliability] corrupt pages counted by the owner: ${corrupt}`);
    assert.ok(corrupt >= 1, 'the flipped page was not counted as corrupt');
    await check(a, 'second read after the repair');
  });

  test('a page and a sidecar replaced by FIFOs on a running worker: reads answer right; the worker serves other files', async () => {
    mkfifoOver(page(a, 3));
    mkfifoOver(join(c.pageDir(owner, b)!, '.meta'));
    await Promise.all([
      check(a, 'page 3 is a FIFO'),
      check(b, 'the sidecar is a FIFO'),
      check(other, 'another file of the same worker, meanwhile'),
    ]);
    await check(other, 'another file of the same worker, after');
  });

  test('kill -9 and restart with FIFOs in the page store: the restart and its scan complete, reads answer right', async () => {
    await owner.kill('SIGKILL');
    // While it is down: one more FIFO page, and a FIFO where a whole file dir belongs.
    const aDir = c.pageDir(owner, a)!;
    const victimPage = readdirSync(aDir).find((n) => /^\d+$/.test(n) && statSync(join(aDir, n)).isFile());
    if (victimPage) mkfifoOver(join(aDir, victimPage));
    const bMeta = join(c.pageDir(owner, b)!, '.meta');
    if (!statSync(bMeta).isFIFO()) mkfifoOver(bMeta); // the running worker may have rewritten it
    const bucketDir = join(aDir, '..');
    execFileSync('mkfifo', [join(bucketDir, 'f'.repeat(64))]);
    owner.logLevel = 'info';
    const t0 = Date.now();
    await owner.start();
    await waitFor('the restart scan of the page store ends', () => owner.logs().includes('restart scan done'), 60_000, 100)
      .catch((err) => { throw new Error(`${(err as Error).message}; worker log tail: ${owner.logs().slice(-1500)}`); });
    console.log(`[reliability] restart with FIFOs in the page store: healthy and scanned in ${Date.now() - t0} ms`);
    await c.waitAllLive(3);
    await Promise.all([check(a, 'after restart, FIFO pages'), check(b, 'after restart, FIFO sidecar'), check(other, 'after restart, untouched file')]);
  });
});

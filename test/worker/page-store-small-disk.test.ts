// A page store dir on a 20 MiB file system configured as 200 MiB: the usable capacity is capped
// at what the disk holds (in /v1/cache and the capacity metric), eviction keeps the cache under
// it, reads stay correct, and the worker logs a handful of warnings rather than one per page.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { scrapeMetric } from '../support/cli.js';
import { makeTempDir, type TempDir } from '../support/tmp.js';
import { startWorkerChild, type WorkerChild } from '../support/worker-child.js';

const run = promisify(execFile);
const MiB = 1024 * 1024;
const DISK = 20 * MiB;

describe('page store on a disk smaller than configured', () => {
  let tmp: TempDir;
  let mnt: string;
  let mounted = false;
  let mountError = '';
  let w: WorkerChild | undefined;

  before(async () => {
    tmp = await makeTempDir('alluxio-smalldisk-');
    mnt = join(tmp.path, 'disk');
    mkdirSync(mnt);
    try {
      await run('mount', ['-t', 'tmpfs', '-o', `size=${DISK}`, 'tmpfs', mnt]);
      mounted = true;
    } catch (err) {
      mountError = (err as Error).message.split('\n')[0]!;
    }
  });
  after(async () => {
    await w?.stop('SIGKILL');
    if (mounted) await run('umount', [mnt]).catch(() => run('umount', ['-l', mnt]));
    await tmp.cleanup();
  });

  test('capacity is capped at the disk, eviction keeps under it, reads are right, warnings are few', async (t) => {
    if (!mounted) {
      t.skip(`cannot mount a 20 MiB tmpfs here (needs root or CAP_SYS_ADMIN): ${mountError}`);
      return;
    }
    const ufs = join(tmp.path, 'ufs');
    mkdirSync(ufs);
    const files = new Map<string, Buffer>();
    for (let i = 0; i < 24; i++) {
      const data = randomBytes(2 * MiB + 1000 * i);
      files.set(`f${i}.bin`, data);
      writeFileSync(join(ufs, `f${i}.bin`), data);
    }
    w = await startWorkerChild({
      dir: tmp.path, ufs, pagestore: join(mnt, 'cache'),
      properties: { 'alluxio.worker.page.store.sizes': '200MB', 'alluxio.worker.page.store.page.size': '256KB' },
    });
    const cache = async (): Promise<{ usedBytes: number; capacityBytes: number }> =>
      (await (await fetch(`${w!.rest}/v1/cache`)).json()) as { usedBytes: number; capacityBytes: number };

    const before0 = await cache();
    assert.ok(before0.capacityBytes <= DISK, `capacity ${before0.capacityBytes} is capped at the ${DISK}-byte disk`);
    assert.ok(before0.capacityBytes >= DISK / 2, `capacity ${before0.capacityBytes} still uses most of the disk`);
    assert.ok(await scrapeMetric(`${w.web}/metrics`, 'alluxio_cached_capacity_bytes') <= DISK);

    // 24 files of about 2 MiB each, twice: about 100 MiB through a 20 MiB cache.
    for (let round = 0; round < 2; round++) {
      for (const [name, data] of files) {
        const r: Response = await fetch(`${w.rest}/v1/read?path=/${name}`);
        assert.equal(r.status, 200, name);
        assert.ok(Buffer.from(await r.arrayBuffer()).equals(data), `${name} read back right (round ${round})`);
        const c = await cache();
        assert.ok(c.usedBytes <= c.capacityBytes, `used ${c.usedBytes} within capacity ${c.capacityBytes}`);
      }
    }
    const end = await cache();
    assert.ok(end.capacityBytes <= DISK && end.usedBytes <= DISK);
    assert.ok(end.usedBytes > 0, 'the cache is used');
    assert.ok(await scrapeMetric(`${w.web}/metrics`, 'alluxio_cached_capacity_bytes') <= DISK);

    const warnings = w.output().split('\n').filter((l) => /"level":(40|50)/.test(l));
    const capped = warnings.filter((l) => l.includes('file system holds only'));
    assert.equal(capped.length, 1, `one warning about the cap:\n${capped.join('\n')}`);
    assert.match(capped[0]!, /"configuredBytes":209715200/);
    assert.ok(warnings.length <= 10, `${warnings.length} warning lines, expected a handful:\n${warnings.slice(0, 20).join('\n')}`);
  });
});

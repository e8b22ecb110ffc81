// A small real file system (an 8 MiB tmpfs) that something else fills behind the store's back:
// the store notices (ENOSPC makes it look at the disk again), shrinks its usable size to what is
// left, keeps serving, and says "disk full" once, not once per page.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { LogThrottle } from '../../src/common/log-throttle.js';
import { makeTempDir, type TempDir } from '../support/tmp.js';
import { openLocal, pageData, testFile } from './helpers.js';

const run = promisify(execFile);
const MiB = 1024 * 1024;
const PS = 64 * 1024;

describe('LocalPageStore on a disk filled by someone else', () => {
  let tmp: TempDir;
  let mnt: string;
  let mountError: string | undefined;

  before(async () => {
    tmp = await makeTempDir('pagestore-diskfull-');
    mnt = join(tmp.path, 'disk');
    mkdirSync(mnt);
    await run('mount', ['-t', 'tmpfs', '-o', `size=${8 * MiB}`, 'tmpfs', mnt]).catch((err: Error) => { mountError = err.message.split('\n')[0]; });
  });
  after(async () => {
    if (mountError === undefined) await run('umount', [mnt]).catch(() => run('umount', ['-l', mnt]));
    await tmp.cleanup();
  });

  it('shrinks to the space left, keeps serving, and logs "disk full" once', async (t) => {
    if (mountError !== undefined) {
      t.skip(`cannot mount an 8 MiB tmpfs here (needs root or CAP_SYS_ADMIN): ${mountError}`);
      return;
    }
    const lines: string[] = [];
    const logger = pino({ level: 'warn' }, new Writable({ write(chunk, _enc, cb) { lines.push(String(chunk)); cb(); } }));
    const store = await openLocal({ dirs: [join(mnt, 'cache')], sizes: [64 * MiB], pageSize: PS, logger });
    try {
      await store.scanComplete;
      assert.ok(store.stats().capacityBytes <= 8 * MiB, `capacity ${store.stats().capacityBytes} capped at the disk`);
      // Someone else takes 6 MiB of the 8.
      await writeFile(join(mnt, 'ballast'), Buffer.alloc(6 * MiB, 1));
      const f = testFile('filler');
      const datas: Buffer[] = [];
      let failed = 0;
      for (let i = 0; i < 100; i++) {
        datas.push(pageData(PS));
        await store.put(f.fileId, i, datas[i]!, f).catch(() => { failed++; });
      }
      const st = store.stats();
      assert.ok(st.capacityBytes <= 2 * MiB, `capacity ${st.capacityBytes} follows the disk down to what is left`);
      assert.ok(st.usedBytes <= st.capacityBytes, `used ${st.usedBytes} within capacity ${st.capacityBytes}`);
      assert.ok(failed <= 5, `${failed} of 100 puts failed`);
      const cached = store.fileInfo(f.fileId)?.pages ?? [];
      assert.ok(cached.length > 0);
      for (const i of cached) assert.deepEqual(await store.get(f.fileId, i, 'v1'), datas[i]);
      const diskFull = lines.filter((l) => l.includes('disk full'));
      assert.ok(diskFull.length <= 1, `${diskFull.length} "disk full" lines:\n${diskFull.slice(0, 5).join('')}`);
    } finally {
      await store.close();
    }
  });
});

describe('LogThrottle', () => {
  it('lets one through per interval and counts the rest', () => {
    const t = new LogThrottle(1000);
    assert.equal(t.take(0), 0);
    assert.equal(t.take(10), undefined);
    assert.equal(t.take(999), undefined);
    assert.equal(t.take(1000), 2);
    assert.equal(t.take(1500), undefined);
    assert.equal(t.take(5000), 1);
  });
});

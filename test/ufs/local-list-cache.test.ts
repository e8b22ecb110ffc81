import assert from 'node:assert/strict';
import * as fsp from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { listLocalDirectory, type LocalListRequest } from '../../src/ufs/local-list.js';
import { makeTempDir, type TempDir } from '../support/tmp.js';

const N = 2500;
const PAGE = 1000;

function req(token?: string): LocalListRequest {
  return { recursive: false, tokenSegs: token?.split('/'), limit: PAGE, skipPrefix: '.alluxio_', linkAllowed: async () => true };
}

function nameOf(i: number): string {
  return `f${String(i).padStart(5, '0')}`;
}

/** Every page's names, in order. */
async function listAll(dir: string): Promise<string[]> {
  const names: string[] = [];
  let token: string | undefined;
  do {
    const page = await listLocalDirectory(dir, req(token));
    for (const e of page.entries) names.push(e.abs.slice(dir.length + 1));
    token = page.nextToken;
  } while (token !== undefined);
  return names;
}

/**
 * The sorted listing of a large directory is read once per paged listing and reused while the
 * directory's mtime is unchanged (it used to be read and sorted again for every page).
 */
describe('local listing: one directory read per paged listing', () => {
  let tmp: TempDir;
  let n = 0;
  const bigDir = async (): Promise<string> => {
    const dir = join(tmp.path, `big${n++}`);
    await fsp.mkdir(dir);
    for (let i = 0; i < N; i += 250) {
      await Promise.all(Array.from({ length: Math.min(250, N - i) }, (_, k) => fsp.writeFile(join(dir, nameOf(i + k)), '')));
    }
    return dir;
  };
  /** Sets the directory's mtime back to `t`, so a change behind the lister's back keeps the mtime. */
  const setMtime = (dir: string, t: Date): Promise<void> => fsp.utimes(dir, t, t);
  before(async () => { tmp = await makeTempDir('local-list-'); });
  after(async () => { await tmp.cleanup(); });

  it('lists every entry once, in order, across pages', async () => {
    const dir = await bigDir();
    await setMtime(dir, new Date(Date.now() - 60_000));
    const names = await listAll(dir);
    assert.equal(names.length, N);
    assert.deepEqual(names, Array.from({ length: N }, (_, i) => nameOf(i)));
  });

  it('later pages reuse the listing read for the first page while the directory mtime is unchanged', async () => {
    const dir = await bigDir();
    const old = new Date(Date.now() - 60_000);
    await setMtime(dir, old);
    const first = await listLocalDirectory(dir, req());
    assert.equal(first.entries.length, PAGE);
    // A name that sorts into the next page appears behind the lister's back, the mtime restored:
    // a lister that reads the directory again for each page would show it.
    await fsp.writeFile(join(dir, 'f01500x'), '');
    await setMtime(dir, old);
    const second = await listLocalDirectory(dir, req(first.nextToken));
    assert.equal(second.entries.some((e) => e.abs.endsWith('/f01500x')), false, 'the cached listing was used');
  });

  it('a change to the directory (its mtime moves) is seen by the next page', async () => {
    const dir = await bigDir();
    await setMtime(dir, new Date(Date.now() - 60_000));
    const first = await listLocalDirectory(dir, req());
    await fsp.writeFile(join(dir, 'f01500x'), '');
    await fsp.rm(join(dir, nameOf(1700)));
    const second = await listLocalDirectory(dir, req(first.nextToken));
    const names = second.entries.map((e) => e.abs.slice(dir.length + 1));
    assert.ok(names.includes('f01500x'), 'the new file is listed');
    assert.ok(!names.includes(nameOf(1700)), 'the removed file is not');
  });

  it('a directory modified within the last second is not cached (a change in the same clock tick would not move its mtime)', async () => {
    const dir = await bigDir();
    const recent = new Date();
    await setMtime(dir, recent);
    const first = await listLocalDirectory(dir, req());
    await fsp.writeFile(join(dir, 'f01500x'), '');
    await setMtime(dir, recent);
    const second = await listLocalDirectory(dir, req(first.nextToken));
    assert.ok(second.entries.some((e) => e.abs.endsWith('/f01500x')), 'read again, so the new file is listed');
  });
});

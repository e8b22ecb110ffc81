import assert from 'node:assert/strict';
import * as fsp from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { NoSpaceError } from '../../src/common/errors.js';
import type { PageStoreFs } from '../../src/pagestore/page-store-fs.js';
import { makeTempDir, type TempDir } from '../support/tmp.js';
import { errnoError, listFiles, listPageFiles, openLocal, pageData, testFile } from './helpers.js';

const PS = 4096;

/** node:fs/promises whose writeFile fails with `code` for temp pages of `fileId` while `failures()` says so. */
function failingFs(fileId: string, code: string, failures: () => boolean): PageStoreFs {
  return {
    ...fsp,
    writeFile: (async (path: string, data: never) => {
      if (String(path).includes(`/TEMP/${fileId}/`) && !String(path).endsWith('.meta') && failures()) {
        throw errnoError(code, 'open', String(path));
      }
      return fsp.writeFile(path, data);
    }) as typeof fsp.writeFile,
  };
}

describe('LocalPageStore when the disk is full', () => {
  let tmp: TempDir;
  before(async () => { tmp = await makeTempDir('pagestore-nospace-'); });
  after(async () => { await tmp.cleanup(); });

  for (const code of ['ENOSPC', 'EDQUOT']) {
    it(`${code} on every try: evicts, retries once, fails that put only`, async () => {
      const dir = `${tmp.path}/${code}`;
      const doomed = testFile('doomed');
      let attempts = 0;
      const store = await openLocal({
        dirs: [dir], sizes: [16 * PS], pageSize: PS,
        fsOps: failingFs(doomed.fileId, code, () => { attempts++; return true; }),
      });
      const keep = testFile('keep');
      const datas: Buffer[] = [];
      for (let i = 0; i < 8; i++) {
        datas.push(pageData(PS));
        await store.put(keep.fileId, i, datas[i]!, keep);
      }
      await assert.rejects(store.put(doomed.fileId, 0, pageData(PS), doomed), (err: unknown) => {
        assert.ok(err instanceof NoSpaceError);
        assert.equal(err.code, 'ALX_ERR_NO_SPACE');
        assert.match(err.message, /full on disk/);
        return true;
      });
      assert.equal(attempts, 2, 'one write and one retry');
      const st = store.stats();
      assert.ok(st.evictedBytes >= 2 * PS, `evicted ${st.evictedBytes}`);
      assert.equal(st.pages, 8 - st.evictedBytes / PS);
      assert.ok(!store.has(doomed.fileId, 0));
      // the store still serves and accepts pages; no temp file is left behind
      const remaining = store.fileInfo(keep.fileId)!.pages;
      assert.ok(remaining.length > 0);
      for (const i of remaining) assert.deepEqual(await store.get(keep.fileId, i, 'v1'), datas[i]);
      const other = testFile('other');
      await store.put(other.fileId, 0, pageData(PS), other);
      assert.ok(store.has(other.fileId, 0));
      assert.deepEqual((await listFiles(dir)).filter((p) => p.includes('/TEMP/')), []);
      assert.equal((await listPageFiles(dir)).length, store.stats().pages);
      await store.close();
    });
  }

  it('ENOSPC once: evicts and the retry succeeds', async () => {
    const dir = `${tmp.path}/once`;
    const f = testFile('retried');
    let failed = false;
    const store = await openLocal({
      dirs: [dir], sizes: [16 * PS], pageSize: PS,
      fsOps: failingFs(f.fileId, 'ENOSPC', () => (failed ? false : (failed = true))),
    });
    const other = testFile('victims');
    for (let i = 0; i < 4; i++) await store.put(other.fileId, i, pageData(PS), other);
    const data = pageData(PS);
    await store.put(f.fileId, 0, data, f);
    assert.ok(failed);
    assert.deepEqual(await store.get(f.fileId, 0, 'v1'), data);
    assert.ok(store.stats().evictedBytes >= 2 * PS);
    await store.close();
  });

  it('other write errors fail the put without evicting', async () => {
    const dir = `${tmp.path}/eio`;
    const f = testFile('eio');
    const store = await openLocal({ dirs: [dir], sizes: [16 * PS], pageSize: PS, fsOps: failingFs(f.fileId, 'EIO', () => true) });
    const other = testFile('fine');
    await store.put(other.fileId, 0, pageData(PS), other);
    await assert.rejects(store.put(f.fileId, 0, pageData(PS), f), { code: 'EIO' });
    assert.equal(store.stats().evictedBytes, 0);
    assert.ok(store.has(other.fileId, 0));
    await store.close();
  });
});

// The file-system calls of a page write (src/pagestore/local-page-io.ts): the first page of a new
// file creates its TEMP and page dirs up front, so no call fails on the way (a failed write and a
// failed rename, each followed by a mkdir, were two extra calls in series per small file on the
// thread pool that every page write shares). The real file system, with each call recorded.
import assert from 'node:assert/strict';
import * as fsp from 'node:fs/promises';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { PageStoreFs } from '../../src/pagestore/page-store-fs.js';
import { openLocal, pageData, testFile } from './helpers.js';

function recordingFs(calls: string[]): PageStoreFs {
  const wrap = <K extends keyof PageStoreFs>(name: K): PageStoreFs[K] => (async (...args: unknown[]) => {
    try {
      const r = await (fsp[name] as (...a: unknown[]) => Promise<unknown>)(...args);
      calls.push(`${name} ok`);
      return r;
    } catch (err) {
      calls.push(`${name} ${(err as NodeJS.ErrnoException).code}`);
      throw err;
    }
  }) as unknown as PageStoreFs[K];
  return { readFile: wrap('readFile'), writeFile: wrap('writeFile'), rename: wrap('rename'), unlink: wrap('unlink'), rm: wrap('rm'), rmdir: wrap('rmdir'),
    mkdir: wrap('mkdir'), readdir: wrap('readdir'), stat: wrap('stat'), lstat: wrap('lstat'), statfs: wrap('statfs') };
}

describe('page write file-system calls', () => {
  it('the first page of a new file: two mkdirs at once, one write, one rename, none failing; a later page: write and rename only', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'alluxio-page-calls-'));
    const calls: string[] = [];
    const store = await openLocal({ dirs: [dir], pageSize: 4096, fsOps: recordingFs(calls), sidecarFlushMs: 60_000 });
    try {
      await store.scanComplete;
      const f = testFile('calls/a.bin');
      const p0 = pageData(4096);
      calls.length = 0;
      await store.put(f.fileId, 0, p0, f);
      assert.deepEqual(calls, ['mkdir ok', 'mkdir ok', 'writeFile ok', 'rename ok']);
      calls.length = 0;
      const p1 = pageData(1000);
      await store.put(f.fileId, 1, p1, f);
      assert.deepEqual(calls, ['writeFile ok', 'rename ok']);
      assert.ok((await store.get(f.fileId, 0, f.version))!.equals(p0));
      assert.ok((await store.get(f.fileId, 1, f.version))!.subarray(0, 1000).equals(p1));
      // The pages are where Alluxio's layout puts them.
      const l = store.dirs[0]!.layout;
      assert.ok((await readFile(l.pagePath(f.fileId, 0))).equals(p0));
    } finally {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

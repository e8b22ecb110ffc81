import { randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createLogger } from '../../src/common/logging.js';
import { fileIdOf } from '../../src/pagestore/page-layout.js';
import { LocalPageStore, type LocalPageStoreOptions } from '../../src/pagestore/local-page-store.js';

export const quietLog = createLogger('pagestore-test', 'silent');

export interface TestFile {
  ufsUri: string;
  fileId: string;
  version: string;
}

export function testFile(name: string, version = 'v1'): TestFile {
  const ufsUri = `s3://test-bucket/${name}`;
  return { ufsUri, fileId: fileIdOf(ufsUri), version };
}

export function pageData(size: number): Buffer {
  return randomBytes(size);
}

export async function openLocal(opts: Partial<LocalPageStoreOptions> & { dirs: string[] }): Promise<LocalPageStore> {
  const store = new LocalPageStore({
    sizes: [1 << 20],
    pageSize: 4096,
    logger: quietLog,
    ...opts,
  });
  await store.open();
  return store;
}

/** Every regular file under dir (relative paths), for checking what is on disk. */
export async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(join(dir, rel), { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = rel === '' ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) await walk(p);
      else out.push(p);
    }
  };
  await walk('');
  return out.sort();
}

/** Page files (not sidecars) under a store dir. */
export async function listPageFiles(dir: string): Promise<string[]> {
  return (await listFiles(dir)).filter((p) => !p.endsWith('/.meta') && !p.includes('/TEMP/'));
}

export function errnoError(code: string, syscall: string, path: string): NodeJS.ErrnoException {
  const e = new Error(`${code}: simulated, ${syscall} '${path}'`) as NodeJS.ErrnoException;
  e.code = code;
  e.syscall = syscall;
  e.path = path;
  return e;
}

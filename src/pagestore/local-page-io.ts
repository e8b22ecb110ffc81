import type { FileId } from './page-store.js';
import type { PageLayout } from './page-layout.js';
import type { PageStoreFs } from './page-store-fs.js';

/**
 * Writes a page as Alluxio does: into TEMP/<fileId>/<pageIndex>, then an atomic rename to its
 * place, so a reader (or a restart) never sees half a page. Missing parent dirs are created on
 * demand, which costs nothing when they exist.
 */
export async function writePageFile(fs: PageStoreFs, layout: PageLayout, fileId: FileId, pageIndex: number, data: Buffer): Promise<void> {
  const tmp = layout.tempPagePath(fileId, pageIndex);
  try {
    await retryMissingDir(fs, layout.tempFileDir(fileId), () => fs.writeFile(tmp, data));
    await retryMissingDir(fs, layout.fileDir(fileId), () => fs.rename(tmp, layout.pagePath(fileId, pageIndex)));
  } catch (err) {
    await fs.unlink(tmp).catch(() => undefined);
    throw err;
  }
}

/** Runs `op`; on ENOENT creates `parent` and retries (a concurrent cleanup may remove it again). */
async function retryMissingDir(fs: PageStoreFs, parent: string, op: () => Promise<void>): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await op();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || attempt >= 3) throw err;
      await fs.mkdir(parent, { recursive: true });
    }
  }
}

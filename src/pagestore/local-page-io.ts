import fs from 'node:fs';
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

/**
 * Reads up to `size` bytes of a page (into `into` when given): open, one read (more only if the kernel returns less), close.
 * Callback fs rather than FileHandle: this is the cached-read hot path, and the promise API costs a
 * FileHandle object and an awaited close per page. The close is not waited for.
 */
export function readPageFile(path: string, size: number, into?: Buffer): Promise<{ buf: Buffer; bytesRead: number }> {
  return new Promise((resolve, reject) => {
    fs.open(path, 'r', (openErr, fd) => {
      if (openErr) return reject(openErr);
      const buf = into ?? Buffer.allocUnsafe(size);
      let n = 0;
      const done = (err: Error | null) => {
        fs.close(fd, () => {});
        if (err) reject(err);
        else resolve({ buf, bytesRead: n });
      };
      const next = () => fs.read(fd, buf, n, size - n, n, (err, bytesRead) => {
        if (err) return done(err);
        n += bytesRead;
        if (bytesRead === 0 || n === size) done(null);
        else next();
      });
      next();
    });
  });
}

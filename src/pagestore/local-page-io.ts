import type { FileId } from './page-store.js';
import type { PageLayout } from './page-layout.js';
import { READ_FLAGS, WRITE_FLAGS, type PageStoreFs } from './page-store-fs.js';

/**
 * Writes a page as Alluxio does: into TEMP/<fileId>/<pageIndex>, then an atomic rename to its
 * place, so a reader (or a restart) never sees half a page. Missing parent dirs are created on
 * demand, which costs nothing when they exist. For the first page of a file (`newFile`) both dirs
 * are created up front, at once: waiting for a write and a rename to fail first cost a small file
 * two extra file-system calls in series, on the thread pool every page write shares (a preload
 * of many small files queued on it).
 */
export async function writePageFile(fs: PageStoreFs, layout: PageLayout, fileId: FileId, pageIndex: number, data: Buffer, newFile = false): Promise<void> {
  const tmp = layout.tempPagePath(fileId, pageIndex);
  if (newFile) await Promise.all([fs.mkdir(layout.tempFileDir(fileId), { recursive: true }), fs.mkdir(layout.fileDir(fileId), { recursive: true })]);
  try {
    await retryMissingDir(fs, layout.tempFileDir(fileId), () => fs.writeFile(tmp, data, { flag: WRITE_FLAGS }));
    await retryMissingDir(fs, layout.fileDir(fileId), () => fs.rename(tmp, layout.pagePath(fileId, pageIndex)));
  } catch (err) {
    await fs.unlink(tmp).catch(() => undefined);
    throw err;
  }
}

const PROBE_BYTES = Buffer.from('alluxio page store probe\n');

/**
 * The health probe of one dir: writes a small file in TEMP, reads it back and removes it, through
 * the same thread pool the page I/O uses. ENOSPC passes: a full disk is handled by eviction.
 */
export async function probeDir(fs: PageStoreFs, layout: PageLayout): Promise<void> {
  const path = `${layout.tempRoot}/.probe-${process.pid}`;
  try {
    await retryMissingDir(fs, layout.tempRoot, () => fs.writeFile(path, PROBE_BYTES, { flag: WRITE_FLAGS }));
    const back = await fs.readFile(path, { flag: READ_FLAGS });
    if (!back.equals(PROBE_BYTES)) throw new Error(`read back ${back.length} bytes that differ from the ${PROBE_BYTES.length} written`);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOSPC' || code === 'EDQUOT') return;
    throw new Error(`page store dir ${layout.dir}: I/O probe failed: ${code ?? (err as Error).message}`);
  } finally {
    await fs.unlink(path).catch(() => undefined);
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

import { basename, join } from 'node:path';
import { mkdir, readdir, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import type { Logger } from '../common/logging.js';
import { LOCAL_TMP_PREFIX } from '../ufs/local-ufs.js';
import type { TempFileRecorder } from '../ufs/under-file-system.js';

/**
 * The worker's record of the UFS temp files (`.alluxio-tmp-*`) its writes have in flight: one
 * small file per temp file in a directory of the worker's own (0700), holding the temp file's
 * path. A write removes its temp file itself when it fails; only a killed worker leaves one, and
 * its next start removes what the record lists, without scanning the UFS (which may be huge).
 */
export class TempFileJournal implements TempFileRecorder {
  private ready: Promise<unknown> | null = null;

  constructor(private readonly dir: string) {}

  async add(path: string): Promise<void> {
    this.ready ??= mkdir(this.dir, { recursive: true, mode: 0o700 });
    await this.ready;
    await writeFile(this.recordOf(path), path, { mode: 0o600 });
  }

  async remove(path: string): Promise<void> {
    await unlink(this.recordOf(path)).catch(() => undefined);
  }

  /**
   * Removes the temp files a previous run left (call at start, before any write) and their
   * records; returns how many were listed. Only `.alluxio-tmp-*` names are ever deleted.
   */
  async replay(log: Logger): Promise<number> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch {
      return 0;
    }
    for (const name of names) {
      const record = join(this.dir, name);
      const path = await readFile(record, 'utf8').catch(() => '');
      if (path.startsWith('/') && basename(path).startsWith(LOCAL_TMP_PREFIX)) {
        await rm(path, { force: true }).catch((err: Error) => log.warn({ err: err.message }, 'could not remove a leftover UFS temp file'));
      }
      await rm(record, { force: true });
    }
    if (names.length > 0) log.info({ count: names.length }, 'removed UFS temp files left by a previous run');
    return names.length;
  }

  private recordOf(path: string): string {
    return join(this.dir, basename(path).slice(LOCAL_TMP_PREFIX.length) || 'unnamed');
  }
}

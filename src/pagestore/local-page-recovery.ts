import type { Dirent } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../common/logging.js';
import type { PageDir, RecoveredPage } from './local-page-entries.js';
import { SIDECAR_NAME, TEMP_DIR, bucketOf, isFileId, parsePageIndex } from './page-layout.js';
import { parseSidecar, type SidecarContent } from './page-sidecar.js';
import { fileKind, READ_FLAGS, type PageStoreFs } from './page-store-fs.js';
import type { FileId } from './page-store.js';

/** What the restart scan needs from the store it fills. */
export interface RecoveryHost {
  readonly dirs: readonly PageDir[];
  readonly fs: PageStoreFs;
  readonly pageSize: number;
  readonly buckets: number;
  readonly log: Logger;
  isClosed(): boolean;
  hasFile(fileId: FileId): boolean;
  /** Indexes a file found on disk; `sidecarStale` when the sidecar lists pages that were not found. */
  adoptFile(dir: PageDir, fileId: FileId, sidecar: SidecarContent, pages: RecoveredPage[], sidecarStale: boolean): void;
  /** Called once when the scan ends (orders recovered pages, enforces capacity). */
  finishScan(): void;
}

const FILES_IN_PARALLEL = 4;

/**
 * Restart recovery. A background scan walks every dir, deletes what does not belong (malformed
 * names, oversized pages, pages without a checksum, files without a sidecar) and indexes the
 * rest. The store serves meanwhile: a file touched before the scan reaches it is recovered on
 * demand first, so a put never overwrites a sidecar whose pages are not indexed yet.
 */
export class PageRecovery {
  private running = false;
  private readonly recovered = new Set<FileId>();
  private readonly recovering = new Map<FileId, Promise<void>>();
  private junk = 0;

  constructor(private readonly host: RecoveryHost) {}

  get scanning(): boolean {
    return this.running;
  }

  /** Starts the scan; the promise resolves when it ends (never rejects). */
  start(): Promise<void> {
    this.running = true;
    const t0 = Date.now();
    return Promise.all(this.host.dirs.map((d) => this.scanDir(d)))
      .then(() => undefined, (err) => { this.host.log.error({ err }, 'page store: restart scan failed'); })
      .finally(() => {
        try {
          this.host.finishScan();
        } catch (err) {
          this.host.log.error({ err }, 'page store: finishing the restart scan failed');
        }
        this.running = false;
        this.recovered.clear();
        this.host.log.info({ ms: Date.now() - t0, removed: this.junk }, 'page store: restart scan done');
      });
  }

  /** Waits until this file's pages on disk (if any) are indexed. Only meaningful while scanning. */
  ensureLoaded(fileId: FileId): Promise<void> | undefined {
    if (!this.running || this.recovered.has(fileId)) return undefined;
    let p = this.recovering.get(fileId);
    if (p === undefined) {
      p = this.recoverFile(fileId).finally(() => {
        this.recovered.add(fileId);
        this.recovering.delete(fileId);
      });
      this.recovering.set(fileId, p);
    }
    return p;
  }

  private async scanDir(dir: PageDir): Promise<void> {
    const root = dir.layout.root;
    let entries: Dirent[];
    try {
      entries = await this.host.fs.readdir(root, { withFileTypes: true });
    } catch (err) {
      this.host.log.warn({ dir: root, err: (err as Error).message }, 'page store: cannot list cache dir');
      return;
    }
    for (const e of entries) {
      if (this.host.isClosed()) return;
      if (e.name === TEMP_DIR) continue; // emptied by open(); holds pages being written now
      const bucket = parsePageIndex(e.name);
      if (bucket === undefined || bucket >= this.host.buckets || !e.isDirectory()) {
        await this.removeJunk(join(root, e.name), 'not a bucket dir');
        continue;
      }
      await this.scanBucket(dir, bucket);
    }
  }

  private async scanBucket(dir: PageDir, bucket: number): Promise<void> {
    const bucketDir = dir.layout.bucketDir(bucket);
    let entries: Dirent[];
    try {
      entries = await this.host.fs.readdir(bucketDir, { withFileTypes: true });
    } catch (err) {
      this.host.log.warn({ dir: bucketDir, err: (err as Error).message }, 'page store: cannot list bucket dir');
      return;
    }
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < entries.length && !this.host.isClosed()) {
        const e = entries[next++]!;
        if (!isFileId(e.name) || bucketOf(e.name, this.host.buckets) !== bucket || !e.isDirectory()) {
          await this.removeJunk(join(bucketDir, e.name), 'not a file dir of this bucket');
        } else {
          await this.ensureLoaded(e.name);
        }
      }
    };
    await Promise.all(Array.from({ length: FILES_IN_PARALLEL }, worker));
  }

  private async recoverFile(fileId: FileId): Promise<void> {
    for (const dir of this.host.dirs) {
      try {
        await this.recoverFileIn(dir, fileId);
      } catch (err) {
        this.host.log.warn({ fileId, dir: dir.layout.root, err: (err as Error).message }, 'page store: cannot recover file');
      }
    }
  }

  private async recoverFileIn(dir: PageDir, fileId: FileId): Promise<void> {
    const { fs, pageSize } = this.host;
    const fileDir = dir.layout.fileDir(fileId);
    let names: string[];
    try {
      names = await fs.readdir(fileDir);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return;
      if (code === 'ENOTDIR') return this.removeJunk(fileDir, 'file where a dir belongs');
      throw err;
    }
    if (this.host.hasFile(fileId)) return this.removeJunk(fileDir, 'duplicate of a file found in another dir');
    // Only a regular file is ever opened: a FIFO here would block a thread-pool thread (and so
    // the scan, every read of the file, and shutdown) until someone writes to it.
    const sidecarPath = dir.layout.sidecarPath(fileId);
    let sidecar: SidecarContent | string;
    let special = false;
    try {
      const st = await fs.lstat(sidecarPath);
      special = !st.isFile();
      sidecar = special ? `sidecar is ${fileKind(st)}` : parseSidecar(await fs.readFile(sidecarPath, { encoding: 'utf8', flag: READ_FLAGS }), fileId, pageSize);
    } catch (err) {
      sidecar = `sidecar unreadable (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`;
    }
    if (typeof sidecar === 'string') return this.removeJunk(fileDir, sidecar, special);
    const checksums = sidecar.checksums;
    const pages: RecoveredPage[] = [];
    await Promise.all(names.map(async (name) => {
      if (name === SIDECAR_NAME) return;
      const path = join(fileDir, name);
      const index = parsePageIndex(name);
      if (index === undefined) return this.removeJunk(path, 'not a page index');
      const crc = checksums[name];
      if (crc === undefined) return this.removeJunk(path, 'page without a checksum in the sidecar');
      const st = await fs.lstat(path).catch(() => undefined);
      if (st === undefined) return;
      if (!st.isFile()) return this.removeJunk(path, `page is ${fileKind(st)}`, true);
      if (st.size === 0 || st.size > pageSize) return this.removeJunk(path, `size ${st.size} outside 1..${pageSize}`);
      pages.push({ index, size: st.size, crc, mtimeMs: st.mtimeMs });
    }));
    if (pages.length === 0) return this.removeJunk(fileDir, 'no valid pages');
    pages.sort((a, b) => a.mtimeMs - b.mtimeMs || a.index - b.index);
    this.host.adoptFile(dir, fileId, sidecar, pages, pages.length !== Object.keys(checksums).length);
  }

  /** Removes (never opens) what does not belong; `unexpected` (a special file) is worth a warning. */
  private async removeJunk(path: string, why: string, unexpected = false): Promise<void> {
    this.junk++;
    if (unexpected) this.host.log.warn({ path, why }, 'page store: removing a special file found where a page or sidecar belongs');
    else this.host.log.debug({ path, why }, 'page store: removing entry found on restart');
    await this.host.fs.rm(path, { recursive: true, force: true }).catch((err: Error) => {
      this.host.log.warn({ path, err: err.message }, 'page store: cannot remove entry found on restart');
    });
  }
}

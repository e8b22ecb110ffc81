import type { Logger } from '../common/logging.js';
import { fileIdOf, type PageLayout } from './page-layout.js';
import { WRITE_FLAGS, type PageStoreFs } from './page-store-fs.js';
import type { FileId } from './page-store.js';

/**
 * Our per-file sidecar `<fileId>/.meta` (not part of Alluxio's layout): the UFS version the pages
 * belong to and each page's CRC32. A page file without a checksum here is not trusted on restart.
 */
export interface SidecarContent {
  ufsUri: string;
  version: string;
  pageSize: number;
  checksums: Record<string, number>;
}

/** The sidecar's content if valid for this fileId and page size, else a reason it is not. */
export function parseSidecar(text: string, fileId: FileId, pageSize: number): SidecarContent | string {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return 'not JSON';
  }
  const o = v as Partial<SidecarContent> | null;
  if (o === null || typeof o !== 'object') return 'not an object';
  if (typeof o.ufsUri !== 'string' || fileIdOf(o.ufsUri) !== fileId) return 'ufsUri does not hash to the fileId';
  if (typeof o.version !== 'string') return 'no version';
  if (o.pageSize !== pageSize) return `page size ${String(o.pageSize)} is not ${pageSize}`;
  if (o.checksums === null || typeof o.checksums !== 'object' || Array.isArray(o.checksums)) return 'no checksums';
  for (const crc of Object.values(o.checksums)) {
    if (typeof crc !== 'number' || !Number.isInteger(crc) || crc < 0 || crc > 0xffffffff) return 'bad checksum value';
  }
  return { ufsUri: o.ufsUri, version: o.version, pageSize, checksums: o.checksums };
}

/** Where a file lives and what its sidecar should say now; null when the file has no pages. */
export type SidecarSnapshot = { layout: PageLayout; content: SidecarContent } | null;

interface PendingSidecar {
  /** Dirs whose copy must be brought up to date (more than one only if the file moved dirs). */
  readonly layouts: Set<PageLayout>;
  dirty: boolean;
  timer: NodeJS.Timeout | null;
  running: Promise<void> | null;
  failures: number;
}

const MAX_RETRY_DELAY_MS = 30_000;

/**
 * Writes sidecars in batches: a change marks the file dirty and one write, after `delayMs`,
 * records the file's state at that moment, so filling a file page by page costs a few sidecar
 * writes rather than one per page. Writes of one file are serialised; each is temp + rename.
 */
export class SidecarWriter {
  private readonly states = new Map<FileId, PendingSidecar>();
  private closed = false;

  constructor(
    private readonly fs: PageStoreFs,
    private readonly snapshot: (fileId: FileId) => SidecarSnapshot,
    private readonly delayMs: number,
    private readonly log: Logger,
  ) {}

  markDirty(fileId: FileId, layout: PageLayout): void {
    if (this.closed) return;
    let st = this.states.get(fileId);
    if (st === undefined) {
      st = { layouts: new Set(), dirty: false, timer: null, running: null, failures: 0 };
      this.states.set(fileId, st);
    }
    st.layouts.add(layout);
    st.dirty = true;
    if (st.timer === null && st.running === null) this.arm(fileId, st, this.delayMs);
  }

  /** Writes this file's sidecar now (after any write in progress). */
  flush(fileId: FileId): Promise<void> {
    const st = this.states.get(fileId);
    if (st === undefined) return Promise.resolve();
    if (st.timer !== null) {
      clearTimeout(st.timer);
      st.timer = null;
    }
    if (st.running !== null) return st.running.then(() => this.flush(fileId));
    if (!st.dirty) {
      this.states.delete(fileId);
      return Promise.resolve();
    }
    st.dirty = false;
    const run = this.write(fileId, st).finally(() => {
      st.running = null;
      if (st.dirty) {
        if (st.timer === null) this.arm(fileId, st, Math.min(this.delayMs * 2 ** st.failures, MAX_RETRY_DELAY_MS));
      } else if (st.timer === null && this.states.get(fileId) === st) {
        this.states.delete(fileId);
      }
    });
    st.running = run;
    return run;
  }

  async flushAll(): Promise<void> {
    await Promise.all([...this.states.keys()].map((id) => this.flush(id)));
  }

  /** Flushes everything pending; later changes are not written. */
  async close(): Promise<void> {
    await this.flushAll();
    this.closed = true;
    for (const st of this.states.values()) if (st.timer !== null) clearTimeout(st.timer);
    this.states.clear();
  }

  get pendingCount(): number {
    return this.states.size;
  }

  private arm(fileId: FileId, st: PendingSidecar, delay: number): void {
    st.timer = setTimeout(() => {
      st.timer = null;
      void this.flush(fileId);
    }, delay);
    st.timer.unref();
  }

  private async write(fileId: FileId, st: PendingSidecar): Promise<void> {
    const snap = this.snapshot(fileId);
    try {
      for (const layout of [...st.layouts]) {
        if (snap !== null && snap.layout === layout) await this.writeAtomic(layout, fileId, snap.content);
        else await this.remove(layout, fileId);
      }
      st.failures = 0;
    } catch (err) {
      st.failures++;
      st.dirty = true; // retried with backoff by flush()
      this.log.warn({ fileId, err: (err as Error).message }, 'page store: sidecar write failed; will retry');
    }
  }

  private async writeAtomic(layout: PageLayout, fileId: FileId, content: SidecarContent): Promise<void> {
    const tmp = layout.tempSidecarPath(fileId);
    const text = JSON.stringify(content);
    try {
      await this.fs.writeFile(tmp, text, { flag: WRITE_FLAGS });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      await this.fs.mkdir(layout.tempFileDir(fileId), { recursive: true });
      await this.fs.writeFile(tmp, text, { flag: WRITE_FLAGS });
    }
    try {
      await this.fs.rename(tmp, layout.sidecarPath(fileId));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        await this.fs.unlink(tmp).catch(() => undefined);
        throw err;
      }
      await this.fs.mkdir(layout.fileDir(fileId), { recursive: true });
      await this.fs.rename(tmp, layout.sidecarPath(fileId));
    }
  }

  private async remove(layout: PageLayout, fileId: FileId): Promise<void> {
    await this.fs.unlink(layout.sidecarPath(fileId)).catch(ignoreMissing);
    // Both fail harmlessly (ENOTEMPTY) when a new page of the file is being written.
    await this.fs.rmdir(layout.fileDir(fileId)).catch(() => undefined);
    await this.fs.rmdir(layout.tempFileDir(fileId)).catch(() => undefined);
  }
}

function ignoreMissing(err: NodeJS.ErrnoException): void {
  if (err.code !== 'ENOENT') throw err;
}

import * as nodeFs from 'node:fs/promises';
import { BufferPool } from '../common/buffer-pool.js';
import { crc32 } from '../common/crc32.js';
import { AlluxioError, InvalidArgumentError, NoSpaceError } from '../common/errors.js';
import { createLogger, type Logger } from '../common/logging.js';
import { metrics } from '../common/metrics.js';
import { createEvictor } from './evictor.js';
import { LogThrottle } from '../common/log-throttle.js';
import { DiskCapacityCheck, type DiskCapacityHost } from './local-disk-capacity.js';
import { KeyedMutex } from '../common/keyed-mutex.js';
import { PageDir, type LocalFileEntry, type LocalPageEntry, type RecoveredPage } from './local-page-entries.js';
import { probeDir, writePageFile } from './local-page-io.js';
import { defaultMaxOpenPageFiles, NOT_A_REGULAR_FILE, PageFdCache } from './page-fd-cache.js';
import { PageRecovery, type RecoveryHost } from './local-page-recovery.js';
import { checkFileId, checkFileRef, checkPageData, checkPageIndex, checkPageRange, checkVersion } from './page-args.js';
import { PageLayout, fileIdOf } from './page-layout.js';
import { SidecarWriter, type SidecarContent, type SidecarSnapshot } from './page-sidecar.js';
import { resolvePageStoreOptions, type PageStoreOptions, type ResolvedPageStoreOptions } from './page-store-options.js';
import type { PageStoreFs } from './page-store-fs.js';
import type { CachedFileInfo, FileId, PageRange, PageStore, PageStoreStats } from './page-store.js';

export interface LocalPageStoreOptions extends PageStoreOptions {
  /** File-system calls; default `node:fs/promises` (tests inject failures). */
  fsOps?: PageStoreFs;
  /** Page files kept open for reads (see PageFdCache); 0 opens and closes one per read. Default: defaultMaxOpenPageFiles(). */
  maxOpenPageFiles?: number;
  /** How long sidecar changes are batched before one write. Default 250 ms. */
  sidecarFlushMs?: number;
  logger?: Logger;
}

type State = 'new' | 'open' | 'closed';

function isNoSpace(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT';
}

/**
 * The LOCAL page store: pages as files in Alluxio's layout (see page-layout.ts), an in-memory
 * index, one evictor per dir, a checksum sidecar per file. A file's pages all go to one dir,
 * chosen by its fileId weighted by dir capacity.
 */
export class LocalPageStore implements PageStore, RecoveryHost, DiskCapacityHost {
  readonly type = 'LOCAL' as const;
  readonly pageSize: number;
  readonly buckets: number;
  readonly dirs: readonly PageDir[];
  readonly fs: PageStoreFs;
  readonly log: Logger;
  readonly scanComplete: Promise<void>;

  private readonly opts: ResolvedPageStoreOptions;
  private readonly fileIndex = new Map<FileId, LocalFileEntry>();
  private readonly locks = new KeyedMutex();
  /** Whole-page read buffers, reused once the caller releases them (see BufferPool). */
  private readonly pagePool: BufferPool;
  /** Unlinks in flight by page path: a new write of the same path waits for them. */
  private readonly unlinking = new Map<string, Promise<void>>();
  /** Descriptors of recently read page files, by page entry: dropped when the entry is removed. */
  private readonly fds: PageFdCache<LocalPageEntry>;
  private readonly sidecars: SidecarWriter;
  private readonly recovery: PageRecovery;
  private readonly disks: DiskCapacityCheck;
  /** "Disk full" can repeat with every put: one line a minute, with the count held back. */
  private readonly diskFullLog = new LogThrottle(60_000);
  private totalCapacity: number;
  /** What alluxio_cached_capacity_bytes holds for this store. */
  private reportedCapacity = 0;
  private resolveScan!: () => void;
  private state: State = 'new';
  private opening = false;
  private pageCount = 0;
  private evictedBytes = 0;
  private active = 0;
  private idle: (() => void) | null = null;

  constructor(options: LocalPageStoreOptions) {
    this.opts = resolvePageStoreOptions(options, true);
    const flushMs = options.sidecarFlushMs ?? 250;
    if (!Number.isFinite(flushMs) || flushMs < 0) throw new InvalidArgumentError(`sidecarFlushMs must be >= 0, got ${String(flushMs)}`);
    this.pageSize = this.opts.pageSize;
    // 32 free pages at most (32 MiB at the default 1 MiB): enough for a few large reads in flight.
    this.pagePool = new BufferPool(this.pageSize, 32);
    this.fds = new PageFdCache(options.maxOpenPageFiles ?? defaultMaxOpenPageFiles());
    this.buckets = this.opts.buckets;
    this.fs = options.fsOps ?? nodeFs;
    this.log = options.logger ?? createLogger('pagestore');
    this.dirs = this.opts.dirs.map((d, i) => new PageDir(
      i, new PageLayout(d, this.pageSize, this.buckets), this.opts.sizes[i]! - this.opts.reservedBytes, this.opts.reservedBytes,
      createEvictor(this.opts.evictor)));
    this.totalCapacity = this.dirs.reduce((a, d) => a + d.capacity, 0);
    this.sidecars = new SidecarWriter(this.fs, (id) => this.sidecarSnapshot(id), flushMs, this.log);
    this.recovery = new PageRecovery(this);
    this.disks = new DiskCapacityCheck(this);
    this.scanComplete = new Promise((resolve) => { this.resolveScan = resolve; });
  }

  /** Creates the dirs, empties TEMP/ and starts the restart scan; resolves before the scan ends. */
  async open(): Promise<void> {
    if (this.state !== 'new' || this.opening) throw new AlluxioError('ALX_ERR_INTERNAL', `page store is already ${this.opening ? 'opening' : this.state}`);
    this.opening = true;
    for (const d of this.dirs) {
      await this.fs.mkdir(d.layout.root, { recursive: true });
      await this.fs.rm(d.layout.tempRoot, { recursive: true, force: true });
    }
    await this.disks.atOpen();
    this.opening = false;
    if (this.state !== 'new') return; // closed while opening
    this.state = 'open';
    this.reportCapacity(this.totalCapacity);
    // Once the pages on disk are indexed, the disk's free space says what it really holds.
    void this.recovery.start().then(() => this.disks.start()).then(this.resolveScan);
  }

  async get(fileId: FileId, pageIndex: number, version: string, range?: PageRange): Promise<Buffer | null> {
    checkFileId(fileId);
    checkPageIndex(pageIndex);
    checkVersion(version);
    checkPageRange(range, this.pageSize);
    this.enter();
    try {
      if (this.recovery.scanning) await this.recovery.ensureLoaded(fileId);
      const file = this.fileIndex.get(fileId);
      if (file === undefined) return null;
      if (file.version !== version) {
        await Promise.all(this.dropFile(file, true));
        return null;
      }
      const page = file.pages.get(pageIndex);
      if (page === undefined) return null;
      page.recovered = false;
      file.dir.evictor.onAccess(page);
      if (range === undefined || (range.offset === 0 && range.length >= page.size)) return await this.readPage(page);
      if (range.offset >= page.size) return Buffer.alloc(0);
      return await this.readRange(page, range.offset, Math.min(range.length, page.size - range.offset));
    } finally {
      this.leave();
    }
  }

  release(page: Uint8Array): void {
    this.pagePool.release(page);
  }

  async put(fileId: FileId, pageIndex: number, data: Buffer, file: { ufsUri: string; version: string }): Promise<void> {
    checkFileId(fileId);
    checkPageIndex(pageIndex);
    checkPageData(data, this.pageSize);
    checkFileRef(file);
    this.enter();
    try {
      if (this.recovery.scanning) await this.recovery.ensureLoaded(fileId);
      await this.locks.run(`${fileId}/${pageIndex}`, () => this.putLocked(fileId, pageIndex, data, file.ufsUri, file.version));
    } finally {
      this.leave();
    }
  }

  has(fileId: FileId, pageIndex: number, version?: string): boolean {
    const file = this.fileIndex.get(fileId);
    return file !== undefined && (version === undefined || file.version === version) && file.pages.has(pageIndex);
  }

  touch(fileId: FileId, pageIndex: number, version: string): boolean {
    const file = this.fileIndex.get(fileId);
    const page = file !== undefined && file.version === version ? file.pages.get(pageIndex) : undefined;
    if (page === undefined) return false;
    file!.dir.evictor.onAccess(page);
    return true;
  }

  async deleteFile(fileId: FileId): Promise<void> {
    checkFileId(fileId);
    this.enter();
    try {
      if (this.recovery.scanning) await this.recovery.ensureLoaded(fileId);
      const file = this.fileIndex.get(fileId);
      if (file === undefined) return;
      await Promise.all(this.dropFile(file, false));
      await this.sidecars.flush(fileId);
    } finally {
      this.leave();
    }
  }

  fileInfo(fileId: FileId): CachedFileInfo | undefined {
    const file = this.fileIndex.get(fileId);
    return file === undefined ? undefined : infoOf(file);
  }

  *files(): Iterable<CachedFileInfo> {
    for (const file of this.fileIndex.values()) yield infoOf(file);
  }

  stats(): PageStoreStats {
    let used = 0;
    for (const d of this.dirs) used += d.used;
    return { usedBytes: used, capacityBytes: this.totalCapacity, pages: this.pageCount, files: this.fileIndex.size, evictedBytes: this.evictedBytes };
  }

  /** Per-dir usage, in configuration order. */
  dirStats(): { dir: string; usedBytes: number; capacityBytes: number; pages: number }[] {
    return this.dirs.map((d) => ({ dir: d.layout.dir, usedBytes: d.used, capacityBytes: d.capacity, pages: d.evictor.size }));
  }

  async probe(): Promise<void> {
    await Promise.all(this.dirs.map((d) => probeDir(this.fs, d.layout)));
  }

  /** Writes every pending sidecar now. */
  async flush(): Promise<void> {
    await this.sidecars.flushAll();
  }

  /** Waits for operations in flight and the scan, writes pending sidecars; the store is unusable after. */
  async close(): Promise<void> {
    if (this.state === 'closed') return;
    const wasOpen = this.state === 'open';
    this.state = 'closed';
    if (this.active > 0) await new Promise<void>((resolve) => { this.idle = resolve; });
    if (!wasOpen) {
      this.resolveScan();
      return;
    }
    await this.scanComplete;
    await this.disks.stop();
    await Promise.all(this.unlinking.values());
    this.fds.dropAll();
    await this.sidecars.close();
    this.reportCapacity(0);
    metrics.cachedStorageBytes.dec(this.stats().usedBytes);
    metrics.cachedPages.dec(this.pageCount);
    metrics.cachedFiles.dec(this.fileIndex.size);
  }

  // ---- RecoveryHost ----

  isClosed(): boolean {
    return this.state === 'closed';
  }

  hasFile(fileId: FileId): boolean {
    return this.fileIndex.has(fileId);
  }

  adoptFile(dir: PageDir, fileId: FileId, sidecar: SidecarContent, pages: RecoveredPage[], sidecarStale: boolean): void {
    if (this.fileIndex.has(fileId)) return; // cannot happen: puts wait for the file's recovery
    const file: LocalFileEntry = { fileId, ufsUri: sidecar.ufsUri, version: sidecar.version, dir, pages: new Map(), bytes: 0 };
    this.fileIndex.set(fileId, file);
    metrics.cachedFiles.inc();
    for (const p of pages) {
      this.addPage({ file, index: p.index, size: p.size, crc: p.crc, mtimeMs: p.mtimeMs, recovered: true });
    }
    if (sidecarStale) this.sidecars.markDirty(fileId, dir.layout);
  }

  finishScan(): void {
    for (const dir of this.dirs) {
      if (this.opts.evictor !== 'LFU') this.orderRecoveredByMtime(dir);
      // A restart with a smaller size than before: drop the surplus, oldest first.
      while (dir.used > dir.capacity) {
        const victim = dir.evictor.pickVictim();
        if (victim === undefined) break;
        this.evict(victim);
      }
    }
  }

  // ---- DiskCapacityHost ----

  applyCapacity(dir: PageDir, capacity: number, evict: boolean): void {
    const delta = capacity - dir.capacity;
    dir.capacity = capacity;
    this.totalCapacity += delta;
    if (this.state !== 'open') return;
    this.reportCapacity(this.totalCapacity);
    if (!evict) return;
    while (dir.used > dir.capacity) {
      const victim = dir.evictor.pickVictim();
      if (victim === undefined) break;
      void this.evict(victim);
    }
  }

  // ---- internals ----

  private reportCapacity(bytes: number): void {
    const delta = bytes - this.reportedCapacity;
    if (delta > 0) metrics.cachedCapacityBytes.inc(delta);
    else if (delta < 0) metrics.cachedCapacityBytes.dec(-delta);
    this.reportedCapacity = bytes;
  }

  private enter(): void {
    if (this.state !== 'open') {
      throw new AlluxioError('ALX_ERR_INTERNAL', this.state === 'new' ? 'page store is not open yet: call open() first' : 'page store is closed');
    }
    this.active++;
  }

  private leave(): void {
    if (--this.active === 0 && this.idle !== null) {
      this.idle();
      this.idle = null;
    }
  }

  private async putLocked(fileId: FileId, pageIndex: number, data: Buffer, ufsUri: string, version: string): Promise<void> {
    let file = this.fileIndex.get(fileId);
    if (file !== undefined && file.version !== version) {
      await Promise.all(this.dropFile(file, true));
      file = undefined;
    }
    if (file === undefined && fileIdOf(ufsUri) !== fileId) {
      throw new InvalidArgumentError(`fileId ${fileId} is not the SHA-256 of ufsUri ${ufsUri}`);
    }
    const crc = crc32(data);
    const existing = file?.pages.get(pageIndex);
    if (existing !== undefined && existing.crc === crc && existing.size === data.length) {
      file!.dir.evictor.onAccess(existing); // already cached with these bytes
      return;
    }
    const dir = file?.dir ?? this.dirFor(fileId);
    const path = dir.layout.pagePath(fileId, pageIndex);
    if (existing !== undefined) this.removePage(existing); // replaced in place by the rename below
    const pendingUnlink = this.unlinking.get(path);
    if (pendingUnlink !== undefined) await pendingUnlink;

    this.reserve(dir, data.length, fileId, pageIndex);
    try {
      await this.writePageRetrying(dir, fileId, pageIndex, data, file === undefined);
    } catch (err) {
      if (existing !== undefined) await this.fs.unlink(path).catch(() => undefined);
      throw err;
    } finally {
      dir.pending -= data.length;
    }

    // Commit into the file's current entry; it may have changed while we wrote.
    this.makeRoom(dir, data.length);
    let cur = this.fileIndex.get(fileId);
    if (cur !== undefined && (cur.version !== version || cur.dir !== dir)) {
      await this.fs.unlink(path).catch(() => undefined); // lost to a newer version of the file
      return;
    }
    if (cur === undefined) {
      cur = { fileId, ufsUri, version, dir, pages: new Map(), bytes: 0 };
      this.fileIndex.set(fileId, cur);
      metrics.cachedFiles.inc();
    }
    this.addPage({ file: cur, index: pageIndex, size: data.length, crc, mtimeMs: Date.now(), recovered: false });
    this.sidecars.markDirty(fileId, dir.layout);
  }

  /**
   * Evicts from `dir` until a page of `size` bytes fits, then reserves room for its temp file.
   * Committed pages stay within the capacity; temp pages may also use the reserved bytes.
   */
  private reserve(dir: PageDir, size: number, fileId: FileId, pageIndex: number): void {
    const diskLimit = dir.capacity + dir.reserved;
    while (dir.used + size > dir.capacity || dir.used + dir.pending + size > diskLimit) {
      const victim = dir.evictor.pickVictim();
      if (victim === undefined) {
        throw new NoSpaceError(`page store dir ${dir.layout.dir} has no room for page ${pageIndex} of file ${fileId} (${size} bytes): `
          + `capacity ${dir.capacity} + reserved ${dir.reserved}, ${dir.pending} bytes being written and nothing left to evict`);
      }
      this.evict(victim);
    }
    dir.pending += size;
  }

  /** Before a commit: other puts may have committed since our reservation. */
  private makeRoom(dir: PageDir, size: number): void {
    while (dir.used + size > dir.capacity) {
      const victim = dir.evictor.pickVictim();
      if (victim === undefined) return;
      this.evict(victim);
    }
  }

  /** Writes the page; when the disk itself is full, evicts some pages and tries once more. */
  private async writePageRetrying(dir: PageDir, fileId: FileId, pageIndex: number, data: Buffer, newFile: boolean): Promise<void> {
    try {
      await writePageFile(this.fs, dir.layout, fileId, pageIndex, data, newFile);
      return;
    } catch (err) {
      if (!isNoSpace(err)) throw err;
      const held = this.diskFullLog.take();
      if (held !== undefined) this.log.warn({ dir: dir.layout.dir, err: (err as Error).message, suppressed: held }, 'page store: disk full; evicting and retrying (logged at most once a minute)');
      void this.disks.check(); // something else may have filled the disk: look at it again
    }
    const freed: Promise<void>[] = [];
    let bytes = 0;
    while (bytes < 2 * data.length) {
      const victim = dir.evictor.pickVictim();
      if (victim === undefined) break;
      bytes += victim.size;
      freed.push(this.evict(victim));
    }
    await Promise.all(freed);
    try {
      await writePageFile(this.fs, dir.layout, fileId, pageIndex, data);
    } catch (err) {
      if (!isNoSpace(err)) throw err;
      throw new NoSpaceError(`page store dir ${dir.layout.dir} is full on disk: cannot write page ${pageIndex} of file ${fileId} `
        + `after evicting ${bytes} bytes (${(err as NodeJS.ErrnoException).code})`);
    }
  }

  private async readPage(page: LocalPageEntry): Promise<Buffer | null> {
    const { file } = page;
    const path = file.dir.layout.pagePath(file.fileId, page.index);
    const buf = page.size === this.pageSize ? this.pagePool.acquire() : Buffer.allocUnsafe(page.size);
    let ok = false;
    const check = (n: number): boolean => (ok = n === page.size && (!this.opts.checksum || crc32(buf) === page.crc));
    try {
      await this.fds.read(page, path, buf, page.size, 0, check);
    } catch (err) {
      this.pagePool.release(buf);
      const code = (err as NodeJS.ErrnoException).code;
      if (code === NOT_A_REGULAR_FILE) this.log.warn({ path }, 'page store: a special file sits where a page belongs; removed, serving a miss');
      if (code === 'ENOENT' || code === 'EISDIR' || code === 'EIO' || code === NOT_A_REGULAR_FILE) {
        // Deleted (or broken, or replaced by a FIFO) behind our back: forget it.
        if (this.isCurrent(page)) {
          if (code !== 'ENOENT') void this.unlinkPath(path);
          this.removePage(page);
        }
      } else {
        this.log.warn({ path, err: (err as Error).message }, 'page store: read failed; serving a miss');
      }
      return null;
    }
    if (!ok) {
      this.pagePool.release(buf);
      if (this.isCurrent(page)) {
        metrics.corruptPages.inc();
        this.log.warn({ path, expected: page.crc, size: page.size }, 'page store: page failed its checksum; dropped');
        this.removePage(page);
        await this.unlinkPath(path);
      }
      return null;
    }
    return buf;
  }

  /**
   * `length` bytes at `offset` of a page, reading only them when the page file's open descriptor
   * already passed the checksum in a whole-page read (a range alone cannot be checked against the
   * page's CRC); otherwise the page is read and checked whole once, which marks its descriptor.
   */
  private async readRange(page: LocalPageEntry, offset: number, length: number): Promise<Buffer | null> {
    const buf = Buffer.allocUnsafe(length);
    let n: number | undefined;
    try {
      n = await this.fds.readChecked(page, buf, length, offset);
    } catch {
      n = undefined; // the whole-page path below sorts out what went wrong
    }
    if (n === length) return buf;
    const whole = await this.readPage(page);
    if (whole === null) return null;
    whole.copy(buf, 0, offset, offset + length);
    this.pagePool.release(whole);
    return buf;
  }

  private isCurrent(page: LocalPageEntry): boolean {
    return page.file.pages.get(page.index) === page && this.fileIndex.get(page.file.fileId) === page.file;
  }

  private addPage(page: LocalPageEntry): void {
    const { file } = page;
    file.pages.set(page.index, page);
    file.bytes += page.size;
    file.dir.used += page.size;
    file.dir.evictor.onPut(page);
    this.pageCount++;
    metrics.cachedPages.inc();
    metrics.cachedStorageBytes.inc(page.size);
  }

  /** Removes a page from the index (not from disk); a file left with no pages goes too. */
  private removePage(page: LocalPageEntry): void {
    const { file } = page;
    if (file.pages.get(page.index) !== page) return;
    file.pages.delete(page.index);
    this.fds.drop(page);
    file.bytes -= page.size;
    file.dir.used -= page.size;
    file.dir.evictor.onRemove(page);
    this.pageCount--;
    metrics.cachedPages.dec();
    metrics.cachedStorageBytes.dec(page.size);
    if (file.pages.size === 0 && this.fileIndex.get(file.fileId) === file) {
      this.fileIndex.delete(file.fileId);
      metrics.cachedFiles.dec();
    }
    this.sidecars.markDirty(file.fileId, file.dir.layout);
  }

  private evict(page: LocalPageEntry): Promise<void> {
    this.removePage(page);
    this.evictedBytes += page.size;
    metrics.cachedEvictedBytes.inc(page.size);
    return this.unlinkPath(page.file.dir.layout.pagePath(page.file.fileId, page.index));
  }

  /** Drops every page of a file (stale: its UFS version changed). Returns the unlinks in flight. */
  private dropFile(file: LocalFileEntry, stale: boolean): Promise<void>[] {
    const unlinks: Promise<void>[] = [];
    const n = file.pages.size;
    for (const page of [...file.pages.values()]) {
      this.removePage(page);
      unlinks.push(this.unlinkPath(file.dir.layout.pagePath(file.fileId, page.index)));
    }
    if (stale && n > 0) {
      metrics.stalePages.inc(n);
      this.log.debug({ fileId: file.fileId, pages: n }, 'page store: UFS version changed; dropped cached pages');
    }
    return unlinks;
  }

  private unlinkPath(path: string): Promise<void> {
    const prev = this.unlinking.get(path);
    const p: Promise<void> = (prev ?? Promise.resolve())
      .then(() => this.fs.unlink(path))
      .catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') this.log.warn({ path, err: err.message }, 'page store: cannot delete page file');
      })
      .finally(() => {
        if (this.unlinking.get(path) === p) this.unlinking.delete(path);
      });
    this.unlinking.set(path, p);
    return p;
  }

  /** The dir for a new file: its fileId (uniform, it is a SHA-256) placed on the dirs' capacities. */
  private dirFor(fileId: FileId): PageDir {
    if (this.dirs.length === 1) return this.dirs[0]!;
    let x = (parseInt(fileId.slice(0, 8), 16) / 0x1_0000_0000) * this.totalCapacity;
    for (const d of this.dirs) {
      if (x < d.capacity) return d;
      x -= d.capacity;
    }
    return this.dirs[this.dirs.length - 1]!;
  }

  private sidecarSnapshot(fileId: FileId): SidecarSnapshot {
    const file = this.fileIndex.get(fileId);
    if (file === undefined) return null;
    const checksums: Record<string, number> = {};
    for (const p of file.pages.values()) checksums[p.index] = p.crc;
    return { layout: file.dir.layout, content: { ufsUri: file.ufsUri, version: file.version, pageSize: this.pageSize, checksums } };
  }

  /** After a restart scan (LRU, FIFO): pages untouched since restart go first, oldest mtime first. */
  private orderRecoveredByMtime(dir: PageDir): void {
    const old: LocalPageEntry[] = [];
    const live: LocalPageEntry[] = [];
    for (const p of dir.evictor.keys()) (p.recovered ? old : live).push(p);
    if (old.length === 0) return;
    old.sort((a, b) => a.mtimeMs - b.mtimeMs);
    const ev = createEvictor<LocalPageEntry>(this.opts.evictor);
    for (const p of old) ev.onPut(p);
    for (const p of live) ev.onPut(p);
    dir.evictor = ev;
  }
}

function infoOf(file: LocalFileEntry): CachedFileInfo {
  return { fileId: file.fileId, ufsUri: file.ufsUri, version: file.version, pages: [...file.pages.keys()].sort((a, b) => a - b), bytes: file.bytes };
}

import { crc32 } from '../common/crc32.js';
import { AlluxioError, InvalidArgumentError, NoSpaceError } from '../common/errors.js';
import { metrics } from '../common/metrics.js';
import { createEvictor, type Evictor } from './evictor.js';
import { checkFileId, checkFileRef, checkPageData, checkPageIndex, checkPageRange, checkVersion } from './page-args.js';
import { fileIdOf } from './page-layout.js';
import { resolvePageStoreOptions, type PageStoreOptions, type ResolvedPageStoreOptions } from './page-store-options.js';
import type { CachedFileInfo, FileId, PageRange, PageStore, PageStoreStats } from './page-store.js';

interface MemFile {
  readonly fileId: FileId;
  readonly ufsUri: string;
  readonly version: string;
  readonly pages: Map<number, MemPage>;
  bytes: number;
}

interface MemPage {
  readonly file: MemFile;
  readonly index: number;
  readonly data: Buffer;
  readonly crc: number;
}

/**
 * The MEM page store (a memory tier): pages in process memory, bounded by the sum of `sizes`
 * (`dirs` and `reservedBytes` do not apply). Same versioning, checksums and evictors as LOCAL.
 */
export class MemPageStore implements PageStore {
  readonly type = 'MEM' as const;
  readonly pageSize: number;
  readonly capacityBytes: number;
  readonly scanComplete: Promise<void> = Promise.resolve();

  private readonly opts: ResolvedPageStoreOptions;
  private readonly fileIndex = new Map<FileId, MemFile>();
  private readonly evictor: Evictor<MemPage>;
  private state: 'new' | 'open' | 'closed' = 'new';
  private used = 0;
  private pageCount = 0;
  private evictedBytes = 0;

  constructor(options: PageStoreOptions) {
    this.opts = resolvePageStoreOptions(options, false);
    this.pageSize = this.opts.pageSize;
    this.capacityBytes = this.opts.sizes.reduce((a, b) => a + b, 0);
    this.evictor = createEvictor<MemPage>(this.opts.evictor);
  }

  async open(): Promise<void> {
    if (this.state !== 'new') throw new AlluxioError('ALX_ERR_INTERNAL', `page store is already ${this.state}`);
    this.state = 'open';
    metrics.cachedCapacityBytes.inc(this.capacityBytes);
  }

  async get(fileId: FileId, pageIndex: number, version: string, range?: PageRange): Promise<Buffer | null> {
    checkFileId(fileId);
    checkPageIndex(pageIndex);
    checkVersion(version);
    checkPageRange(range, this.pageSize);
    this.checkOpen();
    const file = this.fileIndex.get(fileId);
    if (file === undefined) return null;
    if (file.version !== version) {
      this.dropFile(file, true);
      return null;
    }
    const page = file.pages.get(pageIndex);
    if (page === undefined) return null;
    if (this.opts.checksum && crc32(page.data) !== page.crc) {
      metrics.corruptPages.inc(); // someone wrote into a Buffer this store handed out
      this.removePage(page);
      return null;
    }
    this.evictor.onAccess(page);
    if (range === undefined) return page.data;
    return page.data.subarray(Math.min(range.offset, page.data.length), range.offset + range.length);
  }

  /** Pages are the store's own copies: nothing to reuse. */
  release(_page: Uint8Array): void {}

  async put(fileId: FileId, pageIndex: number, data: Buffer, ref: { ufsUri: string; version: string }): Promise<void> {
    checkFileId(fileId);
    checkPageIndex(pageIndex);
    checkPageData(data, this.pageSize);
    checkFileRef(ref);
    this.checkOpen();
    let file = this.fileIndex.get(fileId);
    if (file !== undefined && file.version !== ref.version) {
      this.dropFile(file, true);
      file = undefined;
    }
    if (file === undefined && fileIdOf(ref.ufsUri) !== fileId) {
      throw new InvalidArgumentError(`fileId ${fileId} is not the SHA-256 of ufsUri ${ref.ufsUri}`);
    }
    const existing = file?.pages.get(pageIndex);
    if (existing !== undefined) this.removePage(existing);
    while (this.used + data.length > this.capacityBytes) {
      const victim = this.evictor.pickVictim();
      if (victim === undefined) {
        throw new NoSpaceError(`MEM page store has no room for page ${pageIndex} of file ${fileId} (${data.length} bytes, capacity ${this.capacityBytes})`);
      }
      this.removePage(victim);
      this.evictedBytes += victim.data.length;
      metrics.cachedEvictedBytes.inc(victim.data.length);
    }
    file = this.fileIndex.get(fileId); // eviction may have removed it
    if (file === undefined) {
      file = { fileId, ufsUri: ref.ufsUri, version: ref.version, pages: new Map(), bytes: 0 };
      this.fileIndex.set(fileId, file);
      metrics.cachedFiles.inc();
    }
    const copy = Buffer.allocUnsafe(data.length);
    data.copy(copy);
    const page: MemPage = { file, index: pageIndex, data: copy, crc: crc32(copy) };
    file.pages.set(pageIndex, page);
    file.bytes += copy.length;
    this.used += copy.length;
    this.pageCount++;
    this.evictor.onPut(page);
    metrics.cachedPages.inc();
    metrics.cachedStorageBytes.inc(copy.length);
  }

  has(fileId: FileId, pageIndex: number, version?: string): boolean {
    const file = this.fileIndex.get(fileId);
    return file !== undefined && (version === undefined || file.version === version) && file.pages.has(pageIndex);
  }

  touch(fileId: FileId, pageIndex: number, version: string): boolean {
    const file = this.fileIndex.get(fileId);
    const page = file !== undefined && file.version === version ? file.pages.get(pageIndex) : undefined;
    if (page === undefined) return false;
    this.evictor.onAccess(page);
    return true;
  }

  async deleteFile(fileId: FileId): Promise<void> {
    checkFileId(fileId);
    this.checkOpen();
    const file = this.fileIndex.get(fileId);
    if (file !== undefined) this.dropFile(file, false);
  }

  fileInfo(fileId: FileId): CachedFileInfo | undefined {
    const file = this.fileIndex.get(fileId);
    return file === undefined ? undefined : infoOf(file);
  }

  *files(): Iterable<CachedFileInfo> {
    for (const file of this.fileIndex.values()) yield infoOf(file);
  }

  stats(): PageStoreStats {
    return { usedBytes: this.used, capacityBytes: this.capacityBytes, pages: this.pageCount, files: this.fileIndex.size, evictedBytes: this.evictedBytes };
  }

  /** Memory needs no I/O to serve. */
  async probe(): Promise<void> {}

  async close(): Promise<void> {
    if (this.state === 'closed') return;
    const wasOpen = this.state === 'open';
    this.state = 'closed';
    if (!wasOpen) return;
    metrics.cachedCapacityBytes.dec(this.capacityBytes);
    metrics.cachedStorageBytes.dec(this.used);
    metrics.cachedPages.dec(this.pageCount);
    metrics.cachedFiles.dec(this.fileIndex.size);
    this.fileIndex.clear();
  }

  private checkOpen(): void {
    if (this.state !== 'open') {
      throw new AlluxioError('ALX_ERR_INTERNAL', this.state === 'new' ? 'page store is not open yet: call open() first' : 'page store is closed');
    }
  }

  private removePage(page: MemPage): void {
    const { file } = page;
    if (file.pages.get(page.index) !== page) return;
    file.pages.delete(page.index);
    file.bytes -= page.data.length;
    this.used -= page.data.length;
    this.pageCount--;
    this.evictor.onRemove(page);
    metrics.cachedPages.dec();
    metrics.cachedStorageBytes.dec(page.data.length);
    if (file.pages.size === 0 && this.fileIndex.get(file.fileId) === file) {
      this.fileIndex.delete(file.fileId);
      metrics.cachedFiles.dec();
    }
  }

  private dropFile(file: MemFile, stale: boolean): void {
    const n = file.pages.size;
    for (const page of [...file.pages.values()]) this.removePage(page);
    if (stale && n > 0) metrics.stalePages.inc(n);
  }
}

function infoOf(file: MemFile): CachedFileInfo {
  return { fileId: file.fileId, ufsUri: file.ufsUri, version: file.version, pages: [...file.pages.keys()].sort((a, b) => a - b), bytes: file.bytes };
}

/** Identifies a cached file: lowercase hex SHA-256 of its full UFS URI (DESIGN.md §5). */
export type FileId = string;

export interface PageStoreStats {
  usedBytes: number;
  capacityBytes: number;
  pages: number;
  files: number;
  evictedBytes: number;
}

/** Part of a page: `length` bytes from `offset` (a read asks for just the bytes it sends). */
export interface PageRange {
  readonly offset: number;
  readonly length: number;
}

export interface CachedFileInfo {
  fileId: FileId;
  ufsUri: string;
  version: string;
  /** Indexes of pages present. */
  pages: number[];
  bytes: number;
}

/**
 * A page cache on local disk (or memory). A page belongs to one UFS file version: a get with a
 * different version drops the file's pages and misses. Every page carries a checksum that is
 * verified on read: a page that fails is dropped and reported as a miss, never returned.
 */
export interface PageStore {
  /** `alluxio.worker.page.store.type`. */
  readonly type: 'LOCAL' | 'MEM';
  readonly pageSize: number;
  /** Loads the index from disk; resolves once pages are servable (scanning may continue after). */
  open(): Promise<void>;
  /** Resolves when the restart scan has indexed everything on disk (at once for MEM). */
  readonly scanComplete: Promise<void>;
  /**
   * The page's bytes, or null on a miss (absent, stale version, or failed checksum). A version
   * different from the cached one drops all of the file's pages. The caller owns the Buffer
   * (LOCAL); MEM returns its stored copy, which the caller must not modify. With `range`, only
   * those bytes (clipped to the page) are returned, and LOCAL reads only them from disk once the
   * page has passed its checksum in a whole-page read (the first read of a page is always whole).
   */
  get(fileId: FileId, pageIndex: number, version: string, range?: PageRange): Promise<Buffer | null>;
  /**
   * Hands back a Buffer that get() returned (or a view of it) once nothing will read it again, so
   * the store can reuse it for a later get(). Optional for callers: a buffer never released is
   * garbage-collected as usual. Never release a buffer that something else may still hold.
   */
  release(page: Uint8Array): void;
  /**
   * Stores a page (1..pageSize bytes; `data` must not change until the put resolves, and the
   * store keeps no reference to it after); evicts to make
   * room; on ENOSPC evicts and retries, else throws NoSpaceError. A version different from the
   * cached one drops the file's older pages first.
   */
  put(fileId: FileId, pageIndex: number, data: Buffer, file: { ufsUri: string; version: string }): Promise<void>;
  has(fileId: FileId, pageIndex: number, version?: string): boolean;
  /**
   * Records a read of the page made outside the store (a short-circuit client read its page file
   * itself), so the evictor sees the page used. False when that page of that version is not here.
   */
  touch(fileId: FileId, pageIndex: number, version: string): boolean;
  deleteFile(fileId: FileId): Promise<void>;
  fileInfo(fileId: FileId): CachedFileInfo | undefined;
  files(): Iterable<CachedFileInfo>;
  stats(): PageStoreStats;
  /**
   * A small real I/O round trip through the store's storage (LOCAL: write, read back and remove
   * a probe file in every dir); rejects naming what failed. It may hang when the disk or the I/O
   * thread pool is stuck: callers put a timeout on it.
   */
  probe(): Promise<void>;
  close(): Promise<void>;
}

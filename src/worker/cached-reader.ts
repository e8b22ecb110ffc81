import { Readable } from 'node:stream';
import { AlluxioError } from '../common/errors.js';
import type { Logger } from '../common/logging.js';
import { metrics } from '../common/metrics.js';
import { SizedBufferPools } from '../common/buffer-pool.js';
import { TtlCache } from '../common/ttl-cache.js';
import { fileIdOf } from '../pagestore/index.js';
import type { FileId, PageStore } from '../pagestore/page-store.js';
import { releaseReadChunk } from '../ufs/read-arenas.js';
import { ufsVersion, type UfsStatus, type UnderFileSystem } from '../ufs/under-file-system.js';
import type { PageSource } from './peer-page-source.js';

export interface CachedReaderOptions {
  /** Pages fetched ahead of a sequential reader. */
  readAheadPages: number;
  metadataTtlMs: number;
  metadataMaxSize: number;
  /** Longest run of missing pages fetched with one UFS read. */
  maxRunPages?: number;
  /** Bytes of pages that may wait to be stored; past it a page is served but not cached. */
  maxPendingWriteBytes?: number;
  /** Where to look for missing pages before the UFS (the previous owner after a ring change). */
  peer?: PageSource;
}

/** What one read works against: a single UFS version of a single file, fixed for the whole read. */
export interface ReadTarget {
  readonly ufs: UnderFileSystem;
  readonly ufsUri: string;
  readonly fileId: FileId;
  readonly version: string;
  readonly length: number;
  /**
   * 'load': a job's load of the file (job-task-service.ts). Its bytes are not user reads: cached
   * pages are not counted as hits and fetched pages go to the job's own counter, not the misses.
   */
  readonly purpose?: 'load';
}

/**
 * The worker's read-through path (DESIGN.md §5, §8). A read is pinned to the UFS version seen at its
 * start, so it never mixes pages of two versions: cached pages of another version are dropped by the
 * store, and a UFS read that finds the object changed fails with ALX_ERR_STALE instead of serving a mix.
 * Missing pages are fetched as runs with one UFS stream each, streamed to the caller while each page
 * is assembled and stored; concurrent readers of a page in flight wait for it (single-flight).
 */
export class CachedReader {
  private readonly inflight = new Map<string, Promise<Buffer>>();
  /** Page writes to the store in flight, by page key: each settles when its page is stored or given up. */
  private readonly writes = new Map<string, Promise<void>>();
  private readonly statusCache: TtlCache<string, UfsStatus>;
  private readonly lastReadEnd: TtlCache<FileId, number>;
  private readonly maxRunPages: number;
  private readonly maxPendingWriteBytes: number;
  private pendingWriteBytes = 0;
  /**
   * Buffers for pages assembled from UFS chunks, the last page of a file (shorter) too; see
   * BufferPool for who holds them when.
   */
  private readonly pagePool: SizedBufferPools;
  readonly pageSize: number;

  constructor(private readonly store: PageStore, private readonly opts: CachedReaderOptions, private readonly log?: Logger) {
    this.pageSize = store.pageSize;
    this.statusCache = new TtlCache(opts.metadataMaxSize, opts.metadataTtlMs);
    this.lastReadEnd = new TtlCache(10_000, 60_000);
    this.maxRunPages = opts.maxRunPages ?? 64;
    this.maxPendingWriteBytes = opts.maxPendingWriteBytes ?? 256 * 1024 * 1024;
    this.pagePool = new SizedBufferPools(this.pageSize, 64 * this.pageSize);
  }

  /** The UFS status, from the metadata cache while it is fresh. */
  async status(ufs: UnderFileSystem, ufsUri: string): Promise<UfsStatus> {
    const cached = this.statusCache.get(ufsUri);
    if (cached) return cached;
    const s = await ufs.getStatus(ufsUri);
    this.statusCache.set(ufsUri, s);
    return s;
  }

  /**
   * Hands back a chunk (a view of a page buffer) that a read yielded, once it has been sent: every
   * chunk a read yields carries one reference for its consumer (see BufferPool). Consumers that
   * keep chunks simply never release them.
   */
  release(chunk: Uint8Array): void {
    this.pagePool.release(chunk);
    this.store.release(chunk);
  }

  /** The metadata-cache entry for a UFS URI while it is fresh, without fetching it. */
  cachedStatus(ufsUri: string): UfsStatus | undefined {
    return this.statusCache.get(ufsUri);
  }

  /** Forgets cached metadata (and, with dropPages, cached pages) of a file the caller changed. */
  async invalidate(ufsUri: string, dropPages = true): Promise<void> {
    this.statusCache.delete(ufsUri);
    if (dropPages) await this.store.deleteFile(fileIdOf(ufsUri));
  }

  invalidatePrefix(prefix: string): void {
    this.statusCache.deleteWhere((k) => k.startsWith(prefix));
  }

  /**
   * The UFS status fetched now, replacing the cached entry: for a reader that pinned a version the
   * cached entry does not have (the entry may be stale within its TTL).
   */
  async refreshStatus(ufs: UnderFileSystem, ufsUri: string): Promise<UfsStatus> {
    this.statusCache.delete(ufsUri);
    return this.status(ufs, ufsUri);
  }

  /**
   * Streams [start, end) of one version of a file. Internal: the data path (data-path.ts) has
   * checked the range against that version's length. `readAhead: false` turns off the prefetch
   * after a sequential read, for callers that read the next range themselves.
   */
  openRange(t: ReadTarget, start: number, end: number, readAhead: boolean): Readable {
    return Readable.from(this.readPages(t, start, end, readAhead), { objectMode: false, highWaterMark: 4 });
  }

  private async *readPages(t: ReadTarget, start: number, end: number, readAhead: boolean): AsyncGenerator<Buffer> {
    if (end <= start) return;
    const ps = this.pageSize;
    const first = Math.floor(start / ps);
    const last = Math.floor((end - 1) / ps);
    const sequential = this.lastReadEnd.get(t.fileId) === start;
    this.lastReadEnd.set(t.fileId, end);
    let p = first;
    // Cached pages are read a few ahead of the one being sent, so disk reads overlap socket writes.
    const ahead = new Map<number, Promise<Buffer | null>>();
    const pageAt = (i: number): Promise<Buffer | null> => {
      let pr = ahead.get(i);
      if (!pr) {
        pr = this.cachedPart(t, i, start, end);
        pr.catch(() => {});
        ahead.set(i, pr);
      }
      return pr;
    };
    while (p <= last) {
      for (let i = p + 1; i <= Math.min(last, p + CACHED_READ_AHEAD); i++) {
        if (!ahead.has(i) && this.store.has(t.fileId, i, t.version)) pageAt(i);
      }
      const part = await pageAt(p);
      ahead.delete(p);
      if (part) {
        if (t.purpose === undefined) metrics.cachedDataReadBytes.inc(part.length);
        yield part;
        p++;
        continue;
      }
      let q = p;
      while (q < last && q - p + 1 < this.maxRunPages && !this.inflight.has(pageKey(t, q + 1)) && !this.store.has(t.fileId, q + 1, t.version)) q++;
      const done = yield* this.loadRun(t, p, q, start, end);
      for (let i = p; i <= q; i++) ahead.delete(i);
      // done < p: another reader's load of page p started meanwhile, wait for it (next turn); a
      // run cut short at a page another load has taken goes on from there.
      p = done + 1;
    }
    if (readAhead && sequential && this.opts.readAheadPages > 0) this.readAhead(t, last + 1, last + this.opts.readAheadPages);
  }

  /**
   * The part of page p inside [start, end), from the store or from a load in flight; null when the
   * page must be loaded. Only that part is read from the store (a 4 KiB read of a 1 MiB page reads
   * 4 KiB from disk once the page has been checked whole).
   */
  private async cachedPart(t: ReadTarget, p: number, start: number, end: number): Promise<Buffer | null> {
    const base = p * this.pageSize;
    const from = Math.max(start - base, 0);
    const to = Math.min(end - base, this.pageSize, t.length - base);
    const pending = this.inflight.get(pageKey(t, p));
    if (pending) {
      try {
        const shared = await pending;
        this.pagePool.retain(shared); // this reader's consumer holds it too
        return shared.subarray(from, to);
      } catch { /* the loader failed: load it ourselves */ }
    }
    const whole = from === 0 && to === Math.min(this.pageSize, t.length - base);
    const page = await this.store.get(t.fileId, p, t.version, whole ? undefined : { offset: from, length: to - from });
    if (page === null) return null;
    if (page.length < to - from) {
      this.store.release(page); // shorter than this version's page: not this version's bytes
      return null;
    }
    return whole ? page.subarray(0, to) : page;
  }

  /**
   * Fetches pages p..q with one UFS read, yielding the parts inside [start, end) as bytes arrive
   * and storing each page as it completes; returns the last page it covered. The caller looked
   * (cachedPage) before an await, so the single-flight check is repeated here, in the same
   * synchronous step that registers this load (groupcache's re-check inside the flight): when a
   * load of page p is already in flight, nothing is loaded (returns p - 1), and the run is cut
   * before any later page another load has taken.
   */
  private async *loadRun(t: ReadTarget, p: number, q: number, start: number, end: number): AsyncGenerator<Buffer, number> {
    const ps = this.pageSize;
    if (this.inflight.has(pageKey(t, p))) return p - 1;
    for (let i = p + 1; i <= q; i++) {
      if (this.inflight.has(pageKey(t, i))) {
        q = i - 1;
        break;
      }
    }
    const waiters = new Map<number, { resolve(b: Buffer): void; reject(e: unknown): void }>();
    for (let i = p; i <= q; i++) {
      const key = pageKey(t, i);
      const promise = new Promise<Buffer>((resolve, reject) => waiters.set(i, { resolve, reject }));
      promise.catch(() => {});
      this.inflight.set(key, promise);
    }
    // [peer-lookup] After a ring change, the previous owner likely has these pages: take what it has.
    if (this.opts.peer) {
      p = yield* this.loadFromPeer(this.opts.peer, t, p, q, start, end, waiters);
      if (p > q) return q;
    }
    const runStart = p * ps;
    const runEnd = Math.min((q + 1) * ps, t.length);
    let page = p;
    let pageLen = Math.min(ps, t.length - page * ps);
    // Allocated only when a page has to be assembled from several chunks.
    let buf: Buffer | undefined;
    let filled = 0;
    // Bytes of the current page already passed on: small UFS chunks (S3 sends 16-64 KiB) are passed
    // on in batches of YIELD_BYTES, which saves a socket write per chunk downstream.
    let sent = 0;
    const stream = await this.openUfs(t, runStart, runEnd - runStart, waiters, p, q);
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        let off = 0;
        // Whether a page is a view of this chunk: the chunk's memory is then the page's, not ours to give back.
        let kept = false;
        while (off < chunk.length) {
          if (page > q) throw new AlluxioError('ALX_ERR_STALE', `${t.ufsUri} returned more bytes than expected: it changed during the read`);
          const n = Math.min(chunk.length - off, pageLen - filled);
          // A chunk that holds a whole page becomes the page itself: no copy.
          if (filled === 0 && n === pageLen) {
            buf = chunk.subarray(off, off + n);
            kept = true;
          } else chunk.copy((buf ??= this.pagePool.acquire(pageLen)), filled, off, off + n);
          filled += n;
          off += n;
          if (filled === pageLen || filled - sent >= YIELD_BYTES) {
            const base = page * ps;
            const from = Math.max(base + sent, start);
            const to = Math.min(base + filled, end);
            sent = filled;
            if (to > from) {
              (t.purpose === undefined ? metrics.missedDataReadBytes : metrics.jobLoadedBytes).inc(to - from);
              this.pagePool.retain(buf); // the consumer's reference
              yield buf.subarray(from - base, to - base);
            }
          }
          if (filled === pageLen) {
            this.completePage(t, page, buf, waiters);
            // The loader's own reference, given back once readers waiting on this page have resumed
            // (in microtasks) and taken theirs: an immediate release could recycle it under them.
            const done = buf;
            setImmediate(() => this.pagePool.release(done));
            page++;
            pageLen = Math.min(ps, t.length - page * ps);
            buf = undefined;
            filled = 0;
            sent = 0;
          }
        }
        // Every byte of the chunk is now in page buffers: its read arena can be reused.
        if (!kept) releaseReadChunk(chunk);
      }
      if (page <= q) throw new AlluxioError('ALX_ERR_STALE', `${t.ufsUri} ended early at byte ${page * ps + filled} of ${t.length}: it changed during the read`);
      return q;
    } catch (err) {
      if ((err as AlluxioError).code === 'ALX_ERR_STALE') this.dropStale(t);
      throw err;
    } finally {
      (stream as Readable).destroy?.();
      if (buf !== undefined) this.pagePool.release(buf); // a page left half-filled
      for (let i = page; i <= q; i++) this.failPage(t, i, waiters);
    }
  }

  /**
   * [peer-lookup] Pages p.. from the peer source, each stored and its part inside [start, end)
   * yielded once complete. Returns the first page still missing; a failing peer only costs the
   * pages it did not deliver (they come from the UFS next).
   */
  private async *loadFromPeer(peer: PageSource, t: ReadTarget, p: number, q: number, start: number, end: number,
    waiters: Map<number, { resolve(b: Buffer): void; reject(e: unknown): void }>): AsyncGenerator<Buffer, number> {
    const ps = this.pageSize;
    let page = p;
    let finished = false;
    let stream: Readable | undefined;
    try {
      const opened = await peer.openPages({ ufsUri: t.ufsUri, fileId: t.fileId, version: t.version, fileLength: t.length, first: p, last: q }).catch(() => null);
      if (!opened) {
        finished = true;
        return p;
      }
      stream = opened.stream;
      const stop = Math.min(q, p + opened.count - 1);
      let buf = Buffer.allocUnsafe(Math.min(ps, t.length - page * ps));
      let filled = 0;
      try {
        for await (const chunk of stream as AsyncIterable<Buffer>) {
          let off = 0;
          while (off < chunk.length && page <= stop) {
            const n = Math.min(chunk.length - off, buf.length - filled);
            chunk.copy(buf, filled, off, off + n);
            filled += n;
            off += n;
            if (filled < buf.length) continue;
            const done = buf;
            this.completePage(t, page, done, waiters);
            peer.recordBytes(done.length);
            const from = Math.max(start - page * ps, 0);
            const to = Math.min(end - page * ps, done.length);
            page++;
            if (page <= stop) buf = Buffer.allocUnsafe(Math.min(ps, t.length - page * ps));
            filled = 0;
            // Neither a hit nor a miss: peer.recordBytes counted the page (alluxio_peer_page_read_bytes_total).
            if (to > from) yield done.subarray(from, to);
          }
          if (page > stop) break;
        }
      } catch (err) {
        this.log?.debug({ err: (err as Error).message, ufsUri: t.ufsUri, page }, 'previous owner stopped mid-answer; reading the rest from the UFS');
      }
      finished = true;
      return page;
    } finally {
      stream?.destroy();
      if (!finished) for (let i = page; i <= q; i++) this.failPage(t, i, waiters); // the reader went away
    }
  }

  private async openUfs(t: ReadTarget, offset: number, length: number, waiters: Map<number, { reject(e: unknown): void }>, p: number, q: number): Promise<Readable> {
    try {
      return await t.ufs.openRead(t.ufsUri, offset, length, { version: t.version });
    } catch (err) {
      for (let i = p; i <= q; i++) this.failPage(t, i, waiters);
      if ((err as AlluxioError).code === 'ALX_ERR_STALE') this.dropStale(t);
      throw err;
    }
  }

  /**
   * The UFS no longer has version t.version: forget the metadata, so the next read sees the new
   * version, and the pages of that version, which nothing can serve any more.
   */
  private dropStale(t: ReadTarget): void {
    const cached = this.statusCache.get(t.ufsUri);
    if (cached !== undefined && ufsVersion(cached) === t.version) this.statusCache.delete(t.ufsUri);
    if (this.store.fileInfo(t.fileId)?.version === t.version) {
      this.store.deleteFile(t.fileId).catch((err) => this.log?.warn({ err: (err as Error).message, ufsUri: t.ufsUri }, 'stale pages not dropped'));
    }
  }

  private completePage(t: ReadTarget, p: number, buf: Buffer, waiters: Map<number, { resolve(b: Buffer): void }>): void {
    waiters.get(p)?.resolve(buf);
    waiters.delete(p);
    const key = pageKey(t, p);
    // Readers never wait for the cache disk: when it falls behind, the page is served uncached.
    // A short page counts the pooled buffer it holds (up to 4x its length), not its length.
    const held = this.pagePool.footprint(buf.length);
    if (this.pendingWriteBytes + held > this.maxPendingWriteBytes) {
      metrics.skippedPages.inc();
      this.inflight.delete(key);
      return;
    }
    this.pendingWriteBytes += held;
    this.pagePool.retain(buf); // the page write's reference
    // Keep the in-flight entry until the page is stored, so readers never see a gap between the two.
    const write = this.store.put(t.fileId, p, buf, { ufsUri: t.ufsUri, version: t.version })
      .catch((err) => this.log?.warn({ err: (err as Error).message, ufsUri: t.ufsUri, page: p }, 'page not cached'))
      .finally(() => {
        this.pendingWriteBytes -= held;
        this.inflight.delete(key);
        this.writes.delete(key);
        this.pagePool.release(buf);
      });
    this.writes.set(key, write);
  }

  /** Bytes of pages waiting to be stored, and the limit past which pages are served uncached. */
  get pendingWrites(): { bytes: number; limit: number } {
    return { bytes: this.pendingWriteBytes, limit: this.maxPendingWriteBytes };
  }

  /** Whether pages from..to of this version are all in the store (none of them still being written). */
  allCached(t: ReadTarget, from: number, to: number): boolean {
    for (let i = from; i <= to; i++) if (!this.store.has(t.fileId, i, t.version)) return false;
    return true;
  }

  /**
   * Resolves once no load or write of this page of this version is in flight (it was stored, or
   * given up): what a job's load of a file waits for before it reports the file cached.
   */
  async pageSettled(t: ReadTarget, p: number): Promise<void> {
    const key = pageKey(t, p);
    for (;;) {
      const write = this.writes.get(key);
      if (write !== undefined) {
        await write;
        continue;
      }
      const load = this.inflight.get(key);
      if (load === undefined) return;
      // Its loader stores the page (or drops the entry) in the step that settles the load.
      await load.catch(() => undefined);
      if (!this.writes.has(key) && this.inflight.get(key) === load) return;
    }
  }

  private failPage(t: ReadTarget, p: number, waiters: Map<number, { reject(e: unknown): void }>): void {
    const w = waiters.get(p);
    if (!w) return;
    waiters.delete(p);
    this.inflight.delete(pageKey(t, p));
    w.reject(new Error('load abandoned'));
  }

  /** Loads pages from..to in the background if missing; errors only cost the prefetch. */
  private readAhead(t: ReadTarget, from: number, to: number): void {
    const lastPage = Math.ceil(t.length / this.pageSize) - 1;
    const hi = Math.min(to, lastPage);
    let lo = from;
    while (lo <= hi && (this.inflight.has(pageKey(t, lo)) || this.store.has(t.fileId, lo, t.version))) lo++;
    if (lo > hi) return;
    void (async () => {
      for await (const _ of this.loadRun(t, lo, hi, 0, 0)) { /* nothing is inside [0,0): only fills the cache */ }
    })().catch(() => {});
  }
}

/** Bytes of a page assembled from UFS chunks that are passed on at once (or the whole page). */
const YIELD_BYTES = 256 * 1024;

/** Cached pages read ahead of the page being sent. */
const CACHED_READ_AHEAD = 8;

function pageKey(t: ReadTarget, p: number): string {
  return `${t.fileId}:${p}:${t.version}`;
}

import { AlluxioError } from '../common/errors.js';
import type { AlluxioClient } from '../client/alluxio-client.js';
import type { ByteBudget } from './byte-budget.js';
import type { DirectFile } from '../client/direct-pages.js';
import type { VersionPin } from './page-cache-groups.js';

export interface ReaderSettings {
  /** Bytes per request to a worker (alluxio.fuse.read.chunk.size). */
  chunkSize: number;
  /** Chunks fetched ahead of a sequential reader (alluxio.fuse.read.ahead.chunks). */
  aheadChunks: number;
  /** Bytes every open file together may hold (alluxio.fuse.read.buffer.size). */
  budget: ByteBudget;
}

interface Chunk {
  /** Resolves to the chunk's bytes as received; rejected promises are observed (never unhandled). */
  readonly data: Promise<Parts>;
  readonly bytes: number;
}

/**
 * Bytes as the socket delivered them, not joined into one buffer: a read copies straight from
 * them into the kernel's buffer (joining cost a copy and a chunk-sized allocation per chunk).
 */
class Parts {
  constructor(private readonly bufs: Buffer[]) {}

  /** Copies [from, to) of these bytes into `dst` at `at`; returns the count. */
  copy(dst: Buffer, at: number, from: number, to: number): number {
    let base = 0;
    let n = 0;
    for (const b of this.bufs) {
      const end = base + b.length;
      if (end > from) {
        const s = Math.max(from, base) - base;
        const e = Math.min(to, end) - base;
        n += b.copy(dst, at + n, s, e);
        if (end >= to) break;
      }
      base = end;
    }
    return n;
  }
}

/**
 * The reads of one open file. Every byte comes from one UFS version: the first answer's version
 * is pinned (for every open file of its page-cache group) and every later request names it, so a file replaced while open fails the read
 * (ALX_ERR_STALE) instead of mixing the two. Requests are chunk-sized and aligned (the worker's
 * pages); a sequential reader gets the next chunks fetched ahead, a random read fetches only the
 * bytes it asked for. Chunks are held only within the mount-wide budget: past it, a read fetches
 * just the bytes it asked for and keeps nothing.
 */
export class FileReader {
  private readonly chunks = new Map<number, Chunk>();
  private nextSequential = 0;
  private closed = false;

  /**
   * `direct`: page files of a worker on this host, read once the version is pinned (see
   * DirectPages). `pin`: the version pin, shared by the open files of one page-cache group
   * (page-cache-groups.ts), possibly pinned already; a reader of its own by default.
   */
  constructor(private readonly client: AlluxioClient, readonly path: string, readonly length: number, private readonly s: ReaderSettings,
    private readonly direct?: DirectFile, private readonly pin: VersionPin = {}) {}

  private get version(): string | undefined {
    return this.pin.version;
  }

  private set version(v: string | undefined) {
    this.pin.version = v;
  }

  /** The first request, which every other waits for until the version is pinned. */
  private get pinning(): Promise<unknown> | undefined {
    return this.pin.pinning;
  }

  private set pinning(p: Promise<unknown> | undefined) {
    this.pin.pinning = p;
  }

  /** The version every read of this file is pinned to, once the first answer named one. */
  get pinnedVersion(): string | undefined {
    return this.version;
  }

  /** The page files this reader reads directly, if any (undefined once closed). */
  get directFile(): DirectFile | undefined {
    return this.closed ? undefined : this.direct;
  }

  /** Copies up to `len` bytes at `offset` into `buf` and returns the count (0 at the end). */
  async read(buf: Buffer, len: number, offset: number): Promise<number> {
    const end = Math.min(offset + len, this.length);
    if (offset >= end) return 0;
    if (this.direct !== undefined) {
      // Reads that come while the first one pins the version wait for it, then try the page files too.
      if (this.version === undefined && this.pinning !== undefined) await this.pinning.catch(() => {});
      if (this.version !== undefined && !this.closed && await this.readDirect(buf, offset, end)) {
        this.nextSequential = end;
        return end - offset;
      }
    }
    const cs = this.s.chunkSize;
    const first = Math.floor(offset / cs);
    const last = Math.floor((end - 1) / cs);
    // With page files on this host, the read that pins the version takes just its bytes from the
    // worker (no chunks, no read-ahead): the reads after it come from the page files.
    const pinsForDirect = this.direct !== undefined && this.version === undefined;
    const sequential = !pinsForDirect && (offset === this.nextSequential || this.chunks.has(first));
    this.nextSequential = end;
    // One chunk behind is kept: the kernel sends read-ahead requests in parallel, slightly out of order.
    this.dropBefore(first - 1);
    let copied = 0;
    for (let i = first; i <= last; i++) {
      const chunkStart = i * cs;
      const from = Math.max(offset, chunkStart);
      const to = Math.min(end, chunkStart + cs);
      // A random read takes just its bytes: a whole chunk per 4 KiB read would move 256x the data.
      const chunk = sequential ? this.chunk(i) : this.chunks.get(i);
      if (chunk) {
        copied += (await chunk.data).copy(buf, copied, from - chunkStart, to - chunkStart);
      } else {
        // A random read, or no room in the budget: fetch only what this call needs, keep nothing.
        copied += (await this.fetch(from, to - from)).copy(buf, copied, 0, to - from);
      }
    }
    if (sequential) for (let i = last + 1; i <= last + this.s.aheadChunks; i++) if (!this.chunk(i)) break;
    return copied;
  }

  /**
   * The read done at once, when every page it touches has a checked page-file descriptor on this
   * host (DirectFile.readHeldSync); undefined when it must take the async path (`read`).
   */
  readSync(buf: Buffer, len: number, offset: number): number | undefined {
    if (this.direct === undefined || this.version === undefined || this.closed) return undefined;
    const end = Math.min(offset + len, this.length);
    if (offset >= end) return 0;
    const ps = this.direct.pageSize;
    for (let p = Math.floor(offset / ps), at = 0; p * ps < end; p++) {
      const from = Math.max(offset, p * ps);
      const to = Math.min(end, (p + 1) * ps);
      if (!this.direct.readHeldSync(this.version, p, from - p * ps, to - p * ps, buf, at)) return undefined;
      at += to - from;
    }
    this.nextSequential = end;
    return end - offset;
  }

  /**
   * [offset, end) straight into `buf` from page files on this host, every page of the pinned
   * version; false when any page is not there (the caller then reads the whole range as usual).
   */
  private async readDirect(buf: Buffer, offset: number, end: number): Promise<boolean> {
    const ps = this.direct!.pageSize;
    for (let p = Math.floor(offset / ps), at = 0; p * ps < end; p++) {
      const from = Math.max(offset, p * ps);
      const to = Math.min(end, (p + 1) * ps);
      if (!(await this.direct!.readInto(this.version!, p, from - p * ps, to - p * ps, buf, at))) return false;
      at += to - from;
    }
    return true;
  }

  /** Drops every held chunk; later reads fail. */
  close(): void {
    this.closed = true;
    this.direct?.close();
    this.dropBefore(Number.MAX_SAFE_INTEGER);
  }

  /** The held or newly started chunk i; undefined when past the end or over the budget. */
  private chunk(i: number): Chunk | undefined {
    const held = this.chunks.get(i);
    if (held) return held;
    const start = i * this.s.chunkSize;
    if (start >= this.length || this.closed) return undefined;
    const bytes = Math.min(this.s.chunkSize, this.length - start);
    if (!this.s.budget.tryAcquire(bytes)) return undefined;
    const data = this.fetch(start, bytes);
    const chunk: Chunk = { data, bytes };
    this.chunks.set(i, chunk);
    // A failed chunk is forgotten (a later read asks again); a read-ahead failure is only seen by a reader that needs it.
    data.catch(() => {
      if (this.chunks.get(i) === chunk) this.drop(i, chunk);
    });
    return chunk;
  }

  private dropBefore(index: number): void {
    for (const [i, c] of this.chunks) if (i < index) this.drop(i, c);
  }

  private drop(i: number, c: Chunk): void {
    this.chunks.delete(i);
    this.s.budget.release(c.bytes);
  }

  /** Exactly `n` bytes at `offset` of the pinned version. */
  private async fetch(offset: number, n: number): Promise<Parts> {
    if (this.version === undefined && this.pinning !== undefined) await this.pinning.catch(() => {});
    const pin = this.version === undefined;
    const p = this.fetchOnce(offset, n);
    if (pin) this.pinning = p;
    return p;
  }

  private async fetchOnce(offset: number, n: number): Promise<Parts> {
    const r = await this.client.read(this.path, offset, n, this.version !== undefined ? { version: this.version } : {});
    if (this.version === undefined && r.version !== undefined) this.version = r.version;
    const bufs: Buffer[] = [];
    let got = 0;
    try {
      for await (const c of r.stream as AsyncIterable<Buffer>) {
        if (got + c.length > n) throw short(this.path, offset, n, got + c.length);
        bufs.push(c);
        got += c.length;
      }
    } finally {
      r.stream.destroy();
    }
    if (got !== n) throw short(this.path, offset, n, got);
    return new Parts(bufs);
  }
}

function short(path: string, offset: number, n: number, got: number): AlluxioError {
  return new AlluxioError('ALX_ERR_STALE', `${path} changed while open: expected ${n} bytes at ${offset}, got ${got} (reopen the file)`);
}

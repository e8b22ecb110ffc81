import fs from 'node:fs';
import { readFile } from 'node:fs/promises';
import { BufferPool } from '../common/buffer-pool.js';
import { crc32 } from '../common/crc32.js';
import { fileIdOf, PageLayout } from '../pagestore/page-layout.js';
import { parseSidecar, type SidecarContent } from '../pagestore/page-sidecar.js';
import type { FileId } from '../pagestore/page-store.js';

/**
 * Checked page-file descriptors kept by the process (FUSE mount or client), least recently used closed first: a 1 GiB file
 * at 1 MiB pages. An evicted page's file stays on disk while its descriptor is open, so this also
 * bounds the disk space the mount can hold on to (this many pages).
 */
const MAX_CHECKED_FDS = 1024;
/** How often one open file reads the sidecar again when it lacks a page (the worker writes it in batches). */
const SIDECAR_RETRY_MS = 1000;

/** Told when a checked descriptor is kept and when it is dropped (the FUSE binding's fast-read table mirrors them). */
export interface CheckedFdListener {
  kept(fileId: FileId, page: number, fd: number, version: string): void;
  dropped(fileId: FileId, page: number, version: string): void;
}

/** Told of every page a read was served from (the FUSE process reports them to the worker: page-read-report.ts). */
export interface PageReadListener {
  note(fileId: FileId, version: string, page: number): void;
}

/**
 * Page files of the workers on this host, read directly by a co-located process (issue 16: "or reads
 * page files directly when the page store is shared with it"): the FUSE process (its configuration
 * names the dirs) and the client's short-circuit read (short-circuit-read.ts: the worker names them
 * over its domain socket). No request to the worker for the bytes, no socket buffers. Nothing is trusted without proof: a page is served only if the file's sidecar names
 * the version the open file is pinned to, and the page file read whole matches the sidecar's CRC
 * for it (so a page of another version, a half-written or corrupt page is never served: the read
 * goes to the worker instead). Page files are replaced by rename, never rewritten in place, so a
 * descriptor whose whole-page read passed the check serves later ranges of that page, for every
 * open of the file in that version, with one pread (a 4 KiB read costs 4 KiB, not a page and a
 * checksum). The worker's evictor sees these reads only when the caller reports them (the client
 * per read, short-circuit-read.ts; the FUSE process through `reads`, page-read-report.ts).
 */
export class DirectPages {
  private readonly layouts: PageLayout[];
  /** Whole-page buffers for the check. */
  readonly pool: BufferPool;

  /** By `${fileId}:${page}`; Map order is the LRU order. */
  private readonly checked = new Map<string, CheckedFd>();
  /** Called synchronously: a kept descriptor is open during `kept`, a dropped one until after `dropped`. */
  listener: CheckedFdListener | undefined;
  /** Told of each page served (called synchronously, once per page per read). */
  reads: PageReadListener | undefined;

  /** `count` is told the bytes of every read served from a page file (the caller's metric). */
  constructor(dirs: readonly string[], readonly pageSize: number, buckets: number, readonly count: (bytes: number) => void) {
    this.layouts = dirs.map((d) => new PageLayout(d, pageSize, buckets));
    this.pool = new BufferPool(pageSize, 8);
  }

  /** The checked descriptor of that page of that version, with a use taken (give it back with `done`). */
  use(fileId: FileId, p: number, version: string): CheckedFd | undefined {
    const key = `${fileId}:${p}`;
    const c = this.checked.get(key);
    if (c === undefined || c.version !== version) return undefined;
    this.checked.delete(key);
    this.checked.set(key, c);
    c.users++;
    return c;
  }

  done(c: CheckedFd): void {
    if (--c.users === 0 && c.dropped) fs.close(c.fd, () => {});
  }

  /** Keeps a descriptor whose whole-page read passed the check (replacing any other of that page). */
  keep(fileId: FileId, p: number, fd: number, version: string): void {
    const key = `${fileId}:${p}`;
    this.drop(key);
    this.checked.set(key, { fileId, page: p, fd, version, users: 0, dropped: false });
    this.listener?.kept(fileId, p, fd, version);
    if (this.checked.size > MAX_CHECKED_FDS) this.drop(this.checked.keys().next().value!);
  }

  /** The checked descriptors held of that file's version, by page (no use taken: read them synchronously). */
  *held(fileId: FileId, version: string): Generator<[page: number, fd: number]> {
    for (const c of this.checked.values()) if (c.fileId === fileId && c.version === version) yield [c.page, c.fd];
  }

  /** Forgets a page's descriptor; it is closed once no read uses it (a closed number may be reused at once). */
  forget(fileId: FileId, p: number, c: CheckedFd): void {
    const key = `${fileId}:${p}`;
    if (this.checked.get(key) === c) this.drop(key);
  }

  private drop(key: string): void {
    const c = this.checked.get(key);
    if (c === undefined) return;
    this.checked.delete(key);
    c.dropped = true;
    this.listener?.dropped(c.fileId, c.page, c.version);
    if (c.users === 0) fs.close(c.fd, () => {});
  }

  /** Closes every kept descriptor (each once no read uses it). */
  close(): void {
    for (const key of [...this.checked.keys()]) this.drop(key);
  }

  /** Only directories that exist on this host are looked at. */
  static existing(dirs: readonly string[], pageSize: number, buckets: number, count: (bytes: number) => void): DirectPages | undefined {
    const here = dirs.filter((d) => fs.existsSync(d));
    return here.length > 0 ? new DirectPages(here, pageSize, buckets, count) : undefined;
  }

  /** The direct reader of one open file (one UFS file of `length` bytes). */
  forFile(ufsUri: string, length: number): DirectFile {
    return new DirectFile(this, this.layouts, fileIdOf(ufsUri), length);
  }
}

interface CheckedFd {
  readonly fileId: FileId;
  readonly page: number;
  readonly fd: number;
  readonly version: string;
  users: number;
  dropped: boolean;
}

/** The direct page reads of one open file; close() closes its descriptors. */
export class DirectFile {
  private sidecar: SidecarContent | undefined;
  private sidecarLayout: PageLayout | undefined;
  private sidecarReadAt = -Infinity;
  private sidecarLoading: Promise<void> | undefined;
  private closed = false;

  constructor(private readonly owner: DirectPages, private readonly layouts: readonly PageLayout[], readonly fileId: FileId, readonly length: number) {}

  get pageSize(): number {
    return this.owner.pageSize;
  }

  /**
   * Copies bytes [from, to) of page `p` of `version` into `dst` at `at`. False when this page
   * cannot be proven to be that version's here (not cached on this host, another version, failed
   * its checksum, evicted): the caller reads it from the worker.
   */
  async readInto(version: string, p: number, from: number, to: number, dst: Buffer, at: number): Promise<boolean> {
    if (this.closed) return false;
    const n = to - from;
    const held = this.owner.use(this.fileId, p, version);
    if (held !== undefined) {
      let ok = false;
      try {
        ok = (await pread(held.fd, dst, at, n, from)) === n;
      } catch { /* forgotten below: the whole-page path decides */ }
      this.owner.done(held);
      if (ok) return this.served(version, p, n);
      this.owner.forget(this.fileId, p, held);
    }
    const crc = await this.checksum(version, p);
    if (crc === undefined || this.closed) return false;
    const expected = Math.min(this.owner.pageSize, this.length - p * this.owner.pageSize);
    let fd: number;
    try {
      fd = await openRegular(this.sidecarLayout!.pagePath(this.fileId, p));
    } catch {
      return false; // evicted (or never written here)
    }
    // A whole page is read and checked in place (a failed check leaves junk in dst: the caller
    // then fills it from the worker); part of one goes through a pooled buffer.
    const whole = from === 0 && to === expected;
    const buf = whole ? dst : this.owner.pool.acquire();
    const base = whole ? at : 0;
    let keep = false;
    try {
      const got = await pread(fd, buf, base, expected, 0);
      if (got !== expected || crc32(buf.subarray(base, base + expected)) !== crc || this.closed) return false;
      if (!whole) buf.copy(dst, at, from, to);
      keep = true;
      this.owner.keep(this.fileId, p, fd, version);
      return this.served(version, p, n);
    } catch {
      return false;
    } finally {
      if (!whole) this.owner.pool.release(buf);
      if (!keep) fs.close(fd, () => {});
    }
  }

  private served(version: string, p: number, n: number): true {
    this.owner.count(n);
    this.owner.reads?.note(this.fileId, version, p);
    return true;
  }

  /**
   * `readInto` without waiting: only when the owner holds a checked descriptor of the page, read
   * with a synchronous pread on the calling thread (no thread-pool hop). False when the page has no
   * checked descriptor or the pread fails or comes up short: the caller takes the async path,
   * which checks the page again.
   */
  readHeldSync(version: string, p: number, from: number, to: number, dst: Buffer, at: number): boolean {
    if (this.closed) return false;
    const held = this.owner.use(this.fileId, p, version);
    if (held === undefined) return false;
    const n = to - from;
    let got = -1;
    try {
      got = preadSync(held.fd, dst, at, n, from);
    } catch { /* forgotten below: the async path decides */ }
    this.owner.done(held);
    if (got === n) return this.served(version, p, n);
    this.owner.forget(this.fileId, p, held);
    return false;
  }

  /** Later reads are refused; the checked descriptors stay with the owner (mount or client) for the next open. */
  close(): void {
    this.closed = true;
  }

  /** The sidecar's CRC of page p when the sidecar names `version`; read again (throttled) when it lacks the page. */
  private async checksum(version: string, p: number): Promise<number | undefined> {
    // Page reads run concurrently (read-ahead): they share one sidecar load.
    if (this.sidecarLoading !== undefined) await this.sidecarLoading;
    const crc = this.sidecar?.version === version ? this.sidecar.checksums[p] : undefined;
    if (crc !== undefined || performance.now() - this.sidecarReadAt < SIDECAR_RETRY_MS) return crc;
    this.sidecarReadAt = performance.now();
    this.sidecarLoading = this.loadSidecar().finally(() => { this.sidecarLoading = undefined; });
    await this.sidecarLoading;
    return this.sidecar?.version === version ? this.sidecar.checksums[p] : undefined;
  }

  private async loadSidecar(): Promise<void> {
    for (const layout of this.layouts) {
      const text = await readFile(layout.sidecarPath(this.fileId), 'utf8').catch(() => undefined);
      if (text === undefined) continue;
      const parsed = parseSidecar(text, this.fileId, this.owner.pageSize);
      if (typeof parsed === 'string') continue;
      this.sidecar = parsed;
      this.sidecarLayout = layout;
      return;
    }
    this.sidecar = undefined;
  }
}

function pread(fd: number, dst: Buffer, at: number, n: number, position: number): Promise<number> {
  return new Promise((resolve, reject) => {
    let done = 0;
    const next = (): void => fs.read(fd, dst, at + done, n - done, position + done, (err, got) => {
      if (err) return reject(err);
      done += got;
      if (got === 0 || done === n) resolve(done);
      else next();
    });
    next();
  });
}

function preadSync(fd: number, dst: Buffer, at: number, n: number, position: number): number {
  let done = 0;
  while (done < n) {
    const got = fs.readSync(fd, dst, at + done, n - done, position + done);
    if (got === 0) break;
    done += got;
  }
  return done;
}

/** Opens a page file non-blocking; anything but a regular file (a FIFO put there) is refused. */
function openRegular(path: string): Promise<number> {
  return new Promise((resolve, reject) => fs.open(path, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK | fs.constants.O_NOFOLLOW, (err, fd) => {
    if (err) return reject(err);
    fs.fstat(fd, (statErr, st) => {
      if (!statErr && st.isFile()) return resolve(fd);
      fs.close(fd, () => {});
      reject(statErr ?? new Error(`${path} is not a regular file`));
    });
  }));
}

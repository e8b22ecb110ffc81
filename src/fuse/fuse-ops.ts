import type { FuseOperations, FuseStat, FuseStatfs } from 'fuse-native';
import { constants as fsConstants } from 'node:fs';
import { constants } from 'node:os';
import { AlluxioError, NotFoundError } from '../common/errors.js';
import type { Logger } from '../common/logging.js';
import { metrics } from '../common/metrics.js';
import { joinPath, parentPath } from '../common/paths.js';
import type { AlluxioClient } from '../client/alluxio-client.js';
import type { ClientFileEntry } from '../common/protocol/index.js';
import { errnoOf } from './fuse-errno.js';
import { FileReader, type ReaderSettings } from './file-reader.js';
import { FileWriter } from './file-writer.js';
import type { ByteBudget } from './byte-budget.js';
import type { DirectFile, DirectPages } from '../client/direct-pages.js';
import type { MetadataCache } from './metadata-cache.js';
import type { FastReads } from './fast-reads.js';
import type { NativeFastReads } from './fuse-binding.js';
import type { CacheUse, PageCacheGroups, VersionPin } from './page-cache-groups.js';

export interface FuseOpsOptions {
  client: AlluxioClient;
  cache: MetadataCache;
  /** Alluxio path shown at the mount point (alluxio.fuse.mount.alluxio.path). */
  root: string;
  /** Deadline of every call in ms (alluxio.fuse.call.timeout). */
  callTimeoutMs: number;
  reader: Omit<ReaderSettings, 'budget'> & { budget: ByteBudget };
  writeBudget: ByteBudget;
  /** Page files of a worker on this host (alluxio.fuse.direct.page.read.enabled); undefined: every read goes to a worker. */
  direct?: DirectPages;
  /** The binding fork's table of reads answered on libfuse's thread (with `direct` only); undefined: stock binding. */
  fast?: FastReads;
  /**
   * The kernel page cache chosen per open (page-cache-groups.ts), through the binding fork's open
   * flags; undefined: stock binding, the mount options decide for every open.
   */
  pageCache?: { groups: PageCacheGroups; native: Pick<NativeFastReads, 'fuse_open_flags'> };
  /** The `ro` mount option: every change is EROFS. */
  readOnly: boolean;
  log: Logger;
}

/**
 * Entries per readdir request to a worker (the listing is paged, never one giant answer): the
 * worker's largest page, since a local UFS reads the whole directory again for every page.
 */
const LIST_PAGE = 10_000;
/** Largest file truncate() rewrites to a size other than 0 (read, cut or padded, written back). */
const TRUNCATE_REWRITE_MAX = 16 << 20;
/** How long statfs reuses the workers' cache numbers (df polls). */
const STATFS_TTL_MS = 5000;
const BLOCK = 4096;
/**
 * Largest read answered synchronously from a checked page-file descriptor (readNow). An
 * application's small random reads reach the mount one at a time and gain most from skipping the
 * thread pool; the kernel's sequential read-ahead comes in 128 KiB calls several at once, which
 * overlap better async (measured: a `cat` was slower with those synchronous too).
 */
const SYNC_READ_MAX = 64 * 1024;

const { O_WRONLY, O_RDWR, O_APPEND, O_TRUNC } = fsConstants;
const O_ACCMODE = 3;
const ETIMEDOUT = (constants.errno as Record<string, number>).ETIMEDOUT!;

interface Handle {
  path: string;
  reader?: FileReader;
  writer?: FileWriter;
  /** Opened for writing an existing non-empty file without O_TRUNC: any write is ENOTSUP. */
  refuseWrites?: boolean;
  /** How a reading handle uses the kernel page cache (with `pageCache`). */
  cacheUse?: CacheUse;
}

type Reply = (code: number, ...values: unknown[]) => void;

/**
 * The FUSE operations over the client library (DESIGN.md §8): metadata through a size- and
 * TTL-bounded cache, reads pinned to one version per open file (FileReader), writes streamed to
 * the UFS and committed on close (FileWriter). Every call answers within the call deadline, with
 * the errno the error table (src/common/errors.ts) gives the failure.
 */
export class FuseOps {
  private readonly handles = new Map<number, Handle>();
  /** Files being written, by mount path: getattr answers from here until they are committed. */
  private readonly writing = new Map<string, FileWriter>();
  private nextFd = 1;
  /** Calls started and not answered yet (a read goes synchronous only when this is 0). */
  private inFlight = 0;
  private statfsCache: { at: number; value: FuseStatfs } | undefined;
  private readonly uid = process.getuid?.() ?? 0;
  private readonly gid = process.getgid?.() ?? 0;
  private readonly startedAt = new Date();

  constructor(private readonly o: FuseOpsOptions) {}

  /** Open files (for /api/v1/info and tests). */
  get openFiles(): number {
    return this.handles.size;
  }

  /** The operations table handed to fuse-native. */
  operations(): FuseOperations {
    return {
      getattr: (p, cb) => this.call('getattr', cb, async () => [this.toStat(await this.entry(p))]),
      readdir: (p, cb) => this.call('readdir', cb, () => this.readdir(p)),
      open: (p, flags, cb) => this.call('open', cb, async () => [await this.open(p, flags)]),
      create: (p, _mode, cb) => this.call('create', cb, async () => [this.create(p)]),
      read: (_p, fd, buf, len, pos, cb) => {
        if (len <= SYNC_READ_MAX && this.inFlight === 0 && this.readNow(fd, buf, len, pos, cb)) return;
        this.callCount('read', cb, () => {
          const r = this.handle(fd).reader;
          return r ? this.readAsync(fd, r, buf, len, pos) : this.noReader(fd);
        });
      },
      write: (_p, fd, buf, len, pos, cb) => this.callCount('write', cb, () => this.write(fd, buf, len, pos)),
      flush: (_p, fd, cb) => this.call('flush', cb, async () => { await this.flush(fd); return []; }),
      fsync: (_p, _ds, fd, cb) => this.call('fsync', cb, async () => { await this.handles.get(fd)?.writer?.drain(); return []; }),
      release: (_p, fd, cb) => this.call('release', cb, async () => { await this.release(fd); return []; }),
      truncate: (p, size, cb) => this.call('truncate', cb, async () => { await this.truncate(p, size); return []; }),
      ftruncate: (p, _fd, size, cb) => this.call('ftruncate', cb, async () => { await this.truncate(p, size); return []; }),
      mkdir: (p, _mode, cb) => this.call('mkdir', cb, async () => { await this.change(p, (a) => this.o.client.mkdir(a)); return []; }),
      unlink: (p, cb) => this.call('unlink', cb, async () => { await this.change(p, (a) => this.o.client.delete(a)); return []; }),
      rmdir: (p, cb) => this.call('rmdir', cb, async () => { await this.rmdir(p); return []; }),
      rename: (src, dst, cb) => this.call('rename', cb, async () => { await this.rename(src, dst); return []; }),
      statfs: (_p, cb) => this.call('statfs', cb, async () => [await this.statfs()]),
      // Times, modes and owners are the under-storage's: accepted and ignored, so cp -p and touch work.
      utimens: (_p, _a, _m, cb) => cb(0),
      chmod: (_p, _m, cb) => cb(0),
      chown: (_p, _u, _g, cb) => cb(0),
    };
  }

  /** Aborts unfinished writes and drops read buffers (the mount is going away). */
  closeAll(): void {
    for (const [fd, h] of this.handles) {
      this.o.fast?.release(fd);
      h.reader?.close();
      h.writer?.abort(new AlluxioError('ALX_ERR_WORKER_UNAVAILABLE', `${h.path}: the mount was unmounted before the file was closed`));
    }
    this.handles.clear();
    this.writing.clear();
  }

  // ---- the call wrapper: deadline, metrics, errno

  private call(op: string, cb: Reply, run: () => Promise<unknown[]>): void {
    this.run(op, run, (values) => cb(0, ...values), (errno) => cb(errno));
  }

  private callCount(op: 'read' | 'write', cb: (n: number) => void, run: () => Promise<number>): void {
    this.run(op, run, (n) => {
      metrics.fuseBytes.inc({ op }, n);
      cb(n);
    }, cb);
  }

  /**
   * A read answered before this returns, from checked page-file descriptors (FileReader.readSync),
   * only while no other call is in flight: a synchronous pread saves the thread-pool hop (a wake-up
   * of a pool thread and one of this thread per call, each a wait for a core on a loaded machine)
   * but holds the event loop, so calls that come together go async and overlap. False: not answered.
   */
  private readNow(fd: number, buf: Buffer, len: number, pos: number, cb: (n: number) => void): boolean {
    const started = performance.now();
    const r = this.handles.get(fd)?.reader;
    const n = r?.readSync(buf, len, pos);
    if (n === undefined) return false;
    // A handle pinned at open (page-cache-groups.ts) may never take the async path: bind it here.
    this.bindFast(fd, r!);
    metrics.fuseLatency.observe({ op: 'read' }, (performance.now() - started) / 1000);
    metrics.fuseBytes.inc({ op: 'read' }, n);
    cb(n);
    return true;
  }

  /** A read through the FileReader; once it has pinned the version, the handle is bound to the binding's fast reads. */
  private async readAsync(fd: number, r: FileReader, buf: Buffer, len: number, pos: number): Promise<number> {
    let n: number;
    try {
      n = await r.read(buf, len, pos);
    } catch (err) {
      // Its version is gone from the UFS: no later open joins its page-cache group.
      const use = this.handles.get(fd)?.cacheUse;
      if (use && err instanceof AlluxioError && err.code === 'ALX_ERR_STALE') this.o.pageCache!.groups.stale(use);
      throw err;
    }
    this.bindFast(fd, r);
    return n;
  }

  /** Once the reader has pinned its version, the handle is answered from the binding's fast reads. */
  private bindFast(fd: number, r: FileReader): void {
    const v = r.pinnedVersion;
    const d = r.directFile;
    // Not after release (a late answer): release already told the binding, which would keep a dead handle.
    if (this.o.fast && v !== undefined && d !== undefined && this.handles.get(fd)?.reader === r) this.o.fast.bind(fd, d, v);
  }

  private run<T>(op: string, run: () => Promise<T>, ok: (v: T) => void, fail: (errno: number) => void): void {
    const started = performance.now();
    let answered = false;
    this.inFlight++;
    const answer = (err: unknown, value?: T): void => {
      if (answered) return;
      answered = true;
      this.inFlight--;
      clearTimeout(timer);
      metrics.fuseLatency.observe({ op }, (performance.now() - started) / 1000);
      if (err === undefined) return ok(value as T);
      const e = errnoOf(err);
      metrics.fuseErrors.inc({ op, errno: e.name });
      if (e.errno === -ETIMEDOUT || e.name === 'EIO' || e.name === 'ESTALE') this.o.log.warn({ op, code: e.error.code, err: e.error.message }, 'FUSE call failed');
      else this.o.log.debug({ op, code: e.error.code, err: e.error.message }, 'FUSE call failed');
      fail(e.errno);
    };
    const timer = setTimeout(() => answer(new AlluxioError('ALX_ERR_REQUEST_TIMEOUT', `FUSE ${op} got no answer within alluxio.fuse.call.timeout (${this.o.callTimeoutMs} ms)`)), this.o.callTimeoutMs);
    let p: Promise<T>;
    try {
      p = run();
    } catch (err) {
      return answer(err);
    }
    p.then((v) => answer(undefined, v), (err) => answer(err ?? new Error('failed')));
  }

  // ---- metadata

  private alluxioPath(p: string): string {
    return this.o.root === '/' ? p : joinPath(this.o.root, p);
  }

  private async entry(p: string): Promise<ClientFileEntry> {
    const w = this.writing.get(p);
    if (w) return { type: 'file', name: '', path: p, ufsPath: '', lastModifiedMs: Date.now(), length: w.bytes, humanReadableSize: '' };
    const a = this.alluxioPath(p);
    if (a === '/' && !this.o.client.namespace.mounts.root) return { type: 'directory', name: '/', path: '/', ufsPath: '', lastModifiedMs: this.startedAt.getTime(), length: 0, humanReadableSize: '' };
    const cached = this.o.cache.get(a);
    if (cached === null) throw new NotFoundError(`${a} does not exist`);
    if (cached) return cached;
    try {
      const e = await this.o.client.stat(a);
      this.o.cache.set(a, e);
      return e;
    } catch (err) {
      if ((err as AlluxioError).code === 'ALX_ERR_NOT_FOUND' || (err as AlluxioError).code === 'ALX_ERR_NO_MOUNT') this.o.cache.set(a, null);
      throw err;
    }
  }

  private toStat(e: ClientFileEntry): FuseStat {
    const dir = e.type === 'directory';
    const t = new Date(e.lastModifiedMs || this.startedAt.getTime());
    return {
      mode: dir ? 0o40755 : 0o100644, uid: this.uid, gid: this.gid, size: dir ? BLOCK : e.length, nlink: dir ? 2 : 1,
      mtime: t, atime: t, ctime: t, blksize: BLOCK, blocks: dir ? 8 : Math.ceil(e.length / 512),
    };
  }

  /**
   * The names and their stats: libfuse takes the entry types from the stats, so `ls -R` and
   * `find` learn which entries are directories without a lookup of each.
   */
  private async readdir(p: string): Promise<[string[], FuseStat[]]> {
    const a = this.alluxioPath(p);
    const names: string[] = [];
    const stats: FuseStat[] = [];
    let token: string | undefined;
    do {
      const page = await this.o.client.listPage(a, token, LIST_PAGE);
      for (const e of page.entries) {
        names.push(e.name);
        stats.push(this.toStat(e));
        this.o.cache.set(e.path, e);
      }
      token = page.nextToken;
    } while (token !== undefined);
    // Files being written here that the under-storage does not show yet.
    for (const [wp] of this.writing) {
      const name = wp.slice(wp.lastIndexOf('/') + 1);
      if (parentPath(wp) === p && !names.includes(name)) {
        names.push(name);
        stats.push(this.toStat(await this.entry(wp)));
      }
    }
    return [names, stats];
  }

  private async statfs(): Promise<FuseStatfs> {
    if (this.statfsCache && Date.now() - this.statfsCache.at < STATFS_TTL_MS) return this.statfsCache.value;
    let used = 0;
    let capacity = 0;
    await Promise.all(this.o.client.ring.liveWorkers.map(async (w) => {
      try {
        const c = await this.o.client.workerCache(w);
        used += c.usedBytes;
        capacity += c.capacityBytes;
      } catch { /* an unreachable worker adds nothing */ }
    }));
    const blocks = Math.min(Math.floor(capacity / BLOCK), 0xffffffff);
    const free = Math.min(Math.max(0, Math.floor((capacity - used) / BLOCK)), blocks);
    const value: FuseStatfs = { bsize: BLOCK, frsize: BLOCK, blocks, bfree: free, bavail: free, files: 1_000_000, ffree: 1_000_000, favail: 1_000_000, fsid: 0, flag: 0, namemax: 255 };
    this.statfsCache = { at: Date.now(), value };
    return value;
  }

  // ---- open files

  private handle(fd: number): Handle {
    const h = this.handles.get(fd);
    if (!h) throw new AlluxioError('ALX_ERR_INVALID_ARGUMENT', `no open file with handle ${fd}`);
    return h;
  }

  private noReader(fd: number): Promise<number> {
    return Promise.reject(new AlluxioError('ALX_ERR_UNSUPPORTED', `${this.handle(fd).path} is open for writing: reading a file while it is written is not supported`));
  }

  private add(h: Handle): number {
    // After a wrap, a number still open is skipped: the binding's fast reads are keyed by it, so a
    // reused number would answer the new handle from the old file's pages.
    let fd: number;
    do {
      fd = this.nextFd++;
      if (this.nextFd > 0x7fffffff) this.nextFd = 1;
    } while (this.handles.has(fd));
    this.handles.set(fd, h);
    return fd;
  }

  private async open(p: string, flags: number): Promise<number> {
    const acc = flags & O_ACCMODE;
    const e = await this.entry(p);
    if (e.type === 'directory') throw new AlluxioError('ALX_ERR_IS_A_DIRECTORY', `${p} is a directory`);
    if (acc !== O_WRONLY && acc !== O_RDWR) return this.addReading(p, e, false);
    this.refuseIfReadOnly(p);
    if (flags & O_APPEND) throw new AlluxioError('ALX_ERR_UNSUPPORTED', `${p}: appending is not supported (the under-storage has no append); rewrite the file instead`);
    const existing = this.writing.get(p);
    if (existing) throw new AlluxioError('ALX_ERR_UNSUPPORTED', `${p} is already open for writing`);
    if ((flags & O_TRUNC) || e.length === 0) return this.add({ path: p, writer: this.startWriter(p) });
    // An existing file opened for writing without O_TRUNC (touch, r+): fine until something is written.
    if (acc === O_RDWR) return this.addReading(p, e, true);
    return this.add({ path: p, refuseWrites: true });
  }

  /**
   * A handle that reads `p`: in a page-cache group (the version it reads, whether the kernel keeps
   * the path's cached pages, or bypasses them), told to the binding before the open is answered.
   */
  private addReading(p: string, e: ClientFileEntry, refuseWrites: boolean): number {
    const use = this.o.pageCache?.groups.open(p, e.lastModifiedMs, e.length);
    const fd = this.add({ path: p, reader: this.newReader(p, e, use?.pin), ...(refuseWrites ? { refuseWrites } : {}), ...(use ? { cacheUse: use } : {}) });
    if (use) this.o.pageCache!.native.fuse_open_flags(fd, use.keepCache, use.directIo);
    return fd;
  }

  private create(p: string): number {
    this.refuseIfReadOnly(p);
    this.refuseInVirtualRoot(p, 'create a file');
    if (this.writing.has(p)) throw new AlluxioError('ALX_ERR_UNSUPPORTED', `${p} is already open for writing`);
    return this.add({ path: p, writer: this.startWriter(p) });
  }

  private newReader(p: string, e: ClientFileEntry, pin?: VersionPin): FileReader {
    const a = this.alluxioPath(p);
    return new FileReader(this.o.client, a, e.length, this.o.reader, this.directFile(a, e.length), pin);
  }

  /** Direct page reads of the file, when enabled and the path resolves to a UFS file. */
  private directFile(a: string, length: number): DirectFile | undefined {
    if (this.o.direct === undefined) return undefined;
    try {
      return this.o.direct.forFile(this.o.client.ufsUriOf(a), length);
    } catch {
      return undefined; // not under a mount: the worker answers (and says why)
    }
  }

  private startWriter(p: string): FileWriter {
    const w = new FileWriter(this.o.client, this.alluxioPath(p), this.o.writeBudget);
    this.writing.set(p, w);
    this.o.cache.invalidate(this.alluxioPath(p));
    return w;
  }

  private async write(fd: number, buf: Buffer, len: number, pos: number): Promise<number> {
    const h = this.handle(fd);
    if (h.refuseWrites) throw new AlluxioError('ALX_ERR_UNSUPPORTED', `${h.path}: writing into an existing file is not supported (the under-storage has no in-place update); open it with O_TRUNC to replace it`);
    if (!h.writer) throw new AlluxioError('ALX_ERR_PERMISSION_DENIED', `${h.path} is not open for writing`);
    return h.writer.write(buf, len, pos);
  }

  /**
   * close(2) of a file descriptor. A file with bytes written is committed here, so close reports
   * the outcome and the file is in the UFS when close returns; later writes through another
   * descriptor of the same open file are ENOTSUP (the under-storage has no append). Nothing
   * written yet (a shell closes its copy of a redirection before writing): nothing to do; release
   * commits an empty file.
   */
  private async flush(fd: number): Promise<void> {
    const h = this.handles.get(fd);
    if (h?.writer && h.writer.bytes > 0) await this.commit(h);
  }

  /** Commits a written file: it is in the UFS once this resolves. */
  private async commit(h: Handle): Promise<void> {
    const w = h.writer;
    if (!w) return;
    try {
      const e = await w.commit();
      this.o.pageCache?.groups.changed(h.path);
      this.o.cache.invalidate(this.alluxioPath(h.path));
      this.o.cache.set(this.alluxioPath(h.path), e);
    } finally {
      if (this.writing.get(h.path) === w) this.writing.delete(h.path);
    }
  }

  private async release(fd: number): Promise<void> {
    const h = this.handles.get(fd);
    if (!h) return;
    this.handles.delete(fd);
    this.o.fast?.release(fd);
    h.reader?.close();
    if (h.cacheUse) this.o.pageCache!.groups.release(h.cacheUse);
    if (h.writer && !h.writer.isCommitted) {
      await this.commit(h).catch((err) => this.o.log.warn({ path: h.path, err: (err as Error).message }, 'the file could not be committed when it was closed'));
    }
    if (h.writer && this.writing.get(h.path) === h.writer) this.writing.delete(h.path);
  }

  // ---- changes

  private refuseIfReadOnly(p: string): void {
    if (this.o.readOnly) throw new AlluxioError('ALX_ERR_READ_ONLY', `${p}: the mount is read-only (mount option ro)`);
  }

  /** Above the mounts (no root mount) only mount points exist; they are made with `alluxio mount add`. */
  private refuseInVirtualRoot(p: string, what: string): void {
    const a = this.alluxioPath(p);
    if (parentPath(a) === '/' && !this.o.client.namespace.mounts.root) {
      throw new AlluxioError('ALX_ERR_READ_ONLY', `cannot ${what} at ${a}: the top level holds only mount points (alluxio mount add --path ${a} --ufs-uri ...)`);
    }
  }

  private async change(p: string, fn: (alluxioPath: string) => Promise<unknown>, subtree = false): Promise<void> {
    this.refuseIfReadOnly(p);
    this.refuseInVirtualRoot(p, 'change');
    const a = this.alluxioPath(p);
    try {
      await fn(a);
    } finally {
      this.o.pageCache?.groups.changed(p, subtree);
      this.o.cache.invalidate(a, subtree);
    }
  }

  private async rmdir(p: string): Promise<void> {
    const e = await this.entry(p);
    if (e.type !== 'directory') throw new AlluxioError('ALX_ERR_NOT_A_DIRECTORY', `${p} is not a directory`);
    const page = await this.o.client.listPage(this.alluxioPath(p), undefined, 1);
    if (page.entries.length > 0) throw new AlluxioError('ALX_ERR_DIRECTORY_NOT_EMPTY', `${p} is not empty`);
    await this.change(p, (a) => this.o.client.delete(a, false), true);
  }

  private async rename(src: string, dst: string): Promise<void> {
    this.refuseIfReadOnly(src);
    this.refuseInVirtualRoot(src, 'rename');
    this.refuseInVirtualRoot(dst, 'rename');
    if (this.writing.has(src)) throw new AlluxioError('ALX_ERR_UNSUPPORTED', `${src} is open for writing: close it before renaming`);
    const a = this.alluxioPath(src);
    const b = this.alluxioPath(dst);
    try {
      await this.o.client.rename(a, b);
    } finally {
      this.o.pageCache?.groups.changed(src, true);
      this.o.pageCache?.groups.changed(dst, true);
      this.o.cache.invalidate(a, true);
      this.o.cache.invalidate(b, true);
    }
  }

  /**
   * truncate(2) without a handle (and ftruncate): the size it has already is a no-op; 0 replaces
   * the file with an empty one; another size rewrites a small file; a large one is ENOTSUP.
   */
  private async truncate(p: string, size: number): Promise<void> {
    this.refuseIfReadOnly(p);
    const w = this.writing.get(p);
    if (w) {
      if (size === w.bytes) return;
      throw new AlluxioError('ALX_ERR_UNSUPPORTED', `${p} is being written (${w.bytes} bytes so far): truncating it to ${size} is not supported`);
    }
    const e = await this.entry(p);
    if (e.type === 'directory') throw new AlluxioError('ALX_ERR_IS_A_DIRECTORY', `${p} is a directory`);
    if (size === e.length) return;
    const a = this.alluxioPath(p);
    if (size !== 0 && Math.max(size, e.length) > TRUNCATE_REWRITE_MAX) {
      throw new AlluxioError('ALX_ERR_UNSUPPORTED', `${p}: truncating a ${e.length}-byte file to ${size} bytes is not supported (the under-storage has no in-place update; up to ${TRUNCATE_REWRITE_MAX} bytes are rewritten, and any size to 0)`);
    }
    let body = Buffer.alloc(size);
    if (size > 0) {
      const r = await this.o.client.read(a, 0, Math.min(size, e.length));
      let at = 0;
      for await (const c of r.stream as AsyncIterable<Buffer>) at += c.copy(body, at);
    }
    try {
      await this.o.client.write(a, body, body.length);
    } finally {
      body = Buffer.alloc(0);
      this.o.pageCache?.groups.changed(p);
      this.o.cache.invalidate(a);
    }
  }
}

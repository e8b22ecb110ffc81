import { randomBytes } from 'node:crypto';
import { constants as fsConstants, type BigIntStats } from 'node:fs';
import { lstat, mkdir, open, rename, rm, rmdir, stat, unlink, type FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { AlluxioError, InvalidArgumentError, InvalidPathError, NotFoundError } from '../common/errors.js';
import { KeyedMutex } from '../common/keyed-mutex.js';
import { lazyLogger } from '../common/logging.js';
import { mapFsError } from './local-fs-errors.js';
import { listLocalDirectory } from './local-list.js';
import { LOCAL_META_DIR, LocalMetaSidecars } from './local-meta-sidecars.js';
import { followInnerLinksOption, LocalPathGuard } from './local-path-guard.js';
import { checkRangeArgs, resolveRange } from './read-range.js';
import { parseUfsUri, uriPathSegments } from './ufs-uri.js';
import { ufsVersion } from './under-file-system.js';
import type {
  DeleteOptions, ListOptions, ListPage, MkdirOptions, ObjectMeta, ReadOptions, UfsOptions, UfsStatus, UnderFileSystem, WriteOptions,
} from './under-file-system.js';
import { BodyVerifier, checkWriteArgs, toBuffer } from './write-checks.js';

const READ_CHUNK = 1024 * 1024;
const log = lazyLogger('ufs-local');

/** Name prefix of in-flight writes; listings skip these files. */
export const LOCAL_TMP_PREFIX = '.alluxio-tmp-';
/** A path through the metadata directory contains this (checked first: it is cheaper than splitting). */
const META_SEGMENT = '/' + LOCAL_META_DIR;

/**
 * The local file system as an under-storage: `file:///abs/path` or a plain `/abs/path`.
 * Every URI must resolve below the root it was created with. Returned URIs use the root's
 * spelling (`file://` or plain), so a file's URI (and so its cache fileId) stays stable.
 */
export class LocalUfs implements UnderFileSystem {
  readonly scheme = 'file';
  private readonly root: string;
  private readonly uriPrefix: string;
  /** Refuses paths whose real location (through symbolic links) is outside the root. */
  private readonly guard: LocalPathGuard;
  /** S3 object metadata of the files (WriteOptions.meta), in LOCAL_META_DIR of the root. */
  private readonly sidecars: LocalMetaSidecars;
  /** Serializes the commits (rename, sidecar) of writes of one file: WriteOptions.precondition. */
  private readonly commits = new KeyedMutex();

  constructor(rootUri: string, options: UfsOptions = {}) {
    const parsed = parseUfsUri(rootUri);
    if (parsed.scheme !== 'file') throw new InvalidArgumentError(`LocalUfs root must be file:///abs/path or /abs/path, got '${rootUri}'`);
    checkAuthority(parsed.authority, rootUri);
    this.root = '/' + uriPathSegments(parsed.path, rootUri).join('/');
    this.uriPrefix = rootUri.startsWith('/') ? '' : 'file://';
    this.guard = new LocalPathGuard(this.root, followInnerLinksOption(options));
    this.sidecars = new LocalMetaSidecars(this.root);
  }

  async getStatus(uri: string): Promise<UfsStatus> {
    const abs = this.resolve(uri);
    try {
      await this.guard.check(abs, 'getStatus', uri);
      return this.toStatus(abs, await stat(abs, { bigint: true }));
    } catch (err) {
      throw mapFsError(err, 'getStatus', uri);
    }
  }

  async list(uri: string, options: ListOptions = {}): Promise<ListPage> {
    const abs = this.resolve(uri);
    const limit = options.limit ?? 1000;
    if (!Number.isSafeInteger(limit) || limit < 1) throw new InvalidArgumentError(`list ${uri}: limit ${limit} must be an integer >= 1`);
    if (options.token !== undefined && (typeof options.token !== 'string' || options.token === '')) {
      throw new InvalidArgumentError(`list ${uri}: token must be a non-empty string from a previous page`);
    }
    try {
      await this.guard.check(abs, 'list', uri);
      const st = await stat(abs);
      if (!st.isDirectory()) throw new AlluxioError('ALX_ERR_NOT_A_DIRECTORY', `list ${uri}: not a directory`);
      const tokenSegs = options.token === undefined ? undefined : uriPathSegments(options.token, `token ${options.token}`);
      const page = await listLocalDirectory(abs, {
        recursive: options.recursive ?? false, tokenSegs, limit, skipPrefix: LOCAL_TMP_PREFIX, skipName: LOCAL_META_DIR, linkAllowed: (p) => this.listableLink(p),
      });
      return {
        entries: page.entries.map((e) => this.toStatus(e.abs, e.stats)),
        ...(page.nextToken !== undefined ? { nextToken: page.nextToken } : {}),
      };
    } catch (err) {
      throw mapFsError(err, 'list', uri);
    }
  }

  async openRead(uri: string, offset: number, length: number, options: ReadOptions = {}): Promise<Readable> {
    checkRangeArgs(uri, offset, length);
    const abs = this.resolve(uri);
    let handle: FileHandle | undefined;
    try {
      await this.guard.check(abs, 'openRead', uri);
      // Stat through the open handle: the stream reads the inode we checked, even if a writer
      // renames a new file over the path meanwhile. The version is checked before the range, so a
      // file that changed length reads as changed, not as a bad range.
      // O_NONBLOCK: opening a FIFO (or a device) must not block a libuv thread; only regular
      // files are read (the flag changes nothing for them).
      handle = await open(abs, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK);
      await this.guard.checkOpened(handle.fd, abs, 'openRead', uri);
      const st = await handle.stat({ bigint: true });
      if (st.isDirectory()) throw new AlluxioError('ALX_ERR_IS_A_DIRECTORY', `openRead ${uri}: is a directory`);
      if (!st.isFile()) throw new AlluxioError('ALX_ERR_INVALID_ARGUMENT', `openRead ${uri}: not a regular file (a FIFO, socket or device is never read)`);
      if (options.version !== undefined) {
        const found = ufsVersion(this.toStatus(abs, st));
        if (found !== options.version) throw new AlluxioError('ALX_ERR_STALE', `openRead ${uri}: the file changed during the read (expected version ${options.version}, found ${found}); retry the read`);
      }
      const n = resolveRange(uri, offset, length, Number(st.size));
      if (n === 0) {
        await handle.close();
        return Readable.from([]);
      }
      const h = handle;
      handle = undefined;
      // 1 MiB reads: 64 KiB (the default) costs four times the syscalls and thread-pool round trips.
      return h.createReadStream({ start: offset, end: offset + n - 1, autoClose: true, highWaterMark: READ_CHUNK, ...(options.signal ? { signal: options.signal } : {}) });
    } catch (err) {
      await handle?.close().catch(() => undefined);
      throw mapFsError(err, 'openRead', uri);
    }
  }

  async write(uri: string, body: Readable | Buffer, options: WriteOptions = {}): Promise<UfsStatus> {
    checkWriteArgs(uri, body, options);
    const abs = this.resolve(uri);
    if (abs === this.root) throw new AlluxioError('ALX_ERR_IS_A_DIRECTORY', `write ${uri}: is the mount's root directory`);
    const dir = abs.slice(0, abs.lastIndexOf('/')) || '/';
    const tmp = `${dir === '/' ? '' : dir}/${LOCAL_TMP_PREFIX}${randomBytes(8).toString('hex')}`;
    let handle: FileHandle | undefined;
    let recorded: WriteOptions['tempFiles'];
    let refused: { err: unknown } | undefined;
    try {
      await this.guard.check(abs, 'write', uri);
      const existing = await stat(abs).catch(() => undefined);
      if (existing?.isDirectory()) throw new AlluxioError('ALX_ERR_IS_A_DIRECTORY', `write ${uri}: is a directory`);
      await mkdir(dir, { recursive: true });
      await options.tempFiles?.add(tmp);
      recorded = options.tempFiles;
      handle = await open(tmp, 'wx', 0o644);
      await this.guard.checkOpened(handle.fd, tmp, 'write', uri);
      const verifier = new BodyVerifier(uri, options);
      if (Buffer.isBuffer(body)) {
        verifier.update(body);
        await writeAll(handle, body);
      } else {
        await pipelinedWrite(handle, body, verifier);
      }
      verifier.verify();
      await handle.sync();
      await handle.close();
      handle = undefined;
      // One commit at a time per file: a precondition sees the file (and its sidecar) as the
      // last commit left it, and no other write of this UFS replaces it before the rename.
      return await this.commits.run(abs, async () => {
        if (options.precondition) {
          const current = await stat(abs, { bigint: true }).catch(() => undefined);
          try {
            await options.precondition(current && !current.isDirectory() ? this.toStatus(abs, current) : undefined);
          } catch (err) {
            refused = { err };
            throw err;
          }
        }
        await rename(tmp, abs);
        await recorded?.remove(tmp).catch(() => undefined);
        recorded = undefined;
        await syncDirectory(dir);
        const status = this.toStatus(abs, await stat(abs, { bigint: true }));
        await this.keepMeta(abs, status, options);
        return status;
      });
    } catch (err) {
      // The temp file goes at once (a body that failed or stalled leaves nothing behind).
      await handle?.close().catch(() => undefined);
      await rm(tmp, { force: true }).catch(() => undefined);
      await recorded?.remove(tmp).catch(() => undefined);
      if (refused) throw refused.err;
      throw mapFsError(err, 'write', uri);
    }
  }

  async delete(uri: string, options: DeleteOptions = {}): Promise<void> {
    const abs = this.resolve(uri);
    if (abs === this.root) throw new InvalidPathError(`delete ${uri}: refusing to delete the mount's root directory`);
    try {
      await this.guard.check(abs, 'delete', uri);
      const st = await lstat(abs);
      if (!st.isDirectory()) await unlink(abs);
      else if (options.recursive) await rm(abs, { recursive: true, force: false });
      else await rmdir(abs);
      await this.sidecars.remove(abs);
    } catch (err) {
      throw mapFsError(err, 'delete', uri);
    }
  }

  async mkdir(uri: string, options: MkdirOptions = {}): Promise<void> {
    const abs = this.resolve(uri);
    try {
      await this.guard.check(abs, 'mkdir', uri);
      await mkdir(abs, { recursive: options.recursive ?? true });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST' && (await stat(abs).catch(() => undefined))?.isDirectory()) return;
      if (code === 'ENOENT') throw new NotFoundError(`mkdir ${uri}: parent directory does not exist (use recursive)`);
      throw mapFsError(err, 'mkdir', uri);
    }
  }

  async rename(src: string, dst: string): Promise<void> {
    const from = this.resolve(src);
    const to = this.resolve(dst);
    if (from === this.root || to === this.root) throw new InvalidPathError(`rename ${src} to ${dst}: cannot move the mount's root directory`);
    try {
      await Promise.all([this.guard.check(from, 'rename', src), this.guard.check(to, 'rename', dst)]);
      const before = await lstat(from, { bigint: true });
      await mkdir(to.slice(0, to.lastIndexOf('/')) || '/', { recursive: true });
      await rename(from, to);
      const file = before.isFile() ? { oldVersion: ufsVersion(this.toStatus(from, before)), newVersion: ufsVersion(this.toStatus(to, await stat(to, { bigint: true }))) } : undefined;
      await this.sidecars.move(from, to, file);
    } catch (err) {
      throw mapFsError(err, 'rename', `${src} to ${dst}`);
    }
  }

  async readObjectMeta(uri: string, version: string): Promise<ObjectMeta | undefined> {
    return this.sidecars.read(this.resolve(uri), version);
  }

  async close(): Promise<void> {}

  /** Writes the sidecar of a file just written, or drops a stale one (a write without metadata). */
  private async keepMeta(abs: string, status: UfsStatus, options: WriteOptions): Promise<void> {
    const m = options.meta;
    if (!m) return this.sidecars.remove(abs);
    const etag = typeof m.etag === 'function' ? m.etag() : m.etag;
    await this.sidecars.write(abs, ufsVersion(status), etag === undefined ? { headers: m.headers } : { headers: m.headers, etag });
  }

  /** Links leaving the root (or any link, when they are not followed) are left out of listings. */
  private async listableLink(abs: string): Promise<boolean> {
    if (await this.guard.linkAllowed(abs)) return true;
    if (this.guard.followInnerLinks) log.warn({ path: this.uriPrefix + abs }, 'local UFS: symbolic link leading outside the mount\'s root left out of a listing');
    else log.debug({ path: this.uriPrefix + abs }, 'local UFS: symbolic link left out of a listing (links are not followed)');
    return false;
  }

  /** The absolute local path of a URI, refusing '..' and anything outside the root. */
  private resolve(uri: string): string {
    const parsed = parseUfsUri(uri);
    if (parsed.scheme !== 'file') throw new InvalidPathError(`${uri} is not a local path below ${this.uriPrefix}${this.root}`);
    checkAuthority(parsed.authority, uri);
    const abs = '/' + uriPathSegments(parsed.path, uri).join('/');
    const inside = this.root === '/' || abs === this.root || abs.startsWith(this.root + '/');
    if (!inside) throw new InvalidPathError(`${uri} is outside the mount's root ${this.uriPrefix}${this.root}`);
    if (abs.includes(META_SEGMENT) && abs.slice(this.root.length).split('/').includes(LOCAL_META_DIR)) {
      throw new InvalidPathError(`${uri}: the name ${LOCAL_META_DIR} is reserved (it holds the S3 metadata of the mount's files)`);
    }
    return abs;
  }

  private toStatus(abs: string, st: BigIntStats): UfsStatus {
    const dir = st.isDirectory();
    return {
      uri: this.uriPrefix + abs,
      name: abs.slice(abs.lastIndexOf('/') + 1),
      isDirectory: dir,
      length: dir ? 0 : Number(st.size),
      lastModifiedMs: Number(st.mtimeMs),
      ctimeNs: String(st.ctimeNs),
      ino: String(st.ino),
      dev: String(st.dev),
    };
  }
}

function checkAuthority(authority: string, uri: string): void {
  if (authority !== '' && authority !== 'localhost') {
    throw new InvalidPathError(`file URI must name a local path (file:///abs/path), got host '${authority}' in ${uri}`);
  }
}

async function writeAll(handle: FileHandle, buf: Buffer): Promise<void> {
  let off = 0;
  while (off < buf.length) {
    const { bytesWritten } = await handle.write(buf, off, buf.length - off);
    off += bytesWritten;
  }
}

/**
 * Streams a body into an open file with the disk write of one batch in flight while the next
 * chunks arrive; what arrives meanwhile goes to disk in one writev. Awaiting each 64 KiB socket
 * chunk's write instead (one thread-pool round trip per chunk, the socket idle meanwhile) held a
 * 1 GiB PUT to about a third of `cp`. At most WRITE_QUEUE_BYTES wait behind the write in flight
 * (back-pressure: the body is not read further until they are written).
 */
async function pipelinedWrite(handle: FileHandle, body: Readable, verifier: BodyVerifier): Promise<void> {
  let queued: Buffer[] = [];
  let queuedBytes = 0;
  let inFlight: Promise<void> | undefined;
  let failure: { err: unknown } | undefined;
  // Written since the last flush to disk began; the flush runs beside the writes (see SYNC_EVERY_BYTES).
  let unsynced = 0;
  let syncing: Promise<void> | undefined;
  const kick = (): void => {
    if (inFlight || failure || queued.length === 0) return;
    const batch = queued;
    const n = queuedBytes;
    queued = [];
    queuedBytes = 0;
    inFlight = writevAll(handle, batch).then(
      () => {
        inFlight = undefined;
        unsynced += n;
        if (unsynced >= SYNC_EVERY_BYTES && !syncing) {
          unsynced = 0;
          syncing = handle.datasync().then(() => { syncing = undefined; }, (err: unknown) => { failure ??= { err }; syncing = undefined; });
        }
        kick();
      },
      (err: unknown) => { failure = { err }; inFlight = undefined; },
    );
  };
  const check = (): void => { if (failure) throw failure.err; };
  try {
    for await (const chunk of body) {
      const buf = toBuffer(chunk);
      verifier.update(buf);
      queued.push(buf);
      queuedBytes += buf.length;
      kick();
      while (queuedBytes >= WRITE_QUEUE_BYTES && inFlight) await inFlight;
      check();
    }
  } finally {
    // Whether the body ended or failed, no write (or flush) may still be running when the caller
    // closes or removes the file.
    while (inFlight) await inFlight;
    while (syncing) await syncing;
  }
  check();
}

/** Bytes queued behind the write in flight before the body is paused. */
const WRITE_QUEUE_BYTES = 4 << 20;
/**
 * A large body is flushed to disk (fdatasync) every this many bytes, beside the writes that follow:
 * the disk writes back while the body still arrives, and the fsync before the rename (the commit)
 * finds little left, instead of all of it (with the kernel's defaults, gigabytes stay dirty).
 */
const SYNC_EVERY_BYTES = 64 << 20;

async function writevAll(handle: FileHandle, bufs: Buffer[]): Promise<void> {
  let list = bufs;
  while (list.length > 0) {
    let { bytesWritten } = await handle.writev(list);
    let i = 0;
    while (i < list.length && bytesWritten >= list[i]!.length) bytesWritten -= list[i++]!.length;
    list = list.slice(i);
    if (bytesWritten > 0) list[0] = list[0]!.subarray(bytesWritten);
  }
}

/** Makes a rename durable; best effort (some file systems refuse fsync on a directory). */
async function syncDirectory(dir: string): Promise<void> {
  const h = await open(dir, fsConstants.O_RDONLY).catch(() => undefined);
  if (!h) return;
  await h.sync().catch(() => undefined);
  await h.close().catch(() => undefined);
}

import { randomBytes } from 'node:crypto';
import { Readable, Transform, pipeline } from 'node:stream';
import { Agent, request, type Dispatcher } from 'undici';
import {
  AlluxioError, AlreadyExistsError, InvalidArgumentError, InvalidPathError, NotFoundError, UfsError, clipText,
} from '../common/errors.js';
import { KeyedMutex } from '../common/keyed-mutex.js';
import { LOCAL_TMP_PREFIX } from './local-ufs.js';
import { parseWebHdfsOptions, type WebHdfsConfig } from './hdfs-config.js';
import { checkRangeArgs, resolveRange } from './read-range.js';
import { parseUfsUri, uriPathSegments } from './ufs-uri.js';
import { ufsVersion } from './under-file-system.js';
import type {
  DeleteOptions, ListOptions, ListPage, MkdirOptions, ReadOptions, UfsOptions, UfsStatus, UnderFileSystem, WriteOptions,
} from './under-file-system.js';
import { BodyVerifier, checkWriteArgs, toBuffer } from './write-checks.js';

/** A FileStatus object of the WebHDFS REST API (the fields we use). */
interface FileStatus {
  pathSuffix: string;
  type: 'FILE' | 'DIRECTORY' | 'SYMLINK';
  length: number;
  modificationTime: number;
  fileId?: number;
}

interface Call {
  method: 'GET' | 'PUT' | 'POST' | 'DELETE';
  path: string;
  op: string;
  params?: Record<string, string>;
}

/**
 * HDFS through its WebHDFS REST API (also HttpFS): `hdfs://namenode-or-nameservice/path`,
 * `webhdfs://host:port/path`, `swebhdfs://`. Reads and writes follow the NameNode's 307 redirect
 * to a DataNode; an HA name service tries its NameNodes in order and sticks to the one that
 * answered. Writes go to a temp file then RENAME, so readers see the old or the new file; where
 * the file existed it is deleted just before the rename (WebHDFS's RENAME does not overwrite),
 * a window in which the path is briefly missing.
 */
export class WebHdfsUfs implements UnderFileSystem {
  private readonly config: WebHdfsConfig;
  private readonly uriPrefix: string;
  private readonly rootSegs: string[];
  private readonly agent: Agent;
  /** Index into config.namenodes of the NameNode that answered last. */
  private active = 0;
  /** Serializes the commits (delete + rename) of writes of one file: WriteOptions.precondition. */
  private readonly commits = new KeyedMutex();

  constructor(readonly rootUri: string, options: UfsOptions = {}) {
    const { scheme, authority, path } = parseUfsUri(rootUri);
    this.scheme = scheme;
    this.config = parseWebHdfsOptions(rootUri, options);
    this.uriPrefix = `${scheme}://${authority}`;
    this.rootSegs = uriPathSegments(path, rootUri);
    this.agent = new Agent({ headersTimeout: this.config.requestTimeoutMs, bodyTimeout: this.config.requestTimeoutMs, connectTimeout: Math.min(this.config.requestTimeoutMs, 10_000) });
  }

  readonly scheme: string;

  async getStatus(uri: string): Promise<UfsStatus> {
    const path = this.resolve(uri);
    const body = await this.json<{ FileStatus: FileStatus }>({ method: 'GET', path, op: 'GETFILESTATUS' }, 'getStatus', uri);
    return this.toStatus(path, body.FileStatus, true);
  }

  async list(uri: string, options: ListOptions = {}): Promise<ListPage> {
    const limit = options.limit ?? 1000;
    if (!Number.isSafeInteger(limit) || limit < 1) throw new InvalidArgumentError(`list ${uri}: limit ${limit} must be an integer >= 1`);
    if (options.token !== undefined && (typeof options.token !== 'string' || options.token === '')) {
      throw new InvalidArgumentError(`list ${uri}: token must be a non-empty string from a previous page`);
    }
    const dir = this.resolve(uri);
    const st = await this.getStatus(uri);
    if (!st.isDirectory) throw new AlluxioError('ALX_ERR_NOT_A_DIRECTORY', `list ${uri}: not a directory`);
    // Entries in path order (segment by segment); the token is the last path returned, relative
    // to the listed directory.
    const after = options.token === undefined ? undefined : uriPathSegments(options.token, `token ${options.token}`);
    const entries: UfsStatus[] = [];
    const walk = async (rel: string[]): Promise<boolean> => {
      // Without recursion a page starts right after the token (LISTSTATUS_BATCH startAfter).
      const start = !options.recursive && after?.length === 1 ? after[0] : undefined;
      const children = await this.listDirectory(rel.length === 0 ? dir : `${dir}/${rel.join('/')}`, uri, start, options.recursive ? undefined : limit + 1);
      for (const c of children) {
        if (c.pathSuffix.startsWith(LOCAL_TMP_PREFIX)) continue;
        const childRel = [...rel, c.pathSuffix];
        const order = after === undefined ? 1 : compareSegments(childRel, after);
        if (order > 0) {
          entries.push(this.toStatus(`${dir === '/' ? '' : dir}/${childRel.join('/')}`, c, false));
          if (entries.length > limit) return false;
        }
        // Descend unless the whole subtree was on earlier pages (it sorts before the token and
        // does not contain it).
        const inside = after !== undefined && after.length > childRel.length && childRel.every((s, i) => after[i] === s);
        if (options.recursive && c.type === 'DIRECTORY' && (order >= 0 || inside)) {
          if (!(await walk(childRel))) return false;
        }
      }
      return true;
    };
    await walk([]);
    if (entries.length <= limit) return { entries };
    const page = entries.slice(0, limit);
    const last = page[page.length - 1]!;
    return { entries: page, nextToken: last.uri.slice(this.uriPrefix.length + (dir === '/' ? 1 : dir.length + 1)) };
  }

  async openRead(uri: string, offset: number, length: number, options: ReadOptions = {}): Promise<Readable> {
    checkRangeArgs(uri, offset, length);
    const st = await this.getStatus(uri);
    if (st.isDirectory) throw new AlluxioError('ALX_ERR_IS_A_DIRECTORY', `openRead ${uri}: is a directory`);
    if (options.version !== undefined && ufsVersion(st) !== options.version) throw staleError(uri, options.version, ufsVersion(st));
    const n = resolveRange(uri, offset, length, st.length);
    if (n === 0) return Readable.from([]);
    const res = await this.send({ method: 'GET', path: this.resolve(uri), op: 'OPEN', params: { offset: String(offset), length: String(n) } }, 'openRead', uri, { signal: options.signal });
    return this.checkedAtEnd(res.body as unknown as Readable, uri, ufsVersion(st));
  }

  /**
   * The OPEN stream, ending only once the file is still at `version`. WebHDFS has no If-Match and
   * no handle: the file can be replaced between the status and the OPEN, or while the DataNodes
   * stream its blocks (the next block then comes from the new file). A replaced file has a new
   * fileId and a rewritten one a new mtime or length, so the same status after the last byte means
   * every byte came from that version; otherwise the read fails with ALX_ERR_STALE instead of ending.
   * The last chunk is held back until then: a reader that stops at the expected length (a
   * Content-Length answer, the last page of a run) never completes on bytes of a mix.
   */
  private checkedAtEnd(body: Readable, uri: string, version: string): Readable {
    let held: Buffer | undefined;
    const checked = new Transform({
      transform: (chunk: Buffer, _enc, done) => {
        const previous = held;
        held = chunk;
        done(null, previous);
      },
      flush: (done) => {
        this.getStatus(uri).then(
          (now) => (ufsVersion(now) === version ? done(null, held) : done(staleError(uri, version, ufsVersion(now)))),
          (err: unknown) => done(err instanceof NotFoundError ? staleError(uri, version, 'none (deleted)') : err as Error),
        );
      },
    });
    // Either side failing or closing early ends the other (a reader that stops frees the connection).
    pipeline(body, checked, () => {});
    return checked;
  }

  async write(uri: string, body: Readable | Buffer, options: WriteOptions = {}): Promise<UfsStatus> {
    checkWriteArgs(uri, body, options);
    const path = this.resolve(uri);
    if (this.isRoot(path)) throw new AlluxioError('ALX_ERR_IS_A_DIRECTORY', `write ${uri}: is the mount's root directory`);
    const existing = await this.getStatus(uri).catch((err) => { if (err instanceof NotFoundError) return undefined; throw err; });
    if (existing?.isDirectory) throw new AlluxioError('ALX_ERR_IS_A_DIRECTORY', `write ${uri}: is a directory`);
    const dir = path.slice(0, path.lastIndexOf('/')) || '/';
    const tmp = `${dir === '/' ? '' : dir}/${LOCAL_TMP_PREFIX}${randomBytes(8).toString('hex')}`;
    const tmpUri = this.uriPrefix + tmp;
    await options.tempFiles?.add(tmpUri);
    try {
      const verifier = new BodyVerifier(uri, options);
      const counted = Buffer.isBuffer(body) ? (verifier.update(body), body) : countThrough(body, verifier);
      // CREATE: the NameNode answers 307 with the DataNode's address; the body goes there.
      const loc = await this.send({ method: 'PUT', path: tmp, op: 'CREATE', params: { overwrite: 'false' } }, 'write', uri, { location: true });
      await this.sendTo(loc, 'PUT', counted, 'write', uri);
      verifier.verify();
      await this.commits.run(path, async () => {
        // The file as it is now (not as it was before the body was sent), for the condition and the replace.
        const current = await this.getStatus(uri).catch((err) => { if (err instanceof NotFoundError) return undefined; throw err; });
        if (current?.isDirectory) throw new AlluxioError('ALX_ERR_IS_A_DIRECTORY', `write ${uri}: is a directory`);
        if (options.precondition) await options.precondition(current);
        if (current) await this.json({ method: 'DELETE', path, op: 'DELETE', params: { recursive: 'false' } }, 'write', uri);
        const moved = await this.json<{ boolean: boolean }>({ method: 'PUT', path: tmp, op: 'RENAME', params: { destination: path } }, 'write', uri);
        if (!moved.boolean) throw new UfsError('ALX_ERR_UFS', `write ${uri}: the NameNode refused to rename the temp file into place`);
      });
    } catch (err) {
      await this.json({ method: 'DELETE', path: tmp, op: 'DELETE', params: { recursive: 'false' } }, 'write', uri).catch(() => undefined);
      await options.tempFiles?.remove(tmpUri).catch(() => undefined);
      throw err;
    }
    await options.tempFiles?.remove(tmpUri).catch(() => undefined);
    return this.getStatus(uri);
  }

  async delete(uri: string, options: DeleteOptions = {}): Promise<void> {
    const path = this.resolve(uri);
    if (this.isRoot(path)) throw new InvalidPathError(`delete ${uri}: refusing to delete the mount's root directory`);
    const st = await this.getStatus(uri);
    if (st.isDirectory && !options.recursive) {
      const children = await this.listDirectory(path, uri);
      if (children.length > 0) throw new AlluxioError('ALX_ERR_DIRECTORY_NOT_EMPTY', `delete ${uri}: directory not empty (use recursive)`);
    }
    const r = await this.json<{ boolean: boolean }>({ method: 'DELETE', path, op: 'DELETE', params: { recursive: String(!!options.recursive) } }, 'delete', uri);
    if (!r.boolean) throw new NotFoundError(`delete ${clipText(uri)}: no such file or directory`);
  }

  async mkdir(uri: string, options: MkdirOptions = {}): Promise<void> {
    const path = this.resolve(uri);
    const existing = await this.getStatus(uri).catch((err) => { if (err instanceof NotFoundError) return undefined; throw err; });
    if (existing?.isDirectory) return;
    if (existing) throw new AlreadyExistsError(`mkdir ${uri}: a file exists at that path`);
    if (options.recursive === false) {
      const parent = path.slice(0, path.lastIndexOf('/')) || '/';
      await this.json({ method: 'GET', path: parent, op: 'GETFILESTATUS' }, 'mkdir', uri)
        .catch((err) => { throw err instanceof NotFoundError ? new NotFoundError(`mkdir ${uri}: parent directory does not exist (use recursive)`) : err; });
    }
    const r = await this.json<{ boolean: boolean }>({ method: 'PUT', path, op: 'MKDIRS' }, 'mkdir', uri);
    if (!r.boolean) throw new UfsError('ALX_ERR_UFS', `mkdir ${uri}: the NameNode refused`);
  }

  async rename(src: string, dst: string): Promise<void> {
    const from = this.resolve(src);
    const to = this.resolve(dst);
    if (this.isRoot(from) || this.isRoot(to)) throw new InvalidPathError(`rename ${src} to ${dst}: cannot move the mount's root directory`);
    await this.getStatus(src);
    // HDFS moves a source INTO an existing destination directory; a rename here replaces a
    // path or fails, as on the other stores.
    const target = await this.getStatus(dst).catch((err) => { if (err instanceof NotFoundError) return undefined; throw err; });
    if (target) throw new AlreadyExistsError(`rename ${src} to ${dst}: the destination exists`);
    const parent = to.slice(0, to.lastIndexOf('/')) || '/';
    await this.json({ method: 'PUT', path: parent, op: 'MKDIRS' }, 'rename', dst);
    const r = await this.json<{ boolean: boolean }>({ method: 'PUT', path: from, op: 'RENAME', params: { destination: to } }, 'rename', src);
    if (!r.boolean) throw new UfsError('ALX_ERR_UFS', `rename ${src} to ${dst}: the NameNode refused`);
  }

  async close(): Promise<void> {
    await this.agent.close();
  }

  // ---- helpers

  /** The HDFS path of a URI of this mount (never above the mount's root). */
  private resolve(uri: string): string {
    const { path } = parseUfsUri(uri);
    const segs = uriPathSegments(path, uri);
    for (let i = 0; i < this.rootSegs.length; i++) {
      if (segs[i] !== this.rootSegs[i]) throw new InvalidPathError(`${uri} is outside the mount root ${this.rootUri}`);
    }
    return '/' + segs.join('/');
  }

  private isRoot(path: string): boolean {
    return path === '/' + this.rootSegs.join('/');
  }

  private toStatus(path: string, fs: FileStatus, self: boolean): UfsStatus {
    const dir = fs.type === 'DIRECTORY';
    const name = self ? path.slice(path.lastIndexOf('/') + 1) : fs.pathSuffix;
    return {
      uri: this.uriPrefix + path,
      name,
      isDirectory: dir,
      length: dir ? 0 : fs.length,
      lastModifiedMs: fs.modificationTime,
      // HDFS gives ms times and an inode id (fileId): a file written again gets a new fileId.
      ctimeNs: String(BigInt(fs.modificationTime) * 1_000_000n),
      ino: String(fs.fileId ?? 0),
      dev: 'hdfs',
    };
  }

  /** The children of a directory in name order, after `startAfter`, at most about `max` (all when undefined). */
  private async listDirectory(path: string, uri: string, startAfter?: string, max?: number): Promise<FileStatus[]> {
    const out: FileStatus[] = [];
    let from = startAfter;
    for (;;) {
      const params: Record<string, string> = from === undefined ? {} : { startAfter: from };
      let page: { DirectoryListing?: { partialListing: { FileStatuses: { FileStatus: FileStatus[] } }; remainingEntries: number } };
      try {
        page = await this.json({ method: 'GET', path, op: 'LISTSTATUS_BATCH', params }, 'list', uri);
      } catch (err) {
        // HttpFS and Hadoop before 2.8 have no LISTSTATUS_BATCH: one LISTSTATUS then.
        if (!(err instanceof AlluxioError) || err.code !== 'ALX_ERR_INVALID_ARGUMENT' || out.length > 0) throw err;
        const all = await this.json<{ FileStatuses: { FileStatus: FileStatus[] } }>({ method: 'GET', path, op: 'LISTSTATUS' }, 'list', uri);
        return all.FileStatuses.FileStatus.filter((f) => startAfter === undefined || f.pathSuffix > startAfter).sort((a, b) => (a.pathSuffix < b.pathSuffix ? -1 : 1));
      }
      const batch = page.DirectoryListing?.partialListing.FileStatuses.FileStatus ?? [];
      out.push(...batch);
      if (!page.DirectoryListing || page.DirectoryListing.remainingEntries <= 0 || batch.length === 0) return out;
      if (max !== undefined && out.length >= max) return out;
      from = batch[batch.length - 1]!.pathSuffix;
    }
  }

  private url(base: string, call: Call): string {
    const path = call.path.split('/').map(encodeURIComponent).join('/');
    const q = new URLSearchParams({ op: call.op, 'user.name': this.config.user, ...call.params });
    return `${base}/webhdfs/v1${path}?${q}`;
  }

  private async json<T = unknown>(call: Call, what: string, uri: string): Promise<T> {
    const res = await this.send(call, what, uri, {});
    return (await res.body.json()) as T;
  }

  /**
   * Sends a call to the active NameNode, trying the others of an HA service when it cannot be
   * reached or is standby. A 307 to a DataNode is followed (OPEN), or with `location` only its
   * URL is returned (CREATE sends the body there).
   */
  private send(call: Call, what: string, uri: string, o: { location: true }): Promise<string>;
  private send(call: Call, what: string, uri: string, o: { signal?: AbortSignal | undefined }): Promise<Dispatcher.ResponseData>;
  private async send(call: Call, what: string, uri: string, o: { location?: true; signal?: AbortSignal | undefined }): Promise<Dispatcher.ResponseData | string> {
    const n = this.config.namenodes.length;
    let lastErr: unknown;
    for (let i = 0; i < n; i++) {
      const idx = (this.active + i) % n;
      let res: Dispatcher.ResponseData;
      try {
        res = await request(this.url(this.config.namenodes[idx]!, call), { method: call.method, dispatcher: this.agent, ...(o.signal ? { signal: o.signal } : {}) });
      } catch (err) {
        lastErr = transportError(err, what, uri);
        continue;
      }
      if (res.statusCode === 307 || res.statusCode === 302) {
        await res.body.dump();
        const loc = res.headers.location;
        if (typeof loc !== 'string') throw new UfsError('ALX_ERR_UFS', `${what} ${clipText(uri)}: the NameNode redirected without a Location`);
        this.active = idx;
        if (o.location) return loc;
        const dn = await request(loc, { method: call.method, dispatcher: this.agent, ...(o.signal ? { signal: o.signal } : {}) }).catch((err) => { throw transportError(err, what, uri); });
        if (dn.statusCode >= 300) throw await remoteError(dn, what, uri);
        return dn;
      }
      if (res.statusCode >= 300) {
        const err = await remoteError(res, what, uri);
        if ((err as { standby?: boolean }).standby) { lastErr = err; continue; }
        throw err;
      }
      this.active = idx;
      if (o.location) {
        // HttpFS answers CREATE on the first call (no DataNode hop): the body goes to the same URL with data=true.
        await res.body.dump();
        return this.url(this.config.namenodes[idx]!, { ...call, params: { ...call.params, data: 'true' } });
      }
      return res;
    }
    throw lastErr;
  }

  private async sendTo(location: string, method: 'PUT' | 'POST', body: Buffer | Readable, what: string, uri: string): Promise<void> {
    const res = await request(location, { method, body, dispatcher: this.agent, headers: { 'content-type': 'application/octet-stream' } })
      .catch((err) => { throw transportError(err, what, uri); });
    if (res.statusCode >= 300) throw await remoteError(res, what, uri);
    await res.body.dump();
  }
}

/** A body stream that counts and hashes as it is sent (BodyVerifier). */
function countThrough(body: Readable, verifier: BodyVerifier): Readable {
  return Readable.from((async function* () {
    for await (const chunk of body) {
      const b = toBuffer(chunk);
      verifier.update(b);
      yield b;
    }
  })());
}

function staleError(uri: string, expected: string, found: string): AlluxioError {
  return new AlluxioError('ALX_ERR_STALE', `openRead ${uri}: the file changed during the read (expected version ${expected}, found ${found}); retry the read`);
}

function transportError(err: unknown, what: string, uri: string): AlluxioError {
  if (err instanceof AlluxioError) return err;
  const code = (err as { code?: string }).code ?? '';
  if (/TIMEOUT/.test(code)) return new UfsError('ALX_ERR_UFS_TIMEOUT', `${what} ${clipText(uri)}: WebHDFS did not answer in time (${code})`, { cause: err });
  return new UfsError('ALX_ERR_UFS_UNAVAILABLE', `${what} ${clipText(uri)}: cannot reach WebHDFS (${code || (err as Error).message})`, { cause: err });
}

/** Maps a WebHDFS error answer ({"RemoteException": {exception, message}}) to an AlluxioError. */
async function remoteError(res: Dispatcher.ResponseData, what: string, uri: string): Promise<AlluxioError> {
  const text = await res.body.text().catch(() => '');
  let ex = '';
  let message = '';
  try {
    const j = JSON.parse(text) as { RemoteException?: { exception?: string; message?: string } };
    ex = j.RemoteException?.exception ?? '';
    message = j.RemoteException?.message ?? '';
  } catch { /* not JSON */ }
  const where = `${what} ${clipText(uri)}`;
  const detail = clipText(message || text || `HTTP ${res.statusCode}`);
  if (ex === 'FileNotFoundException' || res.statusCode === 404) return new NotFoundError(`${where}: no such file or directory`);
  if (ex === 'FileAlreadyExistsException') return new AlreadyExistsError(`${where}: already exists`);
  if (ex === 'AccessControlException' || ex === 'SecurityException') return new AlluxioError('ALX_ERR_PERMISSION_DENIED', `${where}: permission denied (${detail})`);
  if (ex === 'PathIsNotEmptyDirectoryException') return new AlluxioError('ALX_ERR_DIRECTORY_NOT_EMPTY', `${where}: directory not empty (use recursive)`);
  if (ex === 'StandbyException') return Object.assign(new UfsError('ALX_ERR_UFS_UNAVAILABLE', `${where}: the NameNode is standby`), { standby: true });
  if (ex === 'IllegalArgumentException' || res.statusCode === 400) return new InvalidArgumentError(`${where}: WebHDFS refused the request (${detail})`);
  if (res.statusCode === 401) return new AlluxioError('ALX_ERR_PERMISSION_DENIED', `${where}: WebHDFS asks for authentication (Kerberos/SPNEGO is not supported)`);
  return new UfsError(res.statusCode >= 500 ? 'ALX_ERR_UFS_UNAVAILABLE' : 'ALX_ERR_UFS', `${where}: ${ex ? `${ex}: ` : ''}${detail}`);
}

/** Orders paths segment by segment, the order of a depth-first walk with sorted children. */
function compareSegments(a: string[], b: string[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  }
  return a.length - b.length;
}

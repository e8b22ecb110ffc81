import type { Readable } from 'node:stream';
import { AlluxioError, NotFoundError } from '../common/errors.js';
import type { FileInfo } from '../common/protocol/index.js';
import { baseName, joinPath, normalizePath } from '../common/paths.js';
import type { Namespace, ResolvedPath } from '../mount/namespace.js';
import { ufsVersion, type TempFileRecorder, type UfsStatus, type WriteOptions } from '../ufs/under-file-system.js';
import type { CachedReader } from './cached-reader.js';
import { DataPath, type OpenFile } from './data-path.js';

/** A file or directory as the worker reports it, in Alluxio paths (the wire's FileInfo, plus its version). */
export interface FileEntry extends FileInfo {
  /** The UFS version (ufsVersion()) this entry describes. */
  version: string;
  etag?: string;
}

/**
 * The namespace operations a worker serves to its front ends (REST, S3): metadata through the
 * mount table, data through the cache, writes through to the UFS with the file's cache dropped.
 * Paths may be Alluxio paths (`/s3/a`) or full UFS URIs (`s3://bucket/a`, as alluxiofs sends).
 */
export class FileService {
  /** Every data read of every front end goes through this (data-path.ts). */
  readonly data: DataPath;

  /** `tempFiles` records the UFS temp files of writes in flight (see TempFileJournal). */
  constructor(readonly ns: Namespace, readonly reader: CachedReader, private readonly tempFiles?: TempFileRecorder) {
    this.data = new DataPath(reader);
  }

  resolve(pathOrUri: string): ResolvedPath & { path: string } {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(pathOrUri)) {
      const r = this.ns.resolveUfsUri(pathOrUri);
      return { ...r, path: this.ns.alluxioPath(r.ufsUri)! };
    }
    const path = normalizePath(pathOrUri);
    return { ...this.ns.resolve(path), path };
  }

  async stat(pathOrUri: string): Promise<FileEntry> {
    if (this.isVirtualRoot(pathOrUri)) return virtualDir('/');
    const r = this.resolve(pathOrUri);
    const s = await this.reader.status(r.ufs, r.ufsUri);
    return toEntry(r.path, s);
  }

  async list(pathOrUri: string, recursive = false): Promise<FileEntry[]> {
    if (this.isVirtualRoot(pathOrUri)) return this.listRoot(recursive);
    const r = this.resolve(pathOrUri);
    const dirStatus = await r.ufs.getStatus(r.ufsUri);
    if (!dirStatus.isDirectory) return [toEntry(r.path, dirStatus)];
    const base = r.ufsUri.endsWith('/') ? r.ufsUri : r.ufsUri + '/';
    const out: FileEntry[] = [];
    let token: string | undefined;
    do {
      const page = await r.ufs.list(r.ufsUri, { recursive, token });
      for (const s of page.entries) {
        const rel = s.uri.startsWith(base) ? s.uri.slice(base.length).replace(/\/$/, '') : s.name;
        if (!rel) continue;
        const path = joinPath(r.path, rel);
        // A child mount shadows the root mount's directory of the same name.
        if (r.path === '/' && this.ns.mounts.hasChild(rel.split('/')[0]!)) continue;
        out.push(toEntry(path, s));
      }
      token = page.nextToken;
    } while (token);
    if (r.path === '/') out.push(...(await this.mountEntries(recursive)));
    return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  /** Opens a file for reading at its current version, or at a pinned one (DataPath.open). */
  open(pathOrUri: string, version?: string): Promise<OpenFile> {
    return this.data.open(this.resolve(pathOrUri), version);
  }

  /** Opens and streams a range of one version (see DataPath). */
  async read(pathOrUri: string, offset: number, length: number, version?: string): Promise<{ file: OpenFile; length: number; stream: Readable }> {
    const file = await this.open(pathOrUri, version);
    return { file, ...this.data.stream(file, offset, length) };
  }

  async write(pathOrUri: string, body: Readable | Buffer, options: Pick<WriteOptions, 'length' | 'contentMd5' | 'meta' | 'precondition'> = {}): Promise<FileEntry> {
    const r = this.resolve(pathOrUri);
    this.refuseMountRoot(r.path, 'write');
    const s = await r.ufs.write(r.ufsUri, body, this.tempFiles ? { ...options, tempFiles: this.tempFiles } : options);
    await this.reader.invalidate(r.ufsUri);
    return toEntry(r.path, s);
  }

  /** Creates an empty file unless one exists (alluxiofs touch); an existing file is left as it is. */
  async touch(pathOrUri: string): Promise<FileEntry> {
    const r = this.resolve(pathOrUri);
    try {
      return toEntry(r.path, await r.ufs.getStatus(r.ufsUri));
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
    }
    return this.write(r.path, Buffer.alloc(0), { length: 0 });
  }

  /** Copies one file: read through the cache at one version, written through to the UFS. */
  async copy(src: string, dst: string): Promise<FileEntry> {
    const f = await this.open(src);
    const { length, stream } = this.data.stream(f, 0, -1);
    // The UFS keeps no chunk past its write, so the chunks are simply not handed back (data-path.ts).
    return this.write(dst, stream, { length });
  }

  /**
   * Writes page `index` of a file (the alluxiofs page API): page 0 creates or replaces the file,
   * page n appends at n * pageSize and needs the file to be exactly that long (pages in order, all
   * full but the last). The UFS has no append, so a page rewrites the file: fine for the small
   * files this API is used for; large writes use the chunk API (one streamed write).
   */
  async writePage(pathOrUri: string, index: number, page: Buffer): Promise<FileEntry> {
    if (page.length > this.data.pageSize) {
      throw new AlluxioError('ALX_ERR_INVALID_ARGUMENT', `page ${index} has ${page.length} bytes, more than the page size ${this.data.pageSize}`);
    }
    if (index === 0) return this.write(pathOrUri, page, { length: page.length });
    const f = await this.open(pathOrUri);
    const at = index * this.data.pageSize;
    if (f.length !== at) {
      throw new AlluxioError('ALX_ERR_INVALID_ARGUMENT', `page ${index} of ${f.path} starts at byte ${at}, but the file has ${f.length} bytes: write pages in order from page 0, all full but the last`);
    }
    const head = await this.data.readWhole(f);
    return this.write(pathOrUri, Buffer.concat([head, page], at + page.length), { length: at + page.length });
  }

  async delete(pathOrUri: string, recursive = false): Promise<void> {
    const r = this.resolve(pathOrUri);
    this.refuseMountRoot(r.path, 'delete');
    const s = await r.ufs.getStatus(r.ufsUri);
    if (s.isDirectory) {
      if (recursive) {
        for (const e of await this.list(r.path, true)) if (e.type === 'file') await this.reader.invalidate(e.ufsPath);
      }
      await r.ufs.delete(r.ufsUri, { recursive });
      this.reader.invalidatePrefix(r.ufsUri);
    } else {
      await r.ufs.delete(r.ufsUri);
      await this.reader.invalidate(r.ufsUri);
    }
  }

  /** Drops what this worker caches of a file or directory (alluxiofs rm with remove_alluxio_only); the UFS is left alone. */
  async free(pathOrUri: string, recursive = false): Promise<void> {
    const r = this.resolve(pathOrUri);
    const s = await r.ufs.getStatus(r.ufsUri);
    if (!s.isDirectory) return this.reader.invalidate(r.ufsUri);
    if (!recursive) throw new AlluxioError('ALX_ERR_INVALID_ARGUMENT', `${r.path} is a directory: pass recursive=true to free it`);
    for (const e of await this.list(r.path, true)) if (e.type === 'file') await this.reader.invalidate(e.ufsPath);
    this.reader.invalidatePrefix(r.ufsUri);
  }

  async mkdir(pathOrUri: string): Promise<FileEntry> {
    const r = this.resolve(pathOrUri);
    await r.ufs.mkdir(r.ufsUri);
    this.reader.invalidatePrefix(r.ufsUri);
    return this.stat(r.path);
  }

  async rename(src: string, dst: string): Promise<void> {
    const a = this.resolve(src);
    const b = this.resolve(dst);
    this.refuseMountRoot(a.path, 'rename');
    if (a.mount.path !== b.mount.path) throw new AlluxioError('ALX_ERR_INVALID_ARGUMENT', `cannot rename across mount points (${a.mount.path} → ${b.mount.path})`);
    await a.ufs.rename(a.ufsUri, b.ufsUri);
    await this.reader.invalidate(a.ufsUri);
    await this.reader.invalidate(b.ufsUri);
  }

  private isVirtualRoot(pathOrUri: string): boolean {
    return !/^[a-z][a-z0-9+.-]*:\/\//i.test(pathOrUri) && normalizePath(pathOrUri) === '/' && !this.ns.mounts.root;
  }

  private refuseMountRoot(path: string, op: string): void {
    if (path === '/' || this.ns.isMountPoint(path)) {
      throw new AlluxioError('ALX_ERR_INVALID_ARGUMENT', `cannot ${op} ${path}: it is a mount point (use 'alluxio mount remove --path ${path}')`);
    }
  }

  private async listRoot(recursive: boolean): Promise<FileEntry[]> {
    return (await this.mountEntries(recursive)).sort((a, b) => (a.path < b.path ? -1 : 1));
  }

  /** The child mount points as directories, with their contents when recursive. */
  private async mountEntries(recursive: boolean): Promise<FileEntry[]> {
    const out: FileEntry[] = [];
    for (const name of this.ns.mounts.childMountNames()) {
      const path = '/' + name;
      // A mount whose under-storage fails (endpoint down, credentials refused) is still listed, as
      // a directory without its contents: one broken mount must not hide the rest of the namespace.
      // Listing or reading inside it gives its own error.
      let broken = false;
      try {
        out.push(await this.stat(path));
      } catch (err) {
        broken = !(err instanceof NotFoundError);
        out.push(virtualDir(path));
      }
      if (recursive && !broken) out.push(...(await this.list(path, true)));
    }
    return out;
  }
}

export function toEntry(path: string, s: UfsStatus): FileEntry {
  return {
    type: s.isDirectory ? 'directory' : 'file',
    name: path === '/' ? '/' : baseName(path),
    path,
    ufsPath: s.uri,
    lastModifiedMs: s.lastModifiedMs,
    length: s.isDirectory ? 0 : s.length,
    version: ufsVersion(s),
    ...(s.etag ? { etag: s.etag } : {}),
  };
}

function virtualDir(path: string): FileEntry {
  return { type: 'directory', name: path === '/' ? '/' : baseName(path), path, ufsPath: '', lastModifiedMs: 0, length: 0, version: '' };
}

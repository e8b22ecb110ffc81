import type { Readable } from 'node:stream';
import { AlluxioError, InvalidRangeError } from '../common/errors.js';
import { fileIdOf } from '../pagestore/index.js';
import type { FileId } from '../pagestore/page-store.js';
import { ufsVersion, type UfsStatus, type UnderFileSystem } from '../ufs/under-file-system.js';
import type { CachedReader, ReadTarget } from './cached-reader.js';
import { parallelRead } from './parallel-read.js';

/** A file to read, as the namespace resolved it. */
export interface FileRef {
  /** The Alluxio path (for messages). */
  path: string;
  ufs: UnderFileSystem;
  ufsUri: string;
}

/** A file opened at one UFS version: every byte read through it is of that version, or the read fails. */
export interface OpenFile extends ReadTarget {
  readonly path: string;
  readonly status: UfsStatus;
}

/**
 * The worker's one data path, used by every front end (REST, S3, the alluxiofs page API): open a
 * file at a version, then stream a range, read a page, or read it whole. Arguments are checked
 * here, once; the cached reader below trusts them. A read never mixes versions: cached pages are
 * tied to the version, and a UFS read names the version it expects (the UFS refuses another).
 */
export class DataPath {
  readonly pageSize: number;

  constructor(readonly reader: CachedReader) {
    this.pageSize = reader.pageSize;
  }

  /**
   * Opens a file at its current version or, given `version` (a ufsVersion() a client pinned at the
   * start of its read), at that version: when the cached metadata has another version it is
   * refreshed first (it may be a stale entry within its TTL), and a version the UFS no longer has
   * is ALX_ERR_STALE, checked before any range so a length change reads as a change.
   */
  async open(f: FileRef, version?: string): Promise<OpenFile> {
    let status = await this.reader.status(f.ufs, f.ufsUri);
    if (version !== undefined && ufsVersion(status) !== version) {
      status = await this.reader.refreshStatus(f.ufs, f.ufsUri);
      if (ufsVersion(status) !== version) throw changedDuringRead(f.path, version, ufsVersion(status));
    }
    return this.opened(f, status);
  }

  /** Opens a file at the version the UFS has now, bypassing the metadata cache (S3 If-Match). */
  async openFresh(f: FileRef): Promise<OpenFile> {
    return this.opened(f, await this.reader.refreshStatus(f.ufs, f.ufsUri));
  }

  /**
   * Streams [offset, offset+length) (length -1: to the end; a range running past the end is cut
   * there, as S3 and POSIX do). Large ranges are read a few segments at a time (parallelRead).
   * Each chunk carries a reference its consumer hands back with release() once sent.
   */
  stream(f: OpenFile, offset: number, length: number): { length: number; stream: Readable } {
    const n = checkRange(offset, length, f.length, f.path);
    return { length: n, stream: parallelRead(this.reader, f, offset, n) };
  }

  /** One whole page in memory (the alluxiofs page API). */
  async readPage(f: OpenFile, pageIndex: number): Promise<Buffer> {
    const start = pageIndex * this.pageSize;
    if (!Number.isSafeInteger(pageIndex) || pageIndex < 0 || (start >= f.length && f.length > 0) || (f.length === 0 && pageIndex > 0)) {
      throw new InvalidRangeError(`page ${pageIndex} is past the end of ${f.path} (${f.length} bytes, page size ${this.pageSize})`);
    }
    return this.collect(f, start, Math.min(start + this.pageSize, f.length), true);
  }

  /** The whole file in memory (small objects). */
  readWhole(f: OpenFile): Promise<Buffer> {
    return this.collect(f, 0, f.length, false);
  }

  private opened(f: FileRef, status: UfsStatus): OpenFile {
    if (status.isDirectory) throw new AlluxioError('ALX_ERR_IS_A_DIRECTORY', `${f.path} is a directory`);
    return new OpenedFile(f.path, f.ufs, f.ufsUri, status);
  }

  /** Hands back a chunk a stream yielded, once it has been sent (see CachedReader.release). */
  release(chunk: Uint8Array): void {
    this.reader.release(chunk);
  }

  private async collect(f: OpenFile, start: number, end: number, readAhead: boolean): Promise<Buffer> {
    const chunks: Buffer[] = [];
    let n = 0;
    for await (const c of this.reader.openRange(f, start, end, readAhead)) {
      chunks.push(c as Buffer);
      n += (c as Buffer).length;
    }
    if (n !== end - start) throw changedDuringRead(f.path, f.version, `${n} of ${end - start} bytes`);
    return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, n);
  }
}

class OpenedFile implements OpenFile {
  readonly version: string;
  readonly length: number;
  private id: FileId | undefined;

  constructor(readonly path: string, readonly ufs: UnderFileSystem, readonly ufsUri: string, readonly status: UfsStatus) {
    this.version = ufsVersion(status);
    this.length = status.length;
    this.id = undefined;
  }

  /** Computed on the first page lookup: a hot small object served from memory never hashes its URI. */
  get fileId(): FileId {
    return (this.id ??= fileIdOf(this.ufsUri));
  }
}

/** The error of a read whose version the UFS no longer has (HTTP 409, S3 PreconditionFailed, ESTALE). */
export function changedDuringRead(path: string, version: string, found: string): AlluxioError {
  return new AlluxioError('ALX_ERR_STALE', `${path} changed during the read (the read started at version ${version}; now ${found}): retry the read`);
}

/** Checks a requested range against the file length and returns the byte count to serve. */
export function checkRange(offset: number, length: number, fileLength: number, what: string): number {
  if (!Number.isSafeInteger(offset) || offset < 0) throw new InvalidRangeError(`invalid offset ${offset} for ${what}: must be a non-negative integer`);
  if (!Number.isSafeInteger(length) || length < -1) throw new InvalidRangeError(`invalid length ${length} for ${what}: must be a non-negative integer, or -1 for the rest of the file`);
  if (offset > fileLength || (offset === fileLength && fileLength > 0 && length !== 0 && length !== -1)) {
    throw new InvalidRangeError(`offset ${offset} is past the end of ${what} (${fileLength} bytes)`);
  }
  const rest = fileLength - offset;
  return length === -1 ? rest : Math.min(length, rest);
}

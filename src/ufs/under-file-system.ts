import type { Readable } from 'node:stream';

/** What the under-storage says about one file or directory. `uri` is the full UFS URI. */
export interface UfsStatus {
  uri: string;
  name: string;
  isDirectory: boolean;
  length: number;
  lastModifiedMs: number;
  /** S3 ETag (unquoted) where the store has one. */
  etag?: string;
  /** S3 VersionId, where the bucket is versioned. */
  versionId?: string;
  /**
   * Local files: change time in ns, inode and device (decimal). A replacement that restores the
   * mtime (`cp -p`, `rsync -a`, `tar x`) still gets a new ctime, and a rename over the path a new inode.
   */
  ctimeNs?: string;
  ino?: string;
  dev?: string;
}

/**
 * The version a cached page and a read are tied to: the ETag (and VersionId), else mtime and
 * length plus ctime, inode and device where the store has them. The one place a version is made.
 */
export function ufsVersion(status: UfsStatus): string {
  if (status.etag) return status.versionId ? `etag:${status.etag}:vid:${status.versionId}` : `etag:${status.etag}`;
  const base = `mtime:${status.lastModifiedMs}:len:${status.length}`;
  return status.ctimeNs === undefined ? base : `${base}:ctime:${status.ctimeNs}:ino:${status.ino}:dev:${status.dev}`;
}

/** The ETag a version string pins ('etag:<etag>[:vid:<id>]'), for a conditional GET. */
export function etagOfVersion(version: string | undefined): string | undefined {
  if (version === undefined || !version.startsWith('etag:')) return undefined;
  const vid = version.indexOf(':vid:', 5);
  return vid < 0 ? version.slice(5) : version.slice(5, vid);
}

export interface ListOptions {
  recursive?: boolean;
  /** Continuation token from a previous page. */
  token?: string;
  /** Maximum entries per page (default 1000). */
  limit?: number;
}

export interface ListPage {
  entries: UfsStatus[];
  /** Present when more entries follow. */
  nextToken?: string;
}

export interface ReadOptions {
  signal?: AbortSignal;
  /**
   * The ufsVersion() the caller expects. When the file's current version differs, openRead
   * fails with ALX_ERR_STALE instead of returning bytes of another version (S3: If-Match).
   */
  version?: string;
}

export interface WriteOptions {
  /** Expected byte count; a body of another length is refused and nothing is written. */
  length?: number;
  /** Base64 MD5 of the body (the Content-MD5 header); on a mismatch nothing is written. */
  contentMd5?: string;
  /** Told of each temp file the write creates in the UFS, so one a killed process left is found later. */
  tempFiles?: TempFileRecorder;
  /** S3 object metadata to keep with the file (see ObjectMeta); a write without it drops any kept before. */
  meta?: WriteMeta;
  /**
   * A condition on the file in place (undefined: none), checked when the body is complete, just
   * before the new file becomes visible, one commit at a time per file among the writes through
   * this UFS instance (so two conditional writes of one key cannot both pass). A throw refuses the
   * write: nothing is written and the error reaches the caller as it is.
   */
  precondition?: (current: UfsStatus | undefined) => Promise<void>;
}

/**
 * S3 object metadata kept with a file: where the store has object metadata (S3) natively, else in
 * a sidecar tied to the file's version (local), so a change made outside Alluxio drops it.
 */
export interface ObjectMeta {
  /** Lower-case names: content-type, cache-control, expires, content-encoding, content-disposition, content-language, x-amz-meta-*. */
  headers: Record<string, string>;
  /** The ETag the S3 API gave the object (unquoted), where the store does not keep its own. */
  etag?: string;
}

export interface WriteMeta {
  headers: Record<string, string>;
  /** The ETag, or a function that gives it once the body has been read (an MD5 computed while streaming). */
  etag?: string | (() => string);
}

/**
 * A record of in-flight temp files: `add` before a temp file is created, `remove` once it is gone
 * (renamed into place or deleted). Whatever is still recorded after a crash is a leftover.
 */
export interface TempFileRecorder {
  add(path: string): Promise<void>;
  remove(path: string): Promise<void>;
}

export interface DeleteOptions {
  /** Delete a directory with everything below it (default false: a non-empty directory is refused). */
  recursive?: boolean;
}

export interface MkdirOptions {
  /** Create missing parents too (default true); an existing directory is not an error either way. */
  recursive?: boolean;
}

/**
 * An under-storage back end. All calls are idempotent; errors are AlluxioErrors
 * (NotFoundError for a missing path, UfsError for a store that failed after retries).
 */
export interface UnderFileSystem {
  readonly scheme: string;
  getStatus(uri: string): Promise<UfsStatus>;
  /** Lists the children of a directory (or every descendant, when recursive), one page at a time. */
  list(uri: string, options?: ListOptions): Promise<ListPage>;
  /**
   * A stream of `length` bytes from `offset` (length -1: to the end). A range past the end of
   * the file, or negative numbers, is an InvalidRangeError.
   */
  openRead(uri: string, offset: number, length: number, options?: ReadOptions): Promise<Readable>;
  /** Writes a whole file atomically (readers see the old or the new content, never a mix). */
  write(uri: string, body: Readable | Buffer, options?: WriteOptions): Promise<UfsStatus>;
  delete(uri: string, options?: DeleteOptions): Promise<void>;
  mkdir(uri: string, options?: MkdirOptions): Promise<void>;
  /** Moves a file or a directory (S3: copy then delete, not atomic for directories). */
  rename(src: string, dst: string): Promise<void>;
  /**
   * The object metadata a write kept with this version of a file (WriteOptions.meta); undefined
   * when there is none or it belongs to another version. Stores without it keep no metadata.
   */
  readObjectMeta?(uri: string, version: string): Promise<ObjectMeta | undefined>;
  close(): Promise<void>;
}

/** Properties and mount options given to a back end when it is created. */
export type UfsOptions = Record<string, string>;

export type UfsFactory = (rootUri: string, options: UfsOptions) => UnderFileSystem;

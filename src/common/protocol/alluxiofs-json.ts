// The JSON shapes of the worker REST API (Alluxio's, as the alluxiofs Python client reads them),
// and the decoding of its query parameters: both sides of the wire in one place.
import { InvalidArgumentError } from '../errors.js';
import { formatSize } from '../sizes.js';
import { PARAM, UFS_VERSION_HEADER } from './routes.js';

/** A file or directory as a worker describes it. */
export interface FileInfo {
  type: 'file' | 'directory';
  name: string;
  path: string;
  ufsPath: string;
  lastModifiedMs: number;
  length: number;
}

/** A file as a client reads it back (the human-readable size is the worker's). */
export interface ClientFileEntry extends FileInfo {
  humanReadableSize: string;
}

/** Alluxio's JSON for a file (`/v1/info` answers a one-element list of it, `/v1/files` a list). */
export interface AlluxioFileJson {
  mType: 'file' | 'directory';
  mName: string;
  mPath: string;
  mUfsPath: string;
  mLastModificationTimeMs: number;
  mLength: number;
  mHumanReadableFileSize: string;
}

/**
 * `GET /v1/local/pages` (domain socket only): a file at one version and this worker's page files
 * of it. `cached` are hints (pages indexed now, as [first, last] runs in the asked range): the
 * client still checks every page against the sidecar's version and CRC before serving it.
 */
export interface LocalPagesJson {
  path: string;
  ufsUri: string;
  fileId: string;
  version: string;
  length: number;
  pageSize: number;
  buckets: number;
  /** Page store directories with page files (empty for a MEM store: nothing to read directly). */
  dirs: string[];
  cached: Array<[number, number]>;
}

/** `POST /v1/local/pages/read` (domain socket only): pages of one version a local client read from the page files. */
export interface LocalPagesReadJson {
  fileId: string;
  version: string;
  pages: number[];
}

/** `GET /v1/cache`: the worker's page store figures (beside `worker`, its WorkerInfo). */
export interface CacheStatsJson {
  usedBytes: number;
  capacityBytes: number;
  pages: number;
  files: number;
}

/** `GET /v1/cache/file?path=`. */
export interface CacheFileJson {
  ufsPath: string;
  fileId: string;
  cachedPages: number;
  cachedBytes: number;
  version: string | null;
}

/** One entry of `GET /v1/cache/files`. */
export interface CacheIndexEntryJson {
  ufsUri: string;
  bytes: number;
  pages: number;
}

export function alluxioJson(e: FileInfo): AlluxioFileJson {
  return {
    mType: e.type,
    mName: e.name,
    mPath: e.path,
    mUfsPath: e.ufsPath,
    mLastModificationTimeMs: e.lastModifiedMs,
    mLength: e.length,
    mHumanReadableFileSize: formatSize(e.length),
  };
}

export function fromAlluxioJson(j: Record<string, unknown>): ClientFileEntry {
  return {
    type: j.mType === 'directory' ? 'directory' : 'file',
    name: String(j.mName),
    path: String(j.mPath),
    ufsPath: String(j.mUfsPath ?? ''),
    lastModifiedMs: Number(j.mLastModificationTimeMs ?? 0),
    length: Number(j.mLength ?? 0),
    humanReadableSize: String(j.mHumanReadableFileSize ?? ''),
  };
}

/** The version a read pins (PARAM.version, as the UFS_VERSION_HEADER of an earlier answer gave it). */
export function versionParam(q: URLSearchParams): string | undefined {
  const v = q.get(PARAM.version);
  if (v === '') throw new InvalidArgumentError(`query parameter ${PARAM.version} is empty: pass the ${UFS_VERSION_HEADER} of an earlier answer, or leave it out`);
  return v ?? undefined;
}

/** `path`, or alluxiofs's `ufsFullPath`. */
export function pathParam(q: URLSearchParams): string {
  const p = q.get(PARAM.path) ?? q.get(PARAM.ufsFullPath);
  if (!p) throw new InvalidArgumentError(`missing query parameter '${PARAM.path}'`);
  return p;
}

/** A boolean query parameter: `true`/`false` in any case (Python's requests sends `True`/`False`). */
export function boolParam(q: URLSearchParams, name: string, dflt: boolean): boolean {
  const v = q.get(name);
  if (v === null || v === '') return dflt;
  const l = v.toLowerCase();
  if (l === 'true') return true;
  if (l === 'false') return false;
  throw new InvalidArgumentError(`query parameter ${name}='${v}' is not true or false`);
}

import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { FileId } from './page-store.js';

// Alluxio's on-disk page layout (DESIGN.md §5), so a cache directory written by either is
// recognisable: <dir>/LOCAL/<pageSize>/<bucket>/<fileId>/<pageIndex>, temp pages under TEMP/.

export const STORE_TYPE_DIR = 'LOCAL';
export const TEMP_DIR = 'TEMP';
/** Our per-file sidecar (not Alluxio's): UFS version and per-page checksums. */
export const SIDECAR_NAME = '.meta';
export const DEFAULT_FILE_BUCKETS = 1000;

const FILE_ID_RE = /^[0-9a-f]{64}$/;
const PAGE_INDEX_RE = /^(0|[1-9][0-9]{0,15})$/;

/** fileId of a UFS file: lowercase hex SHA-256 of its full URI (`s3://bucket/key`). */
export function fileIdOf(ufsUri: string): FileId {
  return createHash('sha256').update(ufsUri, 'utf8').digest('hex');
}

export function isFileId(s: string): boolean {
  return FILE_ID_RE.test(s);
}

/** Java's `String.hashCode()`: s[0]*31^(n-1) + ... over UTF-16 code units, in int32 arithmetic. */
export function javaStringHashCode(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}

/** Java's `Math.floorMod(fileId.hashCode(), buckets)`: Alluxio's `PageStoreDir.getFileBucket`. */
export function bucketOf(fileId: FileId, buckets = DEFAULT_FILE_BUCKETS): number {
  const m = javaStringHashCode(fileId) % buckets;
  return m < 0 ? m + buckets : m;
}

/** The page index a page file name stands for, or undefined when the name is not one. */
export function parsePageIndex(name: string): number | undefined {
  if (!PAGE_INDEX_RE.test(name)) return undefined;
  const n = Number(name);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** Paths of one store dir: `<dir>/LOCAL/<pageSize>`. */
export class PageLayout {
  readonly root: string;
  readonly tempRoot: string;
  constructor(readonly dir: string, readonly pageSize: number, readonly buckets: number) {
    this.root = join(dir, STORE_TYPE_DIR, String(pageSize));
    this.tempRoot = join(this.root, TEMP_DIR);
  }
  bucketDir(bucket: number): string {
    return join(this.root, String(bucket));
  }
  fileDir(fileId: FileId): string {
    return join(this.root, String(bucketOf(fileId, this.buckets)), fileId);
  }
  pagePath(fileId: FileId, pageIndex: number): string {
    return join(this.fileDir(fileId), String(pageIndex));
  }
  sidecarPath(fileId: FileId): string {
    return join(this.fileDir(fileId), SIDECAR_NAME);
  }
  tempFileDir(fileId: FileId): string {
    return join(this.tempRoot, fileId);
  }
  tempPagePath(fileId: FileId, pageIndex: number): string {
    return join(this.tempRoot, fileId, String(pageIndex));
  }
  tempSidecarPath(fileId: FileId): string {
    return join(this.tempRoot, fileId, SIDECAR_NAME);
  }
}

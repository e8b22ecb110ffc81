import type { AlluxioError } from '../../common/errors.js';
import type { FileService } from '../file-service.js';
import { S3Error } from './s3-errors.js';
import { alluxioPath } from './s3-request.js';

// On a file-system under storage (a local UFS) a path is a file or a directory, never both, so the
// keys `a/b` and `a/b/c` cannot both exist there (an S3 UFS keeps both). A write refused for that
// reason is answered with the error S3-compatible file-backed servers use (MinIO's ParentIsObject
// and ObjectExistsAsDirectory), naming the conflicting key, instead of the bare file-system error.

/** The file-system errors a clash between an object and a prefix shows up as. */
const CLASH_CODES = new Set(['ALX_ERR_ALREADY_EXISTS', 'ALX_ERR_NOT_A_DIRECTORY', 'ALX_ERR_IS_A_DIRECTORY']);

/** The S3 error for a failed write of bucket/key when an object/prefix clash caused it, else undefined. */
export async function keyConflict(files: FileService, bucket: string, key: string, err: unknown): Promise<S3Error | undefined> {
  if (!CLASH_CODES.has((err as AlluxioError)?.code)) return undefined;
  const self = await files.stat(alluxioPath(bucket, key)).catch(() => undefined);
  if (self?.type === 'directory' && !key.endsWith('/')) {
    return new S3Error('ObjectExistsAsDirectory', `the key ${key} cannot be an object: keys below ${key}/ exist, and this under storage (a file system) cannot keep a key that is both an object and a prefix`, `/${bucket}/${key}`);
  }
  const segs = (key.endsWith('/') ? key.slice(0, -1) : key).split('/');
  // Each prefix above the key (and a directory key's own name): an object there is the clash.
  const last = key.endsWith('/') ? segs.length : segs.length - 1;
  for (let i = 1; i <= last; i++) {
    const parent = segs.slice(0, i).join('/');
    const e = await files.stat(alluxioPath(bucket, parent)).catch(() => undefined);
    if (e === undefined) return undefined;
    if (e.type === 'file') {
      return new S3Error('ParentIsObject', `the key ${key} cannot be stored: ${parent} is an object, and this under storage (a file system) cannot keep a key that is both an object and a prefix`, `/${bucket}/${key}`);
    }
  }
  return undefined;
}

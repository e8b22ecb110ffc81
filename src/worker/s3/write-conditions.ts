import type { IncomingMessage } from 'node:http';
import type { AlluxioError } from '../../common/errors.js';
import type { UfsStatus } from '../../ufs/under-file-system.js';
import { toEntry, type FileService } from '../file-service.js';
import { etagListMatches, etagOf } from './get-object.js';
import { storedMeta } from './object-metadata.js';
import { S3Error } from './s3-errors.js';
import { header } from './s3-request.js';

// Conditional writes, as S3 has them since 2024: PutObject and CompleteMultipartUpload with
// `If-None-Match: *` (write only when no object has the key) or `If-Match: <etag>` (only over the
// version with that ETag). The check runs at the commit, inside the UFS write, one commit per key
// at a time (WriteOptions.precondition); every write of a key goes through its owner worker, so of
// two conditional writes racing for one key exactly one wins. A PUT is also checked once before its
// body is read, so a doomed upload fails before the bytes travel.

export interface WriteConditions {
  ifNoneMatch: boolean;
  ifMatch: string | undefined;
}

/** The conditions of a write request, or undefined when it has none. */
export function writeConditions(req: IncomingMessage): WriteConditions | undefined {
  const ifNoneMatch = header(req, 'if-none-match');
  const ifMatch = header(req, 'if-match');
  if (ifNoneMatch === undefined && ifMatch === undefined) return undefined;
  if (ifNoneMatch !== undefined && ifNoneMatch.trim() !== '*') {
    throw new S3Error('NotImplemented', `If-None-Match on a write takes only * (write only when the key does not exist), not ${JSON.stringify(ifNoneMatch.slice(0, 80))}`);
  }
  if (ifMatch !== undefined && ifMatch.trim() === '') throw new S3Error('InvalidArgument', 'If-Match is empty: give the ETag of the version to replace');
  return { ifNoneMatch: ifNoneMatch !== undefined, ifMatch };
}

/** The check of `conds` against the file a write would replace (undefined: none), for WriteOptions.precondition. */
export function writePrecondition(files: FileService, path: string, conds: WriteConditions): (current: UfsStatus | undefined) => Promise<void> {
  return async (current) => {
    if (conds.ifNoneMatch && current !== undefined) {
      throw new S3Error('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold: If-None-Match (an object with this key exists)');
    }
    if (conds.ifMatch === undefined) return;
    if (current === undefined) throw new S3Error('NoSuchKey', 'If-Match: the specified key does not exist', path);
    const e = toEntry(path, current);
    if (e.etag === undefined) {
      const stored = (await storedMeta(files.resolve(path), e.version)).etag;
      if (stored !== undefined) e.etag = stored;
    }
    if (!etagListMatches(conds.ifMatch, etagOf(e))) {
      throw new S3Error('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold: If-Match');
    }
  };
}

/** Runs a precondition against the file in place now (the early check; the commit checks again). */
export async function checkNow(files: FileService, path: string, check: (current: UfsStatus | undefined) => Promise<void>): Promise<void> {
  const r = files.resolve(path);
  const current = await r.ufs.getStatus(r.ufsUri).catch((err: unknown) => {
    const code = (err as AlluxioError).code;
    if (code === 'ALX_ERR_NOT_FOUND' || code === 'ALX_ERR_NOT_A_DIRECTORY') return undefined;
    throw err;
  });
  await check(current !== undefined && current.isDirectory ? undefined : current);
}

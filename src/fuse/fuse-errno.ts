import { constants } from 'node:os';
import { ERROR_TABLE, toAlluxioError, type AlluxioError } from '../common/errors.js';

const ERRNO = constants.errno as Record<string, number>;

/**
 * The negative errno FUSE answers for an error: the errno the error table gives its code
 * (src/common/errors.ts), EIO when the name is unknown on this platform.
 */
export function errnoOf(err: unknown): { errno: number; name: string; error: AlluxioError } {
  const error = toAlluxioError(err);
  const name = ERROR_TABLE[error.code].errno;
  const n = ERRNO[name];
  return n === undefined ? { errno: -ERRNO.EIO!, name: 'EIO', error } : { errno: -n, name, error };
}

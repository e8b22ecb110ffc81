import {
  AlluxioError, AlreadyExistsError, InvalidArgumentError, InvalidPathError, NoSpaceError, NotFoundError, UfsError, clipText,
} from '../common/errors.js';

/**
 * Maps a Node fs error to an AlluxioError whose message names the operation and the UFS URI
 * (not the raw errno text, which repeats the local path in another form). A long URI is clipped.
 */
export function mapFsError(err: unknown, op: string, uri: string): AlluxioError {
  if (err instanceof AlluxioError) return err;
  const code = (err as NodeJS.ErrnoException)?.code;
  const what = `${op} ${clipText(uri)}`;
  switch (code) {
    case 'ENOENT': return new NotFoundError(`${what}: no such file or directory`);
    case 'EEXIST': return new AlreadyExistsError(`${what}: already exists`);
    case 'ENOTDIR': return new AlluxioError('ALX_ERR_NOT_A_DIRECTORY', `${what}: a path component is not a directory`);
    case 'EISDIR': return new AlluxioError('ALX_ERR_IS_A_DIRECTORY', `${what}: is a directory`);
    case 'ENOTEMPTY': return new AlluxioError('ALX_ERR_DIRECTORY_NOT_EMPTY', `${what}: directory not empty (use recursive)`);
    case 'EACCES': case 'EPERM': return new AlluxioError('ALX_ERR_PERMISSION_DENIED', `${what}: permission denied`);
    case 'ENOSPC': case 'EDQUOT': return new NoSpaceError(`${what}: no space left on the under-storage`);
    case 'ENAMETOOLONG': return new InvalidPathError(`${what}: a file name or the path is too long for the under-storage`);
    case 'EINVAL': return new InvalidArgumentError(`${what}: invalid argument (e.g. a directory moved into itself)`);
    default: return new UfsError('ALX_ERR_UFS', `${what}: ${clipText((err as Error)?.message ?? String(err))}`, { cause: err });
  }
}

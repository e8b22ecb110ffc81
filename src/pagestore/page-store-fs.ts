import type * as fsp from 'node:fs/promises';

/**
 * The file-system calls the LOCAL page store makes. Defaults to `node:fs/promises`; tests inject
 * failures (ENOSPC, EIO) by wrapping it.
 */
export type PageStoreFs = Pick<typeof fsp, 'readFile' | 'writeFile' | 'rename' | 'unlink' | 'rm' | 'rmdir' | 'mkdir' | 'readdir' | 'stat'>;

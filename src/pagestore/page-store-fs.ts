import { constants as fsConstants } from 'node:fs';
import type * as fsp from 'node:fs/promises';

/**
 * The file-system calls the LOCAL page store makes. Defaults to `node:fs/promises`; tests inject
 * failures (ENOSPC, EIO) by wrapping it.
 */
export type PageStoreFs = Pick<typeof fsp, 'readFile' | 'writeFile' | 'rename' | 'unlink' | 'rm' | 'rmdir' | 'mkdir' | 'readdir' | 'stat' | 'lstat' | 'statfs'>;

/**
 * Open flags for page and sidecar files. O_NONBLOCK: a FIFO (or another special file) put where a
 * page belongs must never block a thread-pool thread in open() or read(); on regular files the
 * flag changes nothing.
 */
export const READ_FLAGS = fsConstants.O_RDONLY | fsConstants.O_NONBLOCK;
export const WRITE_FLAGS = fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_TRUNC | fsConstants.O_NONBLOCK;

/** The kind of a non-regular file, for log lines. */
export function fileKind(st: { isDirectory(): boolean; isSymbolicLink(): boolean; isFIFO(): boolean; isSocket(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean }): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isSymbolicLink()) return 'a symbolic link';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  return 'not a regular file';
}

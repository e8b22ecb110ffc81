import { isAbsolute, resolve } from 'node:path';
import { AlluxioError, InvalidPathError, NotFoundError } from '../../common/errors.js';
import { normalizePath } from '../../common/paths.js';

/** One side of `fs cp`: a local file (file://) or an Alluxio path. */
export type CopyEndpoint = { local: true; path: string } | { local: false; path: string };

/**
 * As in Alluxio's shell: `file://` marks a local path; `/path` and `alluxio://[host:port]/path`
 * are Alluxio paths. A relative path is refused rather than guessed (a bare `/tmp/x` is an Alluxio
 * path, so guessing on the other form would make the two look alike but go to different places).
 */
export function copyEndpoint(p: string): CopyEndpoint {
  if (p.startsWith('file://')) {
    const path = p.slice('file://'.length);
    if (!isAbsolute(path)) throw new InvalidPathError(`'${p}' is not an absolute local path: write file:///absolute/path`);
    return { local: true, path: resolve(path) };
  }
  if (p.startsWith('alluxio://') || p.startsWith('/')) return { local: false, path: alluxioPath(p) };
  throw new InvalidPathError(`'${p}' is a relative path: write file://${resolve(p)} for a local file, or /${p} for an Alluxio path`);
}

/** The Alluxio path of `/path` or `alluxio://[host:port]/path`. */
export function alluxioPath(p: string): string {
  if (!p.startsWith('alluxio://')) return normalizePath(p);
  const rest = p.slice('alluxio://'.length);
  return normalizePath(rest.startsWith('/') ? rest : rest.slice(Math.max(0, rest.indexOf('/'))) || '/');
}

/** How a copy endpoint is printed: local paths with file:// so the two kinds never look alike. */
export function shown(e: CopyEndpoint): string {
  return e.local ? `file://${e.path}` : e.path;
}

/**
 * Runs a call on an Alluxio path and, when it is not found, says so with the path the user typed
 * (the worker's message names its internal operation and the UFS URI).
 */
export async function onPath<T>(typed: string, call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (err) {
    if (err instanceof AlluxioError && err.code === 'ALX_ERR_NOT_FOUND') throw new NotFoundError(`Path "${typed}" does not exist`);
    throw err;
  }
}

/** The call's answer, or undefined when the path does not exist; other errors propagate. */
export async function ifExists<T>(call: Promise<T>): Promise<T | undefined> {
  try {
    return await call;
  } catch (err) {
    if (err instanceof AlluxioError && err.code === 'ALX_ERR_NOT_FOUND') return undefined;
    throw err;
  }
}

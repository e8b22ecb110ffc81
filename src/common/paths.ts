import { InvalidPathError } from './errors.js';

/**
 * Normalises an Alluxio path: absolute, '/'-separated, no empty, '.' or '..' segments,
 * no NUL, no trailing slash (except the root). A '..' is refused rather than resolved, so a
 * path can never climb out of its mount point.
 */
export function normalizePath(path: string): string {
  if (typeof path !== 'string' || path.length === 0) throw new InvalidPathError('path is empty');
  if (path.includes('\0')) throw new InvalidPathError(`path contains a NUL byte: ${JSON.stringify(path)}`);
  if (!path.startsWith('/')) throw new InvalidPathError(`path must be absolute (start with '/'): ${path}`);
  const parts: string[] = [];
  for (const seg of path.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') throw new InvalidPathError(`path must not contain '..': ${path}`);
    parts.push(seg);
  }
  return '/' + parts.join('/');
}

export function pathSegments(path: string): string[] {
  const p = normalizePath(path);
  return p === '/' ? [] : p.slice(1).split('/');
}

export function joinPath(base: string, ...rest: string[]): string {
  return normalizePath([base, ...rest].join('/'));
}

export function parentPath(path: string): string {
  const p = normalizePath(path);
  const i = p.lastIndexOf('/');
  return i <= 0 ? '/' : p.slice(0, i);
}

export function baseName(path: string): string {
  const p = normalizePath(path);
  return p.slice(p.lastIndexOf('/') + 1);
}

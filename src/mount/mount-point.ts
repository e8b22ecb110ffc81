import { MountError } from '../common/errors.js';
import { normalizePath } from '../common/paths.js';

/** One mount: an Alluxio path (`/` or a direct child of it) backed by a UFS URI. */
export interface MountPoint {
  path: string;
  ufsUri: string;
  /** Per-mount overrides of global properties (credentials, region, endpoint). */
  options: Record<string, string>;
}

const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;

/** Checks and normalises a mount: path depth, URI shape. Throws MountError naming the problem. */
export function validateMountPoint(input: MountPoint): MountPoint {
  let path: string;
  try {
    path = normalizePath(input.path);
  } catch (err) {
    throw new MountError(`invalid mount path '${input.path}': ${(err as Error).message}`);
  }
  const depth = path === '/' ? 0 : path.split('/').length - 1;
  if (depth > 1) {
    throw new MountError(`mount path '${path}' is nested too deep: mount points must be '/' or a direct child of '/' such as '/${path.split('/')[1]}'`);
  }
  const ufsUri = normalizeUfsRoot(input.ufsUri);
  const options: Record<string, string> = {};
  for (const [k, v] of Object.entries(input.options ?? {})) {
    if (!k || /\s/.test(k)) throw new MountError(`invalid mount option key '${k}'`);
    options[k] = String(v);
  }
  return { path, ufsUri, options };
}

/** A UFS root URI with exactly one trailing slash; plain absolute paths become file:// URIs. */
export function normalizeUfsRoot(uri: string): string {
  if (typeof uri !== 'string' || uri.trim() === '') throw new MountError('UFS URI is empty');
  let u = uri.trim();
  if (u.startsWith('/')) u = 'file://' + u;
  if (!SCHEME.test(u)) throw new MountError(`UFS URI '${uri}' has no scheme: expected e.g. s3://bucket/dir/ or /local/dir`);
  if (u.includes('\0')) throw new MountError('UFS URI contains a NUL byte');
  const rest = u.slice(u.indexOf('://') + 3);
  if (rest.split('/').some((s) => s === '..')) throw new MountError(`UFS URI '${uri}' must not contain '..'`);
  return u.endsWith('/') ? u : u + '/';
}

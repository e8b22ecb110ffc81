import { InvalidArgumentError, InvalidPathError } from '../common/errors.js';

/** A UFS URI split into its parts. For `s3://bucket/dir/key` the authority is the bucket. */
export interface UfsUri {
  /** Lower-case scheme: `file` for a plain absolute path. */
  scheme: string;
  /** The bucket (s3, s3a) or host; empty for `file:///abs` and `/abs`. */
  authority: string;
  /** The path as given, starting with '/' ('/' when the URI has no path). Not decoded. */
  path: string;
}

export const UFS_URI_FORM = "scheme://authority/path (e.g. s3://bucket/dir/, file:///data) or an absolute path (/data)";

const SCHEME_RE = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/([^/?#]*)([^?#]*)$/;

/**
 * Splits a UFS URI. Paths are taken literally (no percent-decoding), the same as Alluxio,
 * so the URI a cache key is computed from is the URI the user wrote.
 */
export function parseUfsUri(uri: string): UfsUri {
  if (typeof uri !== 'string' || uri.length === 0) throw new InvalidArgumentError(`UFS URI is empty: expected ${UFS_URI_FORM}`);
  if (uri.includes('\0')) throw new InvalidPathError(`UFS URI contains a NUL byte: expected ${UFS_URI_FORM}`);
  if (uri.startsWith('/')) return { scheme: 'file', authority: '', path: uri };
  const m = SCHEME_RE.exec(uri);
  if (!m) throw new InvalidArgumentError(`bad UFS URI '${uri}': expected ${UFS_URI_FORM}`);
  const authority = m[2]!;
  // Credentials belong in mount options, never in a URI (which is logged and hashed): refuse
  // them without echoing the URI.
  if (authority.includes('@')) {
    throw new InvalidArgumentError(`UFS URI with scheme '${m[1]}' carries user info ('user:secret@'); give credentials as mount options (s3a.accessKeyId, s3a.secretKey) instead`);
  }
  return { scheme: m[1]!.toLowerCase(), authority, path: m[3] || '/' };
}

/**
 * The path's segments with empty and '.' segments dropped; a '..' segment is refused, so a URI
 * can never climb out of its mount's root.
 */
export function uriPathSegments(path: string, uriForMessage: string): string[] {
  const out: string[] = [];
  for (const seg of path.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') throw new InvalidPathError(`UFS URI must not contain '..': ${uriForMessage}`);
    out.push(seg);
  }
  return out;
}

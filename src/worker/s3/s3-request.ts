import type { IncomingMessage } from 'node:http';
import { S3Error } from './s3-errors.js';

/** S3's limit on a key's UTF-8 length. */
export const MAX_KEY_BYTES = 1024;
const BUCKET_RE = /^[a-zA-Z0-9][a-zA-Z0-9._-]{0,254}$/;

const NO_QUERY = new URLSearchParams();

/** The parts of a path-style S3 request URL. */
export interface S3Target {
  bucket: string;
  /** '' for bucket-level requests. */
  key: string;
  /** The raw path as sent (still percent-encoded), for signatures. */
  rawPath: string;
  /** The raw query string without '?', for signatures. */
  rawQuery: string;
  query: URLSearchParams;
}

/** Splits `/bucket/key?query` (path-style); the key keeps a trailing slash (a directory marker). */
export function parseTarget(url: string): S3Target {
  const q = url.indexOf('?');
  const rawPath = q < 0 ? url : url.slice(0, q);
  const rawQuery = q < 0 ? '' : url.slice(q + 1);
  if (!rawPath.startsWith('/')) throw new S3Error('InvalidURI', `request path must start with '/': ${rawPath.slice(0, 100)}`);
  const slash = rawPath.indexOf('/', 1);
  const bucket = decode(slash < 0 ? rawPath.slice(1) : rawPath.slice(1, slash));
  const key = slash < 0 ? '' : decode(rawPath.slice(slash + 1));
  const query = rawQuery === '' ? NO_QUERY : new URLSearchParams(rawQuery);
  return { bucket, key, rawPath, rawQuery, query };
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw new S3Error('InvalidURI', `could not decode the request path: bad percent-encoding in ${JSON.stringify(s.slice(0, 100))}`);
  }
}

/** Checks a bucket name (the name of a top-level directory or mount point). */
export function checkBucket(bucket: string): void {
  if (!BUCKET_RE.test(bucket) || bucket === '.' || bucket === '..') {
    throw new S3Error('InvalidBucketName', `bucket name ${JSON.stringify(bucket.slice(0, 100))} is not valid: 1-255 letters, digits, '.', '_' or '-', starting with a letter or digit`);
  }
}

/**
 * Checks an object key: at most 1024 UTF-8 bytes, no NUL, no '.', '..' or empty path segments
 * (a key names a path in the UFS, and must not climb out of or alias within its bucket).
 * A single trailing slash is allowed: it names a directory.
 */
export function checkKey(key: string): void {
  if (key === '') throw new S3Error('InvalidArgument', 'the object key is empty');
  if (Buffer.byteLength(key) > MAX_KEY_BYTES) throw new S3Error('KeyTooLongError', `your key is too long: ${Buffer.byteLength(key)} bytes, the maximum is ${MAX_KEY_BYTES}`);
  if (key.includes('\0')) throw new S3Error('InvalidArgument', 'object key must not contain a NUL character');
  const segs = (key.endsWith('/') ? key.slice(0, -1) : key).split('/');
  for (const s of segs) {
    if (s === '..' || s === '.') throw new S3Error('InvalidArgument', `object key must not contain '${s}' segments: ${JSON.stringify(key.slice(0, 200))}`);
    if (s === '') throw new S3Error('InvalidArgument', `object key must not contain empty segments ('//' or a leading '/'): ${JSON.stringify(key.slice(0, 200))}`);
  }
}

/** The Alluxio path of bucket/key (a trailing slash dropped). */
export function alluxioPath(bucket: string, key: string): string {
  const k = key.endsWith('/') ? key.slice(0, -1) : key;
  return k ? `/${bucket}/${k}` : `/${bucket}`;
}

export function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** A non-negative integer header or query value, or undefined when absent. */
export function intValue(v: string | null | undefined, what: string, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (v === null || v === undefined) return undefined;
  if (!/^\d{1,16}$/.test(v) || Number(v) > max) throw new S3Error('InvalidArgument', `${what} must be an integer between 0 and ${max}, got ${JSON.stringify(v.slice(0, 50))}`);
  return Number(v);
}

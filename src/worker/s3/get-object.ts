import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ObjectMeta } from '../../ufs/under-file-system.js';
import type { FileEntry } from '../file-service.js';
import { S3Error } from './s3-errors.js';
import { header } from './s3-request.js';

// Object metadata in S3 terms (ETag, Last-Modified), RFC 7233 single ranges and RFC 7232
// conditional requests, shared by GetObject, HeadObject and CopyObject.

const etagMemo = new Map<string, string>();

/**
 * The ETag of a file version, quoted: the UFS ETag when the UFS has one, else a stable hash of its
 * ufsVersion() (mtime, length, and ctime, inode, device on a local UFS) ending in `-1`. The suffix
 * marks it, like a multipart ETag, as not the MD5 of the content, so clients that compare ETags
 * with their own MD5 (s3cmd) do not.
 */
export function etagOf(e: FileEntry): string {
  if (e.etag) return e.etag.startsWith('"') ? e.etag : `"${e.etag}"`;
  const v = e.version || `${e.lastModifiedMs}:${e.length}`;
  let t = etagMemo.get(v);
  if (t === undefined) {
    t = `"${createHash('md5').update(v).digest('hex')}-1"`;
    if (etagMemo.size > 10_000) etagMemo.clear();
    etagMemo.set(v, t);
  }
  return t;
}

let lastMs = -1;
let lastText = '';

/** HTTP-date of the version (seconds precision, as S3 sends it); the last one is remembered. */
export function lastModifiedOf(e: FileEntry): string {
  if (e.lastModifiedMs !== lastMs) {
    lastText = new Date(e.lastModifiedMs).toUTCString();
    lastMs = e.lastModifiedMs;
  }
  return lastText;
}

export interface ByteRange {
  start: number;
  /** Inclusive. */
  end: number;
}

/**
 * Parses a Range header against the object length: `bytes=a-b`, `bytes=a-`, `bytes=-n`. Undefined
 * means serve the whole object (no header, or one that is not a bytes range, which RFC 7233 says to
 * ignore). A satisfiable-looking range that starts past the end is InvalidRange.
 */
export function parseRange(value: string | undefined, size: number): ByteRange | undefined {
  if (value === undefined) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(value.trim());
  if (!m) {
    if (/^bytes=/.test(value.trim())) {
      if (value.includes(',')) throw new S3Error('InvalidRange', 'multiple ranges are not supported: request one range at a time');
      throw new S3Error('InvalidRange', `the Range header ${JSON.stringify(value.slice(0, 100))} is not a valid byte range (bytes=a-b, bytes=a- or bytes=-n)`);
    }
    return undefined;
  }
  const [, a, b] = m;
  if (a === '' && b === '') throw new S3Error('InvalidRange', 'the Range header bytes=- names no bytes');
  if (a === '') {
    const n = Number(b);
    if (n === 0) throw new S3Error('InvalidRange', 'the range bytes=-0 is not satisfiable');
    return size === 0 ? undefined : { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(a);
  const end = b === '' ? size - 1 : Math.min(Number(b), size - 1);
  if (b !== '' && Number(b) < start) throw new S3Error('InvalidRange', `the range end ${b} is before its start ${a}`);
  if (start >= size) throw new S3Error('InvalidRange', `the range starts at ${start} but the object has ${size} bytes`);
  return { start, end };
}

/**
 * Evaluates If-Match / If-None-Match / If-Modified-Since / If-Unmodified-Since in RFC 7232 order.
 * Throws PreconditionFailed (412) or NotModified (304).
 */
export function checkConditions(req: IncomingMessage, e: FileEntry, prefix = ''): void {
  const etag = etagOf(e);
  const ifMatch = header(req, prefix + 'if-match');
  const ifNoneMatch = header(req, prefix + 'if-none-match');
  const ifModified = header(req, prefix + 'if-modified-since');
  const ifUnmodified = header(req, prefix + 'if-unmodified-since');
  const seconds = Math.floor(e.lastModifiedMs / 1000) * 1000;
  if (ifMatch !== undefined) {
    if (!etagListMatches(ifMatch, etag)) throw new S3Error('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold: If-Match');
  } else if (ifUnmodified !== undefined) {
    const t = Date.parse(ifUnmodified);
    if (!Number.isNaN(t) && seconds > t) throw new S3Error('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold: If-Unmodified-Since');
  }
  if (ifNoneMatch !== undefined) {
    if (etagListMatches(ifNoneMatch, etag)) {
      if (prefix) throw new S3Error('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold: x-amz-copy-source-if-none-match');
      throw notModified(e, etag);
    }
  } else if (ifModified !== undefined) {
    const t = Date.parse(ifModified);
    if (!Number.isNaN(t) && seconds <= t) {
      if (prefix) throw new S3Error('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold: x-amz-copy-source-if-modified-since');
      throw notModified(e, etag);
    }
  }
}

/** A 304 carries the validators a 200 would have (RFC 7232 §4.1). */
function notModified(e: FileEntry, etag: string): S3Error {
  const err = new S3Error('NotModified', 'not modified');
  err.headers = { etag, 'last-modified': lastModifiedOf(e) };
  return err;
}

export function etagListMatches(list: string, etag: string): boolean {
  if (list.trim() === '*') return true;
  const bare = etag.replace(/"/g, '');
  return list.split(',').some((t) => t.trim().replace(/^W\//, '').replace(/"/g, '') === bare);
}

/** Response headers S3 lets a GET override through query parameters. */
const OVERRIDES: Array<[string, string]> = [
  ['response-content-type', 'content-type'], ['response-content-language', 'content-language'],
  ['response-expires', 'expires'], ['response-cache-control', 'cache-control'],
  ['response-content-disposition', 'content-disposition'], ['response-content-encoding', 'content-encoding'],
];

/**
 * Writes the headers of a GET/HEAD for an object (or a range of it). The content type is the
 * stored one, else the object's type (directories are application/x-directory).
 */
export function writeObjectHead(res: ServerResponse, q: URLSearchParams, e: FileEntry, range: ByteRange | undefined, requestId: string, meta?: ObjectMeta): void {
  const headers = objectHeaders(e, range, requestId, meta);
  if (q.size > 0) for (const [p, h] of OVERRIDES) { const v = q.get(p); if (v !== null) headers[h] = v; }
  res.writeHead(range ? 206 : 200, headers);
}

/** The headers of a GET/HEAD answer for an object (or a range of it), the request id first, then its stored metadata. */
export function objectHeaders(e: FileEntry, range: ByteRange | undefined, requestId: string, meta?: ObjectMeta): Record<string, string | number> {
  const headers: Record<string, string | number> = {
    'x-amz-request-id': requestId,
    'etag': etagOf(e),
    'last-modified': lastModifiedOf(e),
    'accept-ranges': 'bytes',
    'content-type': e.type === 'directory' ? 'application/x-directory' : 'application/octet-stream',
  };
  if (range) {
    headers['content-length'] = range.end - range.start + 1;
    headers['content-range'] = `bytes ${range.start}-${range.end}/${e.length}`;
  } else {
    headers['content-length'] = e.length;
  }
  if (meta !== undefined) for (const k in meta.headers) headers[k] = meta.headers[k]!;
  return headers;
}

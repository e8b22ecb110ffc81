import { createHash, type Hash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Transform, type Readable } from 'node:stream';
import type { ResolvedPath } from '../../mount/namespace.js';
import type { FileEntry, FileService } from '../file-service.js';
import type { ObjectMeta, WriteMeta } from '../../ufs/under-file-system.js';
import { ThreadedMd5 } from './md5-threads.js';
import { S3Error } from './s3-errors.js';

// S3 object metadata: what a PUT / CreateMultipartUpload / CopyObject (REPLACE) request sets, what
// GET and HEAD return, and the MD5 ETag of bytes the S3 API wrote. The under-storage keeps it
// (UnderFileSystem.readObjectMeta: S3 natively, local in a sidecar tied to the file's version);
// the worker remembers what it read per (UFS URI, version), so a hot GET costs one map lookup.

/** The standard headers S3 stores with an object (x-amz-meta-* come on top). */
const STORED = ['content-type', 'cache-control', 'expires', 'content-encoding', 'content-disposition', 'content-language'] as const;
const USER_PREFIX = 'x-amz-meta-';
/** S3's limit on user metadata: the UTF-8 bytes of every x-amz-meta-* name (without the prefix) and value. */
export const MAX_USER_META_BYTES = 2048;

/** The metadata headers of a request, lower-case; MetadataTooLarge past S3's 2 KB of user metadata. */
export function requestMeta(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  const h = req.headers;
  for (const name of STORED) {
    let v = h[name];
    if (typeof v !== 'string') continue;
    // aws-chunked is how the body was sent, not how the object is encoded (S3 drops it too).
    if (name === 'content-encoding') v = v.split(',').map((t) => t.trim()).filter((t) => t !== '' && t.toLowerCase() !== 'aws-chunked').join(', ');
    if (v !== '') out[name] = v;
  }
  let userBytes = 0;
  for (const name in h) {
    if (!name.startsWith(USER_PREFIX)) continue;
    const v = h[name];
    const value = Array.isArray(v) ? v.join(',') : v ?? '';
    out[name] = value;
    userBytes += Buffer.byteLength(name) - USER_PREFIX.length + Buffer.byteLength(value);
  }
  if (userBytes > MAX_USER_META_BYTES) {
    throw new S3Error('MetadataTooLarge', `your metadata headers exceed the maximum allowed metadata size: ${userBytes} bytes of x-amz-meta-* names and values, at most ${MAX_USER_META_BYTES}`);
  }
  return out;
}

/**
 * Passes a body through, hashing it with MD5; `etag()` is the hex digest, valid once the body has
 * been read to its end. An error of the body fails the returned stream.
 */
export interface Hashed {
  stream: Readable;
  etag: () => string;
  /**
   * Drops the hash of a body that will not be read to its end (the request was refused, or the
   * write failed): its thread job is aborted. A no-op once the body was hashed.
   */
  abort: () => void;
}

/** Bytes the hashing stream takes in before it holds the body back (socket chunks are 64 KiB). */
const HASH_STREAM_BUFFER = 2 << 20;
const HASH_STREAM_CHUNKS = 32;
/** Bodies declared shorter are hashed on the request's thread (a thread round trip costs more). */
const THREAD_MIN_BYTES = 1 << 20;

/**
 * Passes a body through, hashing it with MD5: on a hashing thread (md5-threads.ts) unless its
 * declared length is small. The readable side is in object mode, so a reader gets the body's own
 * chunks: a byte-mode stream read by `for await` concatenates what it buffered into a new Buffer
 * on every read (a copy of the whole body, and the garbage of it).
 */
export function md5WhileStreaming(body: Readable, length?: number): Hashed {
  let digest: string | undefined;
  let t: Transform;
  const sides = { readableObjectMode: true, readableHighWaterMark: HASH_STREAM_CHUNKS, writableHighWaterMark: HASH_STREAM_BUFFER };
  if (length !== undefined && length < THREAD_MIN_BYTES) {
    const md5: Hash = createHash('md5');
    t = new Transform({
      ...sides,
      transform(chunk: Buffer, _e, cb) { md5.update(chunk); cb(null, chunk); },
      flush(cb) { digest = md5.digest('hex'); cb(); },
    });
  } else {
    // Started on the first chunk: a body that is never read holds no thread job or buffer.
    let md5: ThreadedMd5 | undefined;
    t = new Transform({
      ...sides,
      transform(chunk: Buffer, _e, cb) { (md5 ??= new ThreadedMd5()).update(chunk, (err) => (err ? cb(err) : cb(null, chunk))); },
      flush(cb) { (md5 ??= new ThreadedMd5()).digest((err, hex) => { digest = hex; cb(err); }); },
      destroy(err, cb) { md5?.abort(); cb(err); },
    });
  }
  if (body.errored) t.destroy(body.errored);
  else body.on('error', (e) => t.destroy(e));
  // A body destroyed without an error (no 'end', no 'error') would leave the hash waiting for bytes
  // that never come, its thread job open and the thread ref'd: fail the stream instead.
  body.once('close', () => {
    if (!body.readableEnded && !t.destroyed) t.destroy(body.errored ?? new Error('the request body closed before its end'));
  });
  // The reader learns of a failure by reading (the error ends its iteration); one that comes after
  // it stopped reading has nobody left to tell, and must not be an uncaught 'error'.
  t.on('error', () => {});
  return {
    stream: body.pipe(t),
    etag: () => {
      if (digest === undefined) throw new Error('the MD5 of a body was asked for before the body was read to its end');
      return digest;
    },
    abort: () => {
      if (!t.destroyed) t.destroy();
    },
  };
}

/** The ETag of a multipart object: the MD5 of the parts' binary MD5s, then `-<number of parts>`. */
export function multipartEtag(partEtags: string[]): string {
  const h = createHash('md5');
  for (const e of partEtags) h.update(Buffer.from(e.replace(/"/g, ''), 'hex'));
  return `${h.digest('hex')}-${partEtags.length}`;
}

const NONE: ObjectMeta = { headers: {} };
const MAX_REMEMBERED = 10_000;
const remembered = new Map<string, ObjectMeta>();

function remember(key: string, meta: ObjectMeta): void {
  if (remembered.size >= MAX_REMEMBERED) remembered.clear();
  remembered.set(key, meta);
}

/** The metadata of one version of a file (NONE when it has none); remembered per URI and version. */
export async function storedMeta(r: ResolvedPath, version: string): Promise<ObjectMeta> {
  const key = r.ufsUri + '\n' + version;
  const m = remembered.get(key);
  if (m !== undefined) return m;
  const read = (await r.ufs.readObjectMeta?.(r.ufsUri, version)) ?? NONE;
  remember(key, read);
  return read;
}

/**
 * Gives listed files the ETag GET and HEAD answer for them (the stored MD5 where the UFS has no
 * ETag of its own): one metadata read per file not remembered yet, all at once.
 */
export async function withStoredEtags(files: FileService, objects: Array<{ entry: FileEntry }>): Promise<void> {
  await Promise.all(objects.map(async ({ entry: e }) => {
    if (e.type !== 'file' || e.etag !== undefined) return;
    const m = await storedMeta(files.resolve(e.ufsPath), e.version).catch(() => NONE);
    if (m.etag !== undefined) e.etag = m.etag;
  }));
}

/** Records what a write just stored, so the GET that follows does not read it back. */
export function rememberWritten(ufsUri: string, version: string, meta: WriteMeta): ObjectMeta {
  const etag = typeof meta.etag === 'function' ? meta.etag() : meta.etag;
  const m: ObjectMeta = etag === undefined ? { headers: meta.headers } : { headers: meta.headers, etag };
  remember(ufsUri + '\n' + version, m);
  return m;
}

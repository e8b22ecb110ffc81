import { PassThrough, Readable } from 'node:stream';
import {
  CopyObjectCommand, DeleteObjectCommand, DeleteObjectsCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command,
  PutObjectCommand, type ListObjectsV2CommandOutput, type S3Client,
} from '@aws-sdk/client-s3';
import {
  AlluxioError, AlreadyExistsError, InvalidArgumentError, InvalidPathError, InvalidRangeError, NotFoundError, UfsError,
} from '../common/errors.js';
import { KeyedMutex } from '../common/keyed-mutex.js';
import { metrics } from '../common/metrics.js';
import { checkRangeArgs, resolveRange } from './read-range.js';
import { createS3Client, parseS3Options, type S3UfsConfig, type S3UfsTuning } from './s3-config.js';
import { fastGetConfig, fastGetObject, type FastGetConfig } from './s3-fast-get.js';
import { delimitedEntries, recursiveEntries, unquoteEtag, type S3Entry, type S3Object } from './s3-list.js';
import { metaFromHead } from './s3-object-meta.js';
import { S3Caller, classifyS3Error, describeS3Error } from './s3-retry.js';
import { S3_PART_SIZE, writeS3Object } from './s3-write.js';
import { parseUfsUri, uriPathSegments } from './ufs-uri.js';
import { etagOfVersion, ufsVersion } from './under-file-system.js';
import type {
  DeleteOptions, ListOptions, ListPage, MkdirOptions, ObjectMeta, ReadOptions, UfsOptions, UfsStatus, UnderFileSystem, WriteOptions,
} from './under-file-system.js';
import { checkWriteArgs } from './write-checks.js';

const S3_SCHEMES = new Set(['s3', 's3a']);
const DELETE_BATCH = 1000;

/**
 * Amazon S3 (and S3-compatible stores) as an under-storage: `s3://bucket/prefix/` or `s3a://`.
 * Directories are key prefixes, plus zero-byte `dir/` marker objects that mkdir creates, as
 * Alluxio does. Returned URIs use the root's scheme and never end with '/'.
 */
export class S3Ufs implements UnderFileSystem {
  readonly scheme: string;
  /** The parsed options, without the credentials (safe to print). */
  readonly settings: Omit<S3UfsConfig, 'credentials'> & { staticCredentials: boolean };
  private readonly bucket: string;
  /** Key of the mount's root, without slashes ('' for the whole bucket). */
  private readonly rootKey: string;
  private readonly client: S3Client;
  private readonly caller: S3Caller;
  /** GetObject without the SDK's HTTP stack, where the endpoint allows it (see s3-fast-get.ts). */
  private readonly fastGet: FastGetConfig | undefined;
  /** Serializes the commits of writes of one key: WriteOptions.precondition. */
  private readonly commits = new KeyedMutex();

  constructor(rootUri: string, options: UfsOptions = {}, tuning: S3UfsTuning = {}) {
    const parsed = parseUfsUri(rootUri);
    if (!S3_SCHEMES.has(parsed.scheme)) throw new InvalidArgumentError(`S3Ufs root must be s3://bucket/prefix/ or s3a://bucket/prefix/, got '${rootUri}'`);
    if (parsed.authority === '') throw new InvalidArgumentError(`S3 URI '${rootUri}' names no bucket: expected s3://bucket/prefix/`);
    this.scheme = parsed.scheme;
    this.bucket = parsed.authority;
    this.rootKey = uriPathSegments(parsed.path, rootUri).join('/');
    const config = parseS3Options(options);
    const { credentials, ...rest } = config;
    this.settings = { ...rest, staticCredentials: credentials !== undefined };
    this.client = createS3Client(config);
    this.caller = new S3Caller({ maxErrorRetry: config.maxErrorRetry, requestTimeoutMs: config.requestTimeoutMs }, tuning);
    this.fastGet = fastGetConfig(config.endpoint, config.forcePathStyle, config.region, credentials, config.requestTimeoutMs);
  }

  getStatus(uri: string): Promise<UfsStatus> {
    return this.timed('getStatus', async () => {
      const key = this.resolve(uri);
      const st = await this.statKey(key, uri, 'getStatus');
      // The mount's root is a directory even while no key lies below it.
      if (!st && key === this.rootKey) return this.entryStatus({ key: `${key}/`, isDirectory: true, size: 0, lastModifiedMs: 0 });
      if (!st) throw new NotFoundError(`getStatus ${uri}: no such file or directory`);
      return st;
    });
  }

  list(uri: string, options: ListOptions = {}): Promise<ListPage> {
    return this.timed('list', async () => {
      const key = this.resolve(uri);
      const limit = options.limit ?? 1000;
      if (!Number.isSafeInteger(limit) || limit < 1) throw new InvalidArgumentError(`list ${uri}: limit ${limit} must be an integer >= 1`);
      if (options.token !== undefined && (typeof options.token !== 'string' || options.token === '')) {
        throw new InvalidArgumentError(`list ${uri}: token must be a non-empty string from a previous page`);
      }
      const prefix = key === '' ? '' : `${key}/`;
      const page = options.recursive ? await this.listRecursive(uri, prefix, limit, options.token) : await this.listDelimited(uri, prefix, limit, options.token);
      if (page.entries.length === 0 && options.token === undefined && !page.sawKeys && key !== this.rootKey) {
        // Nothing below: a missing directory, or a file.
        const st = await this.statKey(key, uri, 'list');
        if (!st) throw new NotFoundError(`list ${uri}: no such directory`);
        if (!st.isDirectory) throw new AlluxioError('ALX_ERR_NOT_A_DIRECTORY', `list ${uri}: not a directory`);
      }
      return { entries: page.entries.map((e) => this.entryStatus(e)), ...(page.nextToken !== undefined ? { nextToken: page.nextToken } : {}) };
    });
  }

  openRead(uri: string, offset: number, length: number, options: ReadOptions = {}): Promise<Readable> {
    return this.timed('openRead', async () => {
      checkRangeArgs(uri, offset, length);
      const key = this.resolve(uri);
      const expectEtag = etagOfVersion(options.version);
      if (length === 0) {
        const st = await this.headFile(key, uri, 'openRead', options.signal);
        this.checkVersion(uri, st.etag, expectEtag);
        resolveRange(uri, offset, length, st.length);
        return Readable.from([]);
      }
      const range = `bytes=${offset}-${length === -1 ? '' : offset + length - 1}`;
      let out;
      try {
        const fast = this.fastGet;
        out = await this.caller.call<{ Body?: unknown; ETag?: string | undefined; ContentRange?: string | undefined }>({ op: 'openRead', s3Op: 'GetObject', uri, signal: options.signal }, (abortSignal) => (fast
          ? fastGetObject(fast, { bucket: this.bucket, key, range, ifMatch: expectEtag !== undefined ? `"${expectEtag}"` : undefined, uri, attemptSignal: abortSignal })
          : this.client.send(new GetObjectCommand({
            Bucket: this.bucket, Key: key, Range: range, ...(expectEtag !== undefined ? { IfMatch: `"${expectEtag}"` } : {}),
          }), { abortSignal })));
      } catch (err) {
        if (!(err instanceof InvalidRangeError)) throw err;
        // S3 answers 416 for a range starting at the end; ours is then an empty read, as for a local file.
        const st = await this.headFile(key, uri, 'openRead', options.signal);
        this.checkVersion(uri, st.etag, expectEtag);
        resolveRange(uri, offset, length, st.length);
        return Readable.from([]);
      }
      const body = out.Body as Readable | undefined;
      const total = totalFromContentRange(out.ContentRange);
      try {
        this.checkVersion(uri, unquoteEtag(out.ETag), expectEtag);
        // S3 cuts a range that runs past the end short; we refuse it, as for a local file.
        if (total !== undefined) resolveRange(uri, offset, length, total);
      } catch (err) {
        body?.destroy();
        throw err;
      }
      if (!body || total === 0) {
        // An empty object: some S3-compatible stores answer a range on it with a bogus 206.
        body?.destroy();
        return Readable.from([]);
      }
      // The fast path's body fails with our errors itself; the SDK's goes through guardBody.
      return this.fastGet ? stopOnAbort(body, options.signal) : guardBody(body, uri, options.signal);
    });
  }

  write(uri: string, body: Readable | Buffer, options: WriteOptions = {}): Promise<UfsStatus> {
    return this.timed('write', async () => {
      checkWriteArgs(uri, body, options);
      const key = this.resolve(uri);
      if (key === '') throw new AlluxioError('ALX_ERR_IS_A_DIRECTORY', `write ${uri}: is the bucket's root`);
      // The last request (PutObject, CompleteMultipartUpload) is the commit: one at a time per key,
      // after the precondition saw the object in place.
      const commit = (send: () => Promise<void>) => this.commits.run(key, async () => {
        if (options.precondition) {
          const current = await this.headFile(key, uri, 'write').catch((err: unknown) => {
            if (err instanceof NotFoundError) return undefined;
            throw err;
          });
          await options.precondition(current);
        }
        await send();
      });
      await writeS3Object(this.client, this.caller, { bucket: this.bucket, key, uri }, body, options, S3_PART_SIZE, commit);
      return this.headFile(key, uri, 'write');
    });
  }

  /** The object's native metadata, when the object is still at `version` (the ETag is S3's own: none here). */
  readObjectMeta(uri: string, version: string): Promise<ObjectMeta | undefined> {
    return this.timed('getStatus', async () => {
      const key = this.resolve(uri);
      const h = await this.caller.call({ op: 'getStatus', s3Op: 'HeadObject', uri }, (abortSignal) =>
        this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }), { abortSignal })).catch((err: unknown) => {
        if (err instanceof NotFoundError) return undefined; // gone since it was opened: another version
        throw err;
      });
      if (!h) return undefined;
      const st = this.entryStatus({ key, isDirectory: false, size: h.ContentLength ?? 0, lastModifiedMs: h.LastModified?.getTime() ?? 0, etag: unquoteEtag(h.ETag) });
      if (h.VersionId && h.VersionId !== 'null') st.versionId = h.VersionId;
      return ufsVersion(st) === version ? metaFromHead(h) : undefined;
    });
  }

  delete(uri: string, options: DeleteOptions = {}): Promise<void> {
    return this.timed('delete', async () => {
      const key = this.resolve(uri);
      if (key === this.rootKey) throw new InvalidPathError(`delete ${uri}: refusing to delete the mount's root directory`);
      const st = await this.statKey(key, uri, 'delete');
      if (!st) throw new NotFoundError(`delete ${uri}: no such file or directory`);
      if (!st.isDirectory) {
        await this.caller.call({ op: 'delete', s3Op: 'DeleteObject', uri }, (abortSignal) =>
          this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }), { abortSignal }));
        return;
      }
      const prefix = `${key}/`;
      if (!options.recursive) {
        const page = await this.listRaw(uri, 'delete', { Prefix: prefix, MaxKeys: 2 });
        if ((page.Contents ?? []).some((o) => o.Key !== prefix)) {
          throw new AlluxioError('ALX_ERR_DIRECTORY_NOT_EMPTY', `delete ${uri}: directory not empty (use recursive)`);
        }
      }
      await this.deletePrefix(uri, prefix);
    });
  }

  mkdir(uri: string, options: MkdirOptions = {}): Promise<void> {
    return this.timed('mkdir', async () => {
      const key = this.resolve(uri);
      if (key === '' || key === this.rootKey) return;
      const segs = key.split('/');
      const rootDepth = this.rootKey === '' ? 0 : this.rootKey.split('/').length;
      // Ancestors below the root: each must be a directory; recursive creates missing markers.
      for (let d = rootDepth + 1; d < segs.length; d++) {
        const anc = segs.slice(0, d).join('/');
        const st = await this.statKey(anc, uri, 'mkdir');
        if (st && !st.isDirectory) throw new AlluxioError('ALX_ERR_NOT_A_DIRECTORY', `mkdir ${uri}: ${this.toUri(anc)} is a file`);
        if (!st && options.recursive === false) throw new NotFoundError(`mkdir ${uri}: parent directory ${this.toUri(anc)} does not exist (use recursive)`);
        if (!st) await this.putMarker(anc, uri);
      }
      const st = await this.statKey(key, uri, 'mkdir');
      if (st && !st.isDirectory) throw new AlreadyExistsError(`mkdir ${uri}: a file exists there`);
      await this.putMarker(key, uri);
    });
  }

  rename(src: string, dst: string): Promise<void> {
    return this.timed('rename', async () => {
      const from = this.resolve(src);
      const to = this.resolve(dst);
      const what = `rename ${src} to ${dst}`;
      if (from === this.rootKey || to === this.rootKey) throw new InvalidPathError(`${what}: cannot move the mount's root directory`);
      if (to === from) return;
      if (to.startsWith(`${from}/`)) throw new InvalidArgumentError(`${what}: cannot move a directory into itself`);
      const st = await this.statKey(from, src, 'rename');
      if (!st) throw new NotFoundError(`${what}: no such file or directory`);
      const target = await this.statKey(to, dst, 'rename');
      if (!st.isDirectory) {
        if (target?.isDirectory) throw new AlluxioError('ALX_ERR_IS_A_DIRECTORY', `${what}: the destination is a directory`);
        await this.copyObject(from, to, src);
        await this.caller.call({ op: 'rename', s3Op: 'DeleteObject', uri: src }, (abortSignal) =>
          this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: from }), { abortSignal }));
        return;
      }
      if (target) throw new AlreadyExistsError(`${what}: the destination exists`);
      // A directory: copy every object below it, then delete the originals. Not atomic.
      const fromPrefix = `${from}/`;
      let token: string | undefined;
      do {
        const page = await this.listRaw(src, 'rename', { Prefix: fromPrefix, ContinuationToken: token });
        for (const o of page.Contents ?? []) await this.copyObject(o.Key!, `${to}/${o.Key!.slice(fromPrefix.length)}`, src);
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      await this.deletePrefix(src, fromPrefix);
    });
  }

  async close(): Promise<void> {
    this.client.destroy();
  }

  // ---- internals ----

  /** Records latency by operation, and failures that are the store's (not a missing file or a bad argument). */
  private async timed<T>(op: string, fn: () => Promise<T>): Promise<T> {
    const start = performance.now();
    try {
      return await fn();
    } catch (err) {
      const code = (err as AlluxioError).code;
      if (code === 'ALX_ERR_UFS' || code === 'ALX_ERR_UFS_TIMEOUT' || code === 'ALX_ERR_UFS_UNAVAILABLE' || code === 'ALX_ERR_PERMISSION_DENIED') {
        metrics.ufsErrors.inc({ op, ufs: this.scheme });
      }
      throw err;
    } finally {
      metrics.ufsLatency.observe({ op, ufs: this.scheme }, (performance.now() - start) / 1000);
    }
  }

  /** The object key of a URI below the root, without slashes at either end. */
  private resolve(uri: string): string {
    const parsed = parseUfsUri(uri);
    if (!S3_SCHEMES.has(parsed.scheme) || parsed.authority !== this.bucket) {
      throw new InvalidPathError(`${uri} is not in this mount's bucket ${this.scheme}://${this.bucket}/`);
    }
    const key = uriPathSegments(parsed.path, uri).join('/');
    const inside = this.rootKey === '' || key === this.rootKey || key.startsWith(`${this.rootKey}/`);
    if (!inside) throw new InvalidPathError(`${uri} is outside the mount's root ${this.toUri(this.rootKey)}`);
    return key;
  }

  private toUri(key: string): string {
    return `${this.scheme}://${this.bucket}/${key}`;
  }

  private entryStatus(e: S3Entry): UfsStatus {
    const key = e.isDirectory ? e.key.slice(0, -1) : e.key;
    return {
      uri: this.toUri(key), name: key.slice(key.lastIndexOf('/') + 1), isDirectory: e.isDirectory,
      length: e.isDirectory ? 0 : e.size, lastModifiedMs: e.lastModifiedMs, ...(e.etag ? { etag: e.etag } : {}),
    };
  }

  /** A file (HeadObject) or a directory (marker or any key below); undefined when neither. */
  private async statKey(key: string, uri: string, op: string): Promise<UfsStatus | undefined> {
    if (key === '') return this.entryStatus({ key: '/', isDirectory: true, size: 0, lastModifiedMs: 0 });
    try {
      return await this.headFile(key, uri, op);
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
    }
    const page = await this.listRaw(uri, op, { Prefix: `${key}/`, MaxKeys: 1 });
    const first = page.Contents?.[0] ?? (page.CommonPrefixes?.[0] ? { Key: page.CommonPrefixes[0].Prefix } : undefined);
    if (!first) return undefined;
    const marker = first.Key === `${key}/` && 'LastModified' in first ? first.LastModified?.getTime() ?? 0 : 0;
    return this.entryStatus({ key: `${key}/`, isDirectory: true, size: 0, lastModifiedMs: marker });
  }

  private async headFile(key: string, uri: string, op: string, signal?: AbortSignal): Promise<UfsStatus> {
    const h = await this.caller.call({ op, s3Op: 'HeadObject', uri, signal }, (abortSignal) =>
      this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }), { abortSignal }));
    const st = this.entryStatus({
      key, isDirectory: false, size: h.ContentLength ?? 0, lastModifiedMs: h.LastModified?.getTime() ?? 0, etag: unquoteEtag(h.ETag),
    });
    // A versioned bucket names each version; 'null' is the version of an unversioned write.
    if (h.VersionId && h.VersionId !== 'null') st.versionId = h.VersionId;
    return st;
  }

  private listRaw(uri: string, op: string, input: { Prefix: string; MaxKeys?: number; Delimiter?: string; ContinuationToken?: string | undefined; StartAfter?: string }): Promise<ListObjectsV2CommandOutput> {
    return this.caller.call({ op, s3Op: 'ListObjectsV2', uri }, (abortSignal) =>
      this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, ...input }), { abortSignal }));
  }

  private async listDelimited(uri: string, prefix: string, limit: number, token: string | undefined): Promise<{ entries: S3Entry[]; nextToken?: string; sawKeys: boolean }> {
    let next = token;
    for (;;) {
      const out = await this.listRaw(uri, 'list', { Prefix: prefix, Delimiter: '/', MaxKeys: limit, ...(next !== undefined ? { ContinuationToken: next } : {}) });
      const objects = (out.Contents ?? []).map(toS3Object);
      const prefixes = (out.CommonPrefixes ?? []).map((p) => p.Prefix).filter((p): p is string => p !== undefined);
      const entries = delimitedEntries(prefix, objects, prefixes);
      next = out.IsTruncated && out.NextContinuationToken ? out.NextContinuationToken : undefined;
      // A page holding only the directory's own marker is empty: go on rather than return it.
      if (entries.length === 0 && next !== undefined) continue;
      return { entries, ...(next !== undefined ? { nextToken: next } : {}), sawKeys: objects.length + prefixes.length > 0 };
    }
  }

  /**
   * Recursive pages resume after a key (StartAfter), and the token is that key relative to
   * the listed directory: it also tells which implied directories were already returned.
   */
  private async listRecursive(uri: string, prefix: string, limit: number, token: string | undefined): Promise<{ entries: S3Entry[]; nextToken?: string; sawKeys: boolean }> {
    if (token !== undefined) uriPathSegments(token, `token ${token}`);
    let after = token === undefined ? undefined : prefix + token;
    for (;;) {
      const out = await this.listRaw(uri, 'list', { Prefix: prefix, MaxKeys: limit, ...(after !== undefined ? { StartAfter: after } : {}) });
      const objects = (out.Contents ?? []).map(toS3Object);
      const { entries, cut } = recursiveEntries(prefix, objects, after, limit);
      // Resume after the last entry returned when the page was cut, else after the last key read.
      const resume = cut ? entries[entries.length - 1]!.key : objects[objects.length - 1]?.key;
      const more = cut || ((out.IsTruncated ?? false) && resume !== undefined);
      if (entries.length === 0 && more) {
        after = resume; // only the directory's own marker: go on
        continue;
      }
      const nextToken = more && resume !== undefined ? resume.slice(prefix.length) : undefined;
      return { entries, ...(nextToken ? { nextToken } : {}), sawKeys: objects.length > 0 };
    }
  }

  /** Deletes every object below a prefix (the marker too), 1000 keys per DeleteObjects call. */
  private async deletePrefix(uri: string, prefix: string): Promise<void> {
    for (;;) {
      // Re-list from the start each round: the keys of the previous round are gone.
      const page = await this.listRaw(uri, 'delete', { Prefix: prefix, MaxKeys: DELETE_BATCH });
      const keys = (page.Contents ?? []).map((o) => o.Key!).filter((k) => k !== undefined);
      if (keys.length === 0) return;
      const res = await this.caller.call({ op: 'delete', s3Op: 'DeleteObjects', uri }, (abortSignal) =>
        this.client.send(new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: true } }), { abortSignal }));
      if (res.Errors && res.Errors.length > 0) {
        const e = res.Errors[0]!;
        throw new UfsError('ALX_ERR_UFS', `S3 delete of ${uri}: ${res.Errors.length} of ${keys.length} keys not deleted (first: ${this.toUri(e.Key ?? '')}: ${e.Code ?? ''} ${e.Message ?? ''})`);
      }
      if (!page.IsTruncated) return;
    }
  }

  private async putMarker(key: string, uri: string): Promise<void> {
    await this.caller.call({ op: 'mkdir', s3Op: 'PutObject', uri }, (abortSignal) =>
      this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: `${key}/`, Body: Buffer.alloc(0), ContentLength: 0 }), { abortSignal }));
  }

  private async copyObject(fromKey: string, toKey: string, uri: string): Promise<void> {
    const source = `${this.bucket}/${encodeURIComponent(fromKey).replace(/%2F/g, '/')}`;
    await this.caller.call({ op: 'rename', s3Op: 'CopyObject', uri }, (abortSignal) =>
      this.client.send(new CopyObjectCommand({ Bucket: this.bucket, Key: toKey, CopySource: source }), { abortSignal }));
  }

  private checkVersion(uri: string, etag: string | undefined, expected: string | undefined): void {
    if (expected !== undefined && etag !== undefined && etag !== expected) {
      throw new AlluxioError('ALX_ERR_STALE', `openRead ${uri}: the object changed during the read (expected ETag ${expected}, found ${etag}); retry the read`);
    }
  }
}

function toS3Object(o: { Key?: string | undefined; Size?: number | undefined; LastModified?: Date | undefined; ETag?: string | undefined }): S3Object {
  return { key: o.Key ?? '', size: o.Size ?? 0, lastModifiedMs: o.LastModified?.getTime() ?? 0, etag: unquoteEtag(o.ETag) };
}

/** The object's total size from `Content-Range: bytes a-b/total`. */
function totalFromContentRange(cr: string | undefined): number | undefined {
  const m = cr ? /\/(\d+)\s*$/.exec(cr) : null;
  return m ? Number(m[1]) : undefined;
}

/** Ends `body` when the caller's signal aborts. */
function stopOnAbort(body: Readable, signal: AbortSignal | undefined): Readable {
  if (!signal) return body;
  const onAbort = (): void => { body.destroy(signal.reason ?? new Error('aborted')); };
  if (signal.aborted) onAbort();
  else {
    signal.addEventListener('abort', onAbort, { once: true });
    body.on('close', () => signal.removeEventListener('abort', onAbort));
  }
  return body;
}

/**
 * The SDK's body as the caller sees it: errors while it flows (a stalled or reset connection)
 * become UfsErrors naming the URI, and the caller's abort signal ends it.
 */
function guardBody(body: Readable, uri: string, signal: AbortSignal | undefined): Readable {
  const out = new PassThrough();
  body.on('error', (err) => {
    const kind = classifyS3Error(err);
    out.destroy(new UfsError(kind === 'timeout' ? 'ALX_ERR_UFS_TIMEOUT' : 'ALX_ERR_UFS_UNAVAILABLE', `S3 openRead of ${uri}: the body stream failed: ${describeS3Error(err)}`, { cause: err }));
  });
  out.on('close', () => { if (!body.destroyed) body.destroy(); });
  body.pipe(out);
  return stopOnAbort(out, signal);
}

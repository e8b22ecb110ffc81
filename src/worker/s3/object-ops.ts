import type { ServerResponse } from 'node:http';
import { sendStream } from '../send-stream.js';
import { request } from 'undici';
import { AlluxioError } from '../../common/errors.js';
import { metrics } from '../../common/metrics.js';
import { buildUrl, PARAM, WORKER_REST, workerOrigin } from '../../common/protocol/index.js';
import { sameWorker, type WorkerInfo } from '../../hashring/worker-info.js';
import type { ObjectMeta, WriteOptions } from '../../ufs/under-file-system.js';
import type { FileEntry, FileService } from '../file-service.js';
import type { OpenFile } from '../data-path.js';
import { checkConditions, etagListMatches, etagOf, objectHeaders, parseRange, writeObjectHead } from './get-object.js';
import { HotGets } from './hot-gets.js';
import { md5WhileStreaming, rememberWritten, requestMeta, storedMeta, type Hashed } from './object-metadata.js';
import { requireBucket } from './bucket-ops.js';
import { readSmallBody, requestBody } from './payload.js';
import { sendEmpty, sendXml, type S3Call, type S3Deps, type S3Services } from './s3-context.js';
import { S3Error, s3ErrorOf } from './s3-errors.js';
import { s3Metrics } from './s3-metrics.js';
import { alluxioPath, checkKey, header } from './s3-request.js';
import { doc, el, isoDate, list, parseXmlBody, text } from './s3-xml.js';
import { checkNow, writeConditions, writePrecondition } from './write-conditions.js';

// Object operations: GetObject/HeadObject (the hot path: the cached stream is piped to the
// socket), PutObject, CopyObject, DeleteObject, DeleteObjects. A key ending in '/' names a
// directory (the marker s3fs and consoles create).

async function statObject(files: FileService, bucket: string, key: string): Promise<FileEntry> {
  const e = await files.stat(alluxioPath(bucket, key)).catch(async (err: AlluxioError) => {
    if (err.code === 'ALX_ERR_NOT_FOUND' || err.code === 'ALX_ERR_NOT_A_DIRECTORY') throw await noSuchKey(files, bucket, key);
    throw err;
  });
  if ((e.type === 'directory') !== key.endsWith('/')) throw await noSuchKey(files, bucket, key);
  return e;
}

/** NoSuchKey, or NoSuchBucket when the bucket is missing too (checked only on this error path). */
async function noSuchKey(files: FileService, bucket: string, key: string): Promise<S3Error> {
  const b = await files.stat('/' + bucket).catch(() => undefined);
  if (!b || b.type !== 'directory') return new S3Error('NoSuchBucket', `the bucket ${bucket} does not exist`, '/' + bucket);
  return new S3Error('NoSuchKey', 'the specified key does not exist', `/${bucket}/${key}`);
}

/**
 * GET or HEAD /bucket/key, through the worker's data path: the object is opened at one version
 * (the one If-Match names, when it names the current one) and every byte sent is of it.
 */
export async function getObject(c: S3Call, head: boolean): Promise<void> {
  const { bucket, key, query } = c.t;
  const files = c.svc.deps.files;
  const r = c.resolved ?? files.resolve(alluxioPath(bucket, key));
  if (key.endsWith('/')) {
    const d = await statObject(files, bucket, key);
    if (hasConditions(c)) checkConditions(c.req, d);
    writeObjectHead(c.res, query, d, parseRange(c.req.headers.range, 0), c.requestId);
    c.res.end();
    return;
  }
  let f: OpenFile;
  try {
    f = await files.data.open(r);
  } catch (err) {
    const code = (err as AlluxioError).code;
    if (code !== 'ALX_ERR_NOT_FOUND' && code !== 'ALX_ERR_NOT_A_DIRECTORY' && code !== 'ALX_ERR_IS_A_DIRECTORY') throw err;
    throw await noSuchKey(files, bucket, key);
  }
  let e = entryOf(f);
  let meta = await storedMeta(r, f.version);
  withStoredEtag(e, meta);
  if (hasConditions(c)) {
    // A client pinning an ETag the cached metadata does not have may know a newer version than a
    // metadata entry still within its TTL: ask the UFS before answering 412.
    const ifMatch = header(c.req, 'if-match');
    if (ifMatch !== undefined && !etagListMatches(ifMatch, etagOf(e))) {
      e = entryOf(f = await files.data.openFresh(r));
      meta = await storedMeta(r, f.version);
      withStoredEtag(e, meta);
    }
    checkConditions(c.req, e);
  }
  const pn = query.get('partNumber');
  if (pn !== null && pn !== '1') throw new S3Error('InvalidRange', `part ${pn} does not exist: the object is stored as one part`);
  const range = parseRange(c.req.headers.range, e.length);
  if (head || e.length === 0) {
    writeObjectHead(c.res, query, e, range, c.requestId, meta);
    c.res.end();
    return;
  }
  const start = range ? range.start : 0;
  const length = range ? range.end - range.start + 1 : e.length;
  s3Metrics.bytesServed.inc(length);
  const small = c.svc.small;
  if (e.length <= small.maxObjectBytes) {
    // Small objects: whole, from memory when hot (see small-objects.ts).
    const { data, hit } = await small.readWhole(f);
    if (hit) metrics.cachedDataReadBytes.inc(length);
    writeObjectHead(c.res, query, e, range, c.requestId, meta);
    c.res.end(length === data.length ? data : data.subarray(start, start + length));
    if (c.svc.hot !== null && c.ownedHere && range === undefined && !head && HotGets.eligible(c.req)) {
      c.svc.hot.add({ url: c.req.url!, data, ufsUri: r.ufsUri, status: f.status, headers: flatHeaders(objectHeaders(e, undefined, '', meta)) });
    }
    return;
  }
  const { stream } = files.data.stream(f, start, length);
  writeObjectHead(c.res, query, e, range, c.requestId, meta);
  await sendStream(stream, c.res, (chunk) => files.data.release(chunk));
}

function hasConditions(c: S3Call): boolean {
  const h = c.req.headers;
  return h['if-match'] !== undefined || h['if-none-match'] !== undefined || h['if-modified-since'] !== undefined || h['if-unmodified-since'] !== undefined;
}

/** Headers as the flat [name, value, ...] list a hot GET sends (the request id, first, at index 1). */
function flatHeaders(h: Record<string, string | number>): string[] {
  return Object.entries(h).flatMap(([k, v]) => [k, String(v)]);
}

/**
 * The ETag of an object: the UFS's own where it has one (S3), else the one the S3 API stored with
 * this version (the MD5 of a PUT, md5-of-md5s-N of a multipart upload), else etagOf's version hash.
 */
function withStoredEtag(e: FileEntry, meta: ObjectMeta): void {
  if (e.etag === undefined && meta.etag !== undefined) e.etag = meta.etag;
}

function entryOf(f: OpenFile): FileEntry {
  const s = f.status;
  const e: FileEntry = { type: 'file', name: '', path: f.path, ufsPath: s.uri, lastModifiedMs: s.lastModifiedMs, length: s.length, version: f.version };
  if (s.etag) e.etag = s.etag;
  return e;
}

/** PUT /bucket/key (no copy source) */
export async function putObject(c: S3Call): Promise<void> {
  const { bucket, key } = c.t;
  const files = c.svc.deps.files;
  const headers = key.endsWith('/') ? undefined : requestMeta(c.req);
  const body = requestBody(c.req, c.auth);
  // Hashed from the first byte: the body flows (and may fail its checks) while the bucket is looked up.
  const hashed = headers === undefined ? undefined : md5WhileStreaming(body.stream, body.length);
  let e: FileEntry;
  try {
    const path = alluxioPath(bucket, key);
    const conds = writeConditions(c.req);
    await requireBucket(c);
    const precondition = conds && writePrecondition(files, path, conds);
    if (precondition) await checkNow(files, path, precondition);
    if (hashed === undefined || headers === undefined) {
      const data = await readSmallBody(body, 0);
      if (data.length > 0) throw new S3Error('InvalidArgument', `a key ending in '/' names a directory and cannot hold data (${data.length} bytes sent)`);
      e = await files.mkdir(path);
    } else {
      e = await writeObject(c, path, hashed, body.length, headers, body.failure, precondition);
      if (body.length !== undefined) s3Metrics.bytesReceived.inc(body.length);
    }
  } catch (err) {
    // A refused PUT leaves its body unread: its hash is dropped, not left waiting (md5-threads.ts).
    hashed?.abort();
    throw err;
  }
  sendEmpty(c, 200, { etag: etagOf(e) });
}

/**
 * Writes an object's bytes with its metadata and the MD5 of the bytes as ETag (hashed as they
 * stream to the UFS) and returns its entry with that ETag, unless the UFS has its own.
 */
async function writeObject(
  c: S3Call, path: string, hashed: Hashed, length: number | undefined, headers: Record<string, string>, failure: () => S3Error | undefined,
  precondition?: WriteOptions['precondition'],
): Promise<FileEntry> {
  const files = c.svc.deps.files;
  const meta = { headers, etag: hashed.etag };
  let e: FileEntry;
  try {
    e = await files.write(path, hashed.stream, precondition ? { length, meta, precondition } : { length, meta });
  } catch (err) {
    hashed.abort();
    throw failure() ?? err;
  }
  withStoredEtag(e, rememberWritten(files.resolve(path).ufsUri, e.version, meta));
  return e;
}

/** The source of a copy: `x-amz-copy-source: [/]bucket/key[?versionId=null]`. */
export function copySource(c: S3Call): { bucket: string; key: string } {
  const raw = header(c.req, 'x-amz-copy-source') ?? '';
  const [pathPart, qs] = raw.split('?', 2);
  if (qs !== undefined && !/^versionId=(null)?$/.test(qs)) throw new S3Error('InvalidArgument', 'x-amz-copy-source: only versionId=null exists (buckets are unversioned)');
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathPart!);
  } catch {
    throw new S3Error('InvalidArgument', 'x-amz-copy-source is not valid percent-encoding');
  }
  const p = decoded.startsWith('/') ? decoded.slice(1) : decoded;
  const slash = p.indexOf('/');
  if (slash <= 0 || slash === p.length - 1) throw new S3Error('InvalidArgument', 'x-amz-copy-source must be bucket/key');
  const key = p.slice(slash + 1);
  checkKey(key);
  return { bucket: p.slice(0, slash), key };
}

/** PUT /bucket/key with x-amz-copy-source */
export async function copyObject(c: S3Call): Promise<void> {
  const { bucket, key } = c.t;
  const files = c.svc.deps.files;
  const src = copySource(c);
  await requireBucket(c);
  if (key.endsWith('/')) throw new S3Error('InvalidArgument', 'cannot copy onto a directory key');
  const se = await statObject(files, src.bucket, src.key);
  if (se.type === 'directory') throw new S3Error('InvalidArgument', 'cannot copy a directory');
  const dstPath = alluxioPath(bucket, key);
  const srcPath = alluxioPath(src.bucket, src.key);
  // The source's conditions compare with the ETag a GET of it answers (the stored MD5 one).
  const srcMeta = await storedMeta(files.resolve(srcPath), se.version);
  withStoredEtag(se, srcMeta);
  checkConditions(c.req, se, 'x-amz-copy-source-');
  const directive = header(c.req, 'x-amz-metadata-directive') ?? 'COPY';
  if (directive !== 'COPY' && directive !== 'REPLACE') throw new S3Error('InvalidArgument', `x-amz-metadata-directive must be COPY or REPLACE, not ${JSON.stringify(directive.slice(0, 50))}`);
  if (srcPath === dstPath && directive !== 'REPLACE') {
    throw new S3Error('InvalidRequest', "this copy request is illegal because it is trying to copy an object to itself without changing the object's metadata");
  }
  // The bytes and the metadata of one source version; a copy onto itself rewrites the object
  // (atomically, as every write) with the new metadata, as S3 does.
  const headers = directive === 'REPLACE' ? requestMeta(c.req) : srcMeta.headers;
  const r = await files.read(srcPath, 0, se.length, se.version);
  let e: Awaited<ReturnType<typeof writeObject>>;
  try {
    e = await writeObject(c, dstPath, md5WhileStreaming(r.stream, r.length), r.length, headers, () => undefined);
  } finally {
    // A failed write leaves the source's read paused mid-file: release what it holds.
    if (!r.stream.readableEnded) r.stream.destroy();
  }
  sendXml(c, 200, doc('CopyObjectResult', el('LastModified', isoDate(e.lastModifiedMs)) + el('ETag', etagOf(e))));
}

/** DELETE /bucket/key: 204 whether or not the key existed, as S3 does. */
export async function deleteObject(c: S3Call): Promise<void> {
  await deleteKey(c.svc.deps.files, c.t.bucket, c.t.key);
  sendEmpty(c, 204);
}

/**
 * Deletes one key. A directory key (`dir/`) removes the directory only when empty (S3 deletes the
 * marker, not what is below it); then parent directories left empty are removed up to the bucket,
 * so a prefix disappears with its last key, as on S3.
 */
export async function deleteKey(files: FileService, bucket: string, key: string): Promise<void> {
  const path = alluxioPath(bucket, key);
  try {
    const e = await files.stat(path);
    if ((e.type === 'directory') !== key.endsWith('/')) return;
    await files.delete(path);
  } catch (err) {
    const code = (err as AlluxioError).code;
    if (code === 'ALX_ERR_NOT_FOUND' || code === 'ALX_ERR_DIRECTORY_NOT_EMPTY' || code === 'ALX_ERR_NOT_A_DIRECTORY') return;
    throw err;
  }
  await pruneParents(files, path);
}

async function pruneParents(files: FileService, path: string): Promise<void> {
  let parent = path.slice(0, path.lastIndexOf('/'));
  while (parent.lastIndexOf('/') > 0 && !files.ns.isMountPoint(parent)) {
    try {
      if ((await files.list(parent)).length > 0) return;
      await files.delete(parent);
    } catch {
      return;
    }
    parent = parent.slice(0, parent.lastIndexOf('/'));
  }
}

/**
 * POST /bucket?delete. Each key is deleted by the worker that owns it (through its REST API), so
 * the owner's cache and metadata drop the file at once.
 */
export async function deleteObjects(c: S3Call): Promise<void> {
  const { bucket } = c.t;
  const svc = c.svc;
  const root = parseXmlBody(await readSmallBody(requestBody(c.req, c.auth)), 'Delete');
  const quiet = (text(root, 'Quiet') ?? '').trim() === 'true';
  const objects = list(root, 'Object');
  if (objects.length > 1000) throw new S3Error('MalformedXML', 'a Delete request may list at most 1000 objects');
  let out = '';
  const self = svc.deps.self();
  for (const o of objects) {
    const key = text(o, 'Key') ?? '';
    try {
      checkKey(key);
      const owner = svc.deps.owners(svc.deps.files.resolve(alluxioPath(bucket, key)).ufsUri)[0];
      if (owner && !key.endsWith('/') && !sameWorker(owner.identity, self.identity)) {
        await deleteOnOwner(owner, bucket, key, svc);
        await pruneParents(svc.deps.files, alluxioPath(bucket, key));
      } else {
        await deleteKey(svc.deps.files, bucket, key);
      }
      if (!quiet) out += `<Deleted>${el('Key', key)}</Deleted>`;
    } catch (err) {
      const s = s3ErrorOf(err, true);
      out += `<Error>${el('Key', key)}${el('Code', s.code)}${el('Message', s.message)}</Error>`;
    }
  }
  sendXml(c, 200, doc('DeleteResult', out));
}

async function deleteOnOwner(owner: WorkerInfo, bucket: string, key: string, svc: S3Services): Promise<void> {
  const path = alluxioPath(bucket, key);
  const url = new URL(buildUrl(workerOrigin(owner), WORKER_REST.file, { query: { [PARAM.path]: path } }));
  const r = await request(url, { method: 'DELETE', headers: svc.deps.restAuth?.('DELETE', url), dispatcher: svc.router.agent, headersTimeout: 30_000, bodyTimeout: 30_000 });
  const body = await r.body.text();
  if (r.statusCode >= 300 && r.statusCode !== 404 && !body.includes('ALX_ERR_NOT_FOUND') && !body.includes('ALX_ERR_DIRECTORY_NOT_EMPTY')) {
    throw new S3Error('InvalidRequest', `the owner of ${key} refused the delete: ${body.slice(0, 200)}`);
  }
}

import { Readable } from 'node:stream';
import { checkConditions } from './get-object.js';
import { completeXml, initiateXml, listPartsXml, listUploadsXml, parseUploadsXml, sortUploads } from './multipart.js';
import { requestMeta } from './object-metadata.js';
import { copySource } from './object-ops.js';
import { readSmallBody, requestBody } from './payload.js';
import { sendEmpty, sendXml, type S3Call } from './s3-context.js';
import { S3Error } from './s3-errors.js';
import { s3Metrics } from './s3-metrics.js';
import { alluxioPath, header, intValue } from './s3-request.js';
import { doc, el, isoDate } from './s3-xml.js';
import { requireBucket } from './bucket-ops.js';
import { writeConditions, writePrecondition } from './write-conditions.js';

// Multipart upload requests: POST ?uploads, PUT ?partNumber&uploadId (also UploadPartCopy),
// POST ?uploadId (Complete), DELETE ?uploadId (Abort), GET ?uploadId (ListParts), GET /bucket?uploads.

function uploadId(c: S3Call): string {
  return c.t.query.get('uploadId') ?? '';
}

export async function createUpload(c: S3Call): Promise<void> {
  const { bucket, key } = c.t;
  if (key.endsWith('/')) throw new S3Error('InvalidArgument', "a key ending in '/' names a directory and cannot hold data");
  const headers = requestMeta(c.req);
  await requireBucket(c);
  const files = c.svc.deps.files;
  const path = alluxioPath(bucket, key);
  files.resolve(path); // fails now, not at Complete, when the key has no under-storage
  const id = await c.svc.multipart.create(bucket, key, path, c.auth.user, headers);
  sendXml(c, 200, initiateXml(bucket, key, id));
}

export async function uploadPart(c: S3Call): Promise<void> {
  const { bucket, key, query } = c.t;
  const partNumber = intValue(query.get('partNumber'), 'partNumber', 10_000) ?? 0;
  let body: Readable;
  let failure: () => S3Error | undefined = () => undefined;
  if (header(c.req, 'x-amz-copy-source') !== undefined) {
    body = await copyPartSource(c);
  } else {
    const b = requestBody(c.req, c.auth);
    body = b.stream;
    failure = b.failure;
  }
  let etag: string;
  try {
    etag = await c.svc.multipart.uploadPart(uploadId(c), bucket, key, partNumber, body);
  } catch (err) {
    throw failure() ?? err;
  }
  if (header(c.req, 'x-amz-copy-source') !== undefined) {
    sendXml(c, 200, doc('CopyPartResult', el('LastModified', isoDate(Date.now())) + el('ETag', etag)));
    return;
  }
  s3Metrics.bytesReceived.inc(intValue(header(c.req, 'x-amz-decoded-content-length') ?? header(c.req, 'content-length'), 'Content-Length') ?? 0);
  sendEmpty(c, 200, { etag });
}

/** The bytes of an UploadPartCopy: the source object, or `x-amz-copy-source-range: bytes=a-b` of it. */
async function copyPartSource(c: S3Call): Promise<Readable> {
  const src = copySource(c);
  const files = c.svc.deps.files;
  const e = await files.stat(alluxioPath(src.bucket, src.key));
  if (e.type !== 'file') throw new S3Error('NoSuchKey', 'the copy source does not exist');
  checkConditions(c.req, e, 'x-amz-copy-source-');
  const rangeHeader = header(c.req, 'x-amz-copy-source-range');
  let start = 0;
  let length = e.length;
  if (rangeHeader !== undefined) {
    const m = /^bytes=(\d+)-(\d+)$/.exec(rangeHeader);
    if (!m || Number(m[2]) < Number(m[1]) || Number(m[2]) >= e.length) throw new S3Error('InvalidArgument', `x-amz-copy-source-range ${rangeHeader} must be bytes=first-last within the ${e.length}-byte source`);
    start = Number(m[1]);
    length = Number(m[2]) - start + 1;
  }
  return (await files.read(alluxioPath(src.bucket, src.key), start, length)).stream;
}

export async function completeUpload(c: S3Call): Promise<void> {
  const { bucket, key } = c.t;
  const conds = writeConditions(c.req);
  const xml = await readSmallBody(requestBody(c.req, c.auth));
  const precondition = conds && writePrecondition(c.svc.deps.files, alluxioPath(bucket, key), conds);
  const etag = await c.svc.multipart.complete(uploadId(c), bucket, key, xml, precondition);
  const host = header(c.req, 'host') ?? 'localhost';
  sendXml(c, 200, completeXml(`http://${host}/${bucket}/${key}`, bucket, key, etag));
}

export async function abortUpload(c: S3Call): Promise<void> {
  await c.svc.multipart.abort(uploadId(c), c.t.bucket, c.t.key);
  sendEmpty(c, 204);
}

export async function listParts(c: S3Call): Promise<void> {
  const { bucket, key, query } = c.t;
  const parts = await c.svc.multipart.listParts(uploadId(c), bucket, key);
  const marker = intValue(query.get('part-number-marker'), 'part-number-marker', 10_000) ?? 0;
  const max = Math.min(intValue(query.get('max-parts'), 'max-parts', 2_147_483_647) ?? 1000, 1000);
  sendXml(c, 200, listPartsXml(bucket, key, uploadId(c), parts, marker, max, c.auth.user));
}

/**
 * ListMultipartUploads: each upload is staged on the worker that owns its key, so the list is this
 * worker's uploads plus those every other live worker reports (asked with the request marked
 * forwarded, so they answer from their own state only).
 */
export async function listUploads(c: S3Call): Promise<void> {
  await requireBucket(c);
  const prefix = c.t.query.get('prefix') ?? '';
  const own = c.svc.multipart.uploads(c.t.bucket, prefix);
  const workers = c.svc.deps.workers;
  const fanOut = !c.forwardedByPeer && workers !== undefined;
  const peers = fanOut ? await c.svc.router.askPeers(c.req, workers()) : [];
  const all = new Map((await own).map((u) => [u.uploadId, u]));
  for (const xml of peers) {
    for (const u of parseUploadsXml(xml)) if (!all.has(u.uploadId) && u.key.startsWith(prefix)) all.set(u.uploadId, u);
  }
  sendXml(c, 200, listUploadsXml(c.t.bucket, prefix, sortUploads([...all.values()])));
}

import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CreateMultipartUploadCommand, PutObjectCommand,
  UploadPartCommand, type CompletedPart, type S3Client,
} from '@aws-sdk/client-s3';
import { UfsError } from '../common/errors.js';
import { s3MetaParams } from './s3-object-meta.js';
import type { S3Caller } from './s3-retry.js';
import type { WriteOptions } from './under-file-system.js';
import { BodyVerifier, toBuffer } from './write-checks.js';

/** Part size of multipart uploads; bodies up to one part go in a single PutObject. */
export const S3_PART_SIZE = 8 * 1024 * 1024;

export interface S3WriteTarget {
  bucket: string;
  key: string;
  uri: string;
}

/**
 * Writes a whole object. A body that fits in one part is sent with PutObject; a larger one (or
 * a stream that turns out larger) as a multipart upload of buffered parts, so every request can
 * be retried. The length and Content-MD5 the caller gave are checked before the object becomes
 * visible: on a mismatch (or any failure) the upload is aborted and nothing is written.
 */
/** Runs the request that makes the object visible (the caller's precondition and lock around it). */
export type S3Commit = (send: () => Promise<void>) => Promise<void>;

const directCommit: S3Commit = (send) => send();

export async function writeS3Object(
  client: S3Client, caller: S3Caller, target: S3WriteTarget, body: Readable | Buffer, options: WriteOptions, partSize = S3_PART_SIZE, commit: S3Commit = directCommit,
): Promise<void> {
  const verifier = new BodyVerifier(target.uri, options);
  const parts = splitParts(body, partSize);
  try {
    const first = await parts.next();
    const firstBuf = first.done ? Buffer.alloc(0) : first.value;
    const second = first.done ? first : await parts.next();
    if (second.done) {
      verifier.update(firstBuf);
      verifier.verify();
      await commit(() => putSingle(client, caller, target, firstBuf, options));
      return;
    }
    await putMultipart(client, caller, target, verifier, options, commit, [firstBuf, second.value], parts);
  } finally {
    await parts.return(undefined); // stops reading (and destroys) the body on failure
  }
}

async function putSingle(client: S3Client, caller: S3Caller, t: S3WriteTarget, buf: Buffer, options: WriteOptions): Promise<void> {
  const md5 = createHash('md5').update(buf).digest('base64');
  await caller.call({ op: 'write', s3Op: 'PutObject', uri: t.uri }, (abortSignal) =>
    client.send(new PutObjectCommand({ Bucket: t.bucket, Key: t.key, Body: buf, ContentLength: buf.length, ContentMD5: md5, ...s3MetaParams(options.meta?.headers) }), { abortSignal }));
}

async function putMultipart(
  client: S3Client, caller: S3Caller, t: S3WriteTarget, verifier: BodyVerifier, options: WriteOptions, commit: S3Commit, head: Buffer[], rest: AsyncGenerator<Buffer>,
): Promise<void> {
  const created = await caller.call({ op: 'write', s3Op: 'CreateMultipartUpload', uri: t.uri }, (abortSignal) =>
    client.send(new CreateMultipartUploadCommand({ Bucket: t.bucket, Key: t.key, ...s3MetaParams(options.meta?.headers) }), { abortSignal }));
  const uploadId = created.UploadId;
  if (!uploadId) throw new UfsError('ALX_ERR_UFS', `S3 write of ${t.uri}: CreateMultipartUpload returned no UploadId`);
  try {
    const done: CompletedPart[] = [];
    const upload = async (buf: Buffer): Promise<void> => {
      verifier.update(buf);
      const partNumber = done.length + 1;
      const md5 = createHash('md5').update(buf).digest('base64');
      const out = await caller.call({ op: 'write', s3Op: `UploadPart ${partNumber}`, uri: t.uri }, (abortSignal) =>
        client.send(new UploadPartCommand({
          Bucket: t.bucket, Key: t.key, UploadId: uploadId, PartNumber: partNumber, Body: buf, ContentLength: buf.length, ContentMD5: md5,
        }), { abortSignal }));
      done.push({ ETag: out.ETag, PartNumber: partNumber });
    };
    for (const buf of head) await upload(buf);
    for await (const buf of rest) await upload(buf);
    verifier.verify();
    await commit(async () => {
      await caller.call({ op: 'write', s3Op: 'CompleteMultipartUpload', uri: t.uri }, (abortSignal) =>
        client.send(new CompleteMultipartUploadCommand({
          Bucket: t.bucket, Key: t.key, UploadId: uploadId, MultipartUpload: { Parts: done },
        }), { abortSignal }));
    });
  } catch (err) {
    // Best effort: an upload left behind costs storage until a lifecycle rule removes it, but
    // is never visible as an object.
    await caller.call({ op: 'write', s3Op: 'AbortMultipartUpload', uri: t.uri }, (abortSignal) =>
      client.send(new AbortMultipartUploadCommand({ Bucket: t.bucket, Key: t.key, UploadId: uploadId }), { abortSignal }))
      .catch(() => undefined);
    throw err;
  }
}

/** Cuts a body into `size`-byte buffers (the last may be shorter; an empty body yields nothing). */
async function* splitParts(body: Readable | Buffer, size: number): AsyncGenerator<Buffer> {
  if (Buffer.isBuffer(body)) {
    for (let off = 0; off < body.length; off += size) yield body.subarray(off, off + size);
    return;
  }
  let pending: Buffer[] = [];
  let filled = 0;
  for await (const chunk of body) {
    let buf = toBuffer(chunk);
    while (filled + buf.length >= size) {
      const take = size - filled;
      pending.push(buf.subarray(0, take));
      yield Buffer.concat(pending, size);
      pending = [];
      filled = 0;
      buf = buf.subarray(take);
    }
    if (buf.length > 0) {
      pending.push(buf);
      filled += buf.length;
    }
  }
  if (filled > 0) yield Buffer.concat(pending, filled);
}

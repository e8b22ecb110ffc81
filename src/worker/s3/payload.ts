import { createHash, type Hash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { AwsChunkedDecoder } from './aws-chunked.js';
import { S3Error } from './s3-errors.js';
import { header, intValue } from './s3-request.js';
import { STREAMING_SIGNED, STREAMING_UNSIGNED_TRAILER, UNSIGNED_PAYLOAD, type AuthResult } from './sigv4.js';

/**
 * A request body as the object bytes: aws-chunked decoded, and checked against the declared
 * SHA-256 (when it is a hash) and Content-MD5 as it streams. A failed check fails the stream before
 * it ends, so the write it feeds is never committed; `failure` keeps the S3 error for the response
 * (a UFS may wrap the stream's error in its own).
 */
export interface RequestBody {
  stream: Readable;
  /** Decoded length when the client declared it. */
  length: number | undefined;
  failure(): S3Error | undefined;
}

const HEX64 = /^[0-9a-f]{64}$/;
const BASE64_MD5 = /^[A-Za-z0-9+/]{22}==$/;

export function requestBody(req: IncomingMessage, auth: AuthResult): RequestBody {
  const ph = auth.payloadHash;
  const contentMd5 = header(req, 'content-md5');
  if (contentMd5 !== undefined && !BASE64_MD5.test(contentMd5)) throw new S3Error('InvalidDigest', 'the Content-MD5 you specified is not the base64 of a 16-byte digest');
  let failure: S3Error | undefined;
  const fail = (e: Error): Error => {
    if (e instanceof S3Error && !failure) failure = e;
    return e;
  };
  let stream: Readable = req;
  let length = intValue(header(req, 'content-length'), 'Content-Length');
  const streaming = ph === STREAMING_SIGNED || ph === STREAMING_UNSIGNED_TRAILER || ph.startsWith('STREAMING-');
  if (streaming) {
    if (ph !== STREAMING_SIGNED && ph !== STREAMING_UNSIGNED_TRAILER) throw new S3Error('NotImplemented', `x-amz-content-sha256 ${ph} is not supported`);
    if (ph === STREAMING_SIGNED && auth.verified && !auth.chunkSigning) throw new S3Error('SignatureDoesNotMatch', 'streaming signature without a seed signature');
    length = intValue(header(req, 'x-amz-decoded-content-length'), 'x-amz-decoded-content-length');
    const dec = new AwsChunkedDecoder(auth.verified ? auth.chunkSigning : undefined, ph === STREAMING_UNSIGNED_TRAILER, length);
    stream = chain(req, dec, fail);
  } else if (auth.verified && ph !== UNSIGNED_PAYLOAD) {
    if (!HEX64.test(ph)) throw new S3Error('InvalidArgument', 'x-amz-content-sha256 must be UNSIGNED-PAYLOAD, a streaming mode or a hex SHA-256');
    stream = chain(stream, new DigestCheck('sha256', 'hex', ph, () => new S3Error('XAmzContentSHA256Mismatch', "the provided 'x-amz-content-sha256' header does not match what was computed")), fail);
  }
  if (contentMd5 !== undefined) {
    stream = chain(stream, new DigestCheck('md5', 'base64', contentMd5, () => new S3Error('BadDigest', 'the Content-MD5 you specified did not match what we received')), fail);
  }
  if (length !== undefined && stream !== req) {
    const expected = length;
    stream = chain(stream, new LengthCheck(expected), fail);
  }
  return { stream, length, failure: () => failure };
}

function chain(src: Readable, t: Transform, fail: (e: Error) => Error): Readable {
  src.on('error', (e) => t.destroy(fail(e)));
  t.on('error', fail);
  return src.pipe(t);
}

/** Passes bytes through and fails at the end when their digest is not the expected one. */
class DigestCheck extends Transform {
  private readonly hash: Hash;
  constructor(algo: string, private readonly encoding: 'hex' | 'base64', private readonly expected: string, private readonly error: () => S3Error) {
    super();
    this.hash = createHash(algo);
  }
  override _transform(chunk: Buffer, _e: BufferEncoding, cb: TransformCallback): void {
    this.hash.update(chunk);
    cb(null, chunk);
  }
  override _flush(cb: TransformCallback): void {
    cb(this.hash.digest(this.encoding) === this.expected ? null : this.error());
  }
}

class LengthCheck extends Transform {
  private n = 0;
  constructor(private readonly expected: number) { super(); }
  override _transform(chunk: Buffer, _e: BufferEncoding, cb: TransformCallback): void {
    this.n += chunk.length;
    cb(null, chunk);
  }
  override _flush(cb: TransformCallback): void {
    cb(this.n === this.expected ? null : new S3Error('IncompleteBody', `the body had ${this.n} bytes, ${this.expected} were declared`));
  }
}

/** Reads a small body (an XML document) into memory, through the same checks. */
export async function readSmallBody(body: RequestBody, limit = 4 << 20): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of body.stream) {
    n += (c as Buffer).length;
    if (n > limit) throw new S3Error('InvalidRequest', `request body larger than ${limit} bytes`);
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}

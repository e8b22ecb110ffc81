import { createHash, type Hash } from 'node:crypto';
import { Readable } from 'node:stream';
import { InvalidArgumentError } from '../common/errors.js';
import type { WriteOptions } from './under-file-system.js';

const BASE64_MD5_RE = /^[A-Za-z0-9+/]{22}==$/;

/** Validates a write call's body and options before anything is written. */
export function checkWriteArgs(uri: string, body: unknown, options: WriteOptions): void {
  if (!Buffer.isBuffer(body) && !(body instanceof Readable)) {
    throw new InvalidArgumentError(`write ${uri}: body must be a Buffer or a Readable stream`);
  }
  if (options.length !== undefined && (!Number.isSafeInteger(options.length) || options.length < 0)) {
    throw new InvalidArgumentError(`write ${uri}: length ${options.length} must be an integer >= 0`);
  }
  if (options.contentMd5 !== undefined && !BASE64_MD5_RE.test(options.contentMd5)) {
    throw new InvalidArgumentError(`write ${uri}: Content-MD5 '${options.contentMd5}' is not the base64 of a 16-byte MD5 digest`);
  }
  if (Buffer.isBuffer(body) && options.length !== undefined && body.length !== options.length) {
    throw new InvalidArgumentError(`write ${uri}: body has ${body.length} bytes but length ${options.length} was given`);
  }
}

/** Hashes and counts a body as it flows, then checks it against the caller's length and Content-MD5. */
export class BodyVerifier {
  private readonly md5: Hash | null;
  bytes = 0;

  constructor(private readonly uri: string, private readonly options: WriteOptions) {
    this.md5 = options.contentMd5 !== undefined ? createHash('md5') : null;
  }

  update(chunk: Buffer): void {
    this.bytes += chunk.length;
    this.md5?.update(chunk);
  }

  /** Throws when the body was not what the caller declared; call before making the write visible. */
  verify(): void {
    const { length, contentMd5 } = this.options;
    if (length !== undefined && this.bytes !== length) {
      throw new InvalidArgumentError(`write ${this.uri}: body had ${this.bytes} bytes but length ${length} was given; nothing was written`);
    }
    if (this.md5 && contentMd5 !== undefined) {
      const actual = this.md5.digest('base64');
      if (actual !== contentMd5) {
        throw new InvalidArgumentError(`write ${this.uri}: Content-MD5 mismatch (given ${contentMd5}, body has ${actual}); nothing was written`);
      }
    }
  }
}

/** A stream chunk as a Buffer (streams in string mode yield strings). */
export function toBuffer(chunk: unknown): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (typeof chunk === 'string') return Buffer.from(chunk);
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  throw new InvalidArgumentError(`write: body stream yielded a ${typeof chunk}, expected bytes`);
}

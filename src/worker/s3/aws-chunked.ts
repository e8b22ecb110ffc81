import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { S3Error } from './s3-errors.js';
import { EMPTY_SHA256, hmac, safeEqualHex } from './sigv4.js';

const MAX_HEADER_LINE = 4096;
const MAX_TRAILER_BYTES = 16384;

/** What a signed aws-chunked body chains its chunk signatures from. */
export interface ChunkSigning {
  key: Buffer;
  amzDate: string;
  scope: string;
  seedSignature: string;
}

type State = 'header' | 'data' | 'dataEnd' | 'trailer' | 'done';

/**
 * Decodes a `Content-Encoding: aws-chunked` body: `<hex size>[;chunk-signature=<sig>]\r\n<data>\r\n`
 * repeated, ended by a zero-size chunk and (for the *-TRAILER forms) trailer lines and a blank line.
 * With signing, each chunk's signature is checked against the chain that starts at the request's
 * signature; a bad one fails the stream, so the write it feeds never becomes visible. Data is passed
 * on as slices of the input, without copying.
 */
export class AwsChunkedDecoder extends Transform {
  private state: State = 'header';
  private line = '';
  private remaining = 0;
  private chunkSig = '';
  private chunkHash: Hash | null = null;
  private prevSig: string;
  private crlf = 0;
  private trailerBytes = 0;
  decodedBytes = 0;

  constructor(private readonly signing: ChunkSigning | undefined, private readonly trailer: boolean, private readonly expectedLength: number | undefined) {
    super();
    this.prevSig = signing?.seedSignature ?? '';
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    try {
      this.consume(chunk);
      cb();
    } catch (err) {
      cb(err as Error);
    }
  }

  override _flush(cb: TransformCallback): void {
    if (this.state !== 'done') return cb(new S3Error('IncompleteBody', 'the aws-chunked body ended before its final zero-length chunk'));
    if (this.expectedLength !== undefined && this.decodedBytes !== this.expectedLength) {
      return cb(new S3Error('IncompleteBody', `the body decoded to ${this.decodedBytes} bytes but x-amz-decoded-content-length says ${this.expectedLength}`));
    }
    cb();
  }

  private consume(buf: Buffer): void {
    let i = 0;
    while (i < buf.length) {
      switch (this.state) {
        case 'header':
        case 'trailer': {
          const nl = buf.indexOf(10, i);
          const end = nl < 0 ? buf.length : nl + 1;
          this.line += buf.toString('latin1', i, end);
          this.trailerBytes += this.state === 'trailer' ? end - i : 0;
          i = end;
          if (this.state === 'trailer') {
            if (this.trailerBytes > MAX_TRAILER_BYTES || this.line.length > MAX_TRAILER_BYTES) throw new S3Error('InvalidRequest', 'aws-chunked trailer too long');
          } else if (this.line.length > MAX_HEADER_LINE) {
            throw new S3Error('InvalidRequest', 'aws-chunked chunk header line too long');
          }
          if (nl < 0) break;
          const line = this.line.endsWith('\r\n') ? this.line.slice(0, -2) : this.line.slice(0, -1);
          this.line = '';
          if (this.state === 'header') this.onHeader(line);
          else if (line === '') this.state = 'done';
          break;
        }
        case 'data': {
          const n = Math.min(this.remaining, buf.length - i);
          const slice = buf.subarray(i, i + n);
          this.chunkHash?.update(slice);
          this.push(slice);
          this.decodedBytes += n;
          this.remaining -= n;
          i += n;
          if (this.remaining === 0) {
            this.checkChunk(this.chunkHash ? this.chunkHash.digest('hex') : '');
            this.state = 'dataEnd';
            this.crlf = 0;
          }
          break;
        }
        case 'dataEnd': {
          const expected = this.crlf === 0 ? 13 : 10;
          if (buf[i] !== expected) throw new S3Error('InvalidRequest', 'aws-chunked chunk data is not followed by CRLF');
          i++;
          if (++this.crlf === 2) this.state = 'header';
          break;
        }
        case 'done':
          if (buf.subarray(i).some((b) => b !== 13 && b !== 10)) throw new S3Error('InvalidRequest', 'data after the final aws-chunked chunk');
          i = buf.length;
          break;
      }
    }
  }

  private onHeader(line: string): void {
    const m = /^([0-9a-fA-F]{1,15})(?:;chunk-signature=([0-9a-f]{64}))?$/.exec(line);
    if (!m) throw new S3Error('InvalidRequest', `malformed aws-chunked chunk header ${JSON.stringify(line.slice(0, 80))}`);
    if (this.signing && !m[2]) throw new S3Error('SignatureDoesNotMatch', 'an aws-chunked chunk has no chunk-signature');
    this.remaining = parseInt(m[1]!, 16);
    this.chunkSig = m[2] ?? '';
    if (this.remaining === 0) {
      this.checkChunk(EMPTY_SHA256);
      this.state = this.trailer ? 'trailer' : 'done';
      // Without trailers the final chunk is followed by one CRLF: accept it in 'done'.
      return;
    }
    this.chunkHash = this.signing ? createHash('sha256') : null;
    this.state = 'data';
  }

  private checkChunk(dataHash: string): void {
    const s = this.signing;
    if (!s) return;
    const sts = `AWS4-HMAC-SHA256-PAYLOAD\n${s.amzDate}\n${s.scope}\n${this.prevSig}\n${EMPTY_SHA256}\n${dataHash || EMPTY_SHA256}`;
    const expected = hmac(s.key, sts).toString('hex');
    if (!safeEqualHex(expected, this.chunkSig)) throw new S3Error('SignatureDoesNotMatch', 'an aws-chunked chunk signature does not match');
    this.prevSig = this.chunkSig;
  }
}

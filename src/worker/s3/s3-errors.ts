import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { AlluxioError, clipText, MAX_ERROR_MESSAGE, toAlluxioError } from '../../common/errors.js';
import { xmlEscape } from './s3-xml.js';

/**
 * S3 protocol errors that have no Alluxio error code (signatures, request syntax, multipart
 * bookkeeping): the S3 code is the public code. Everything else is an AlluxioError whose S3 code
 * and status come from ERROR_TABLE.
 */
export const S3_ERRORS = {
  AccessDenied: 403,
  AuthorizationHeaderMalformed: 400,
  BadDigest: 400,
  BucketAlreadyOwnedByYou: 409,
  BucketNotEmpty: 409,
  EntityTooSmall: 400,
  IncompleteBody: 400,
  InvalidAccessKeyId: 403,
  InvalidArgument: 400,
  InvalidBucketName: 400,
  InvalidDigest: 400,
  InvalidPart: 400,
  InvalidPartOrder: 400,
  InvalidRange: 416,
  InvalidRequest: 400,
  InvalidURI: 400,
  KeyTooLongError: 400,
  MalformedXML: 400,
  MetadataTooLarge: 400,
  MethodNotAllowed: 405,
  MissingContentLength: 411,
  NoSuchBucket: 404,
  NoSuchKey: 404,
  NoSuchUpload: 404,
  NotImplemented: 501,
  NotModified: 304,
  ObjectExistsAsDirectory: 409,
  ParentIsObject: 400,
  PreconditionFailed: 412,
  RequestTimeTooSkewed: 403,
  SignatureDoesNotMatch: 403,
  XAmzContentSHA256Mismatch: 400,
} as const;

export type S3ErrorCode = keyof typeof S3_ERRORS;

export class S3Error extends Error {
  readonly s3Code: S3ErrorCode;
  readonly status: number;
  /** Headers the answer carries besides the error's own (a 304 sends the object's ETag and Last-Modified). */
  headers?: Record<string, string>;
  constructor(code: S3ErrorCode, message: string, readonly resource?: string) {
    super(message);
    this.name = 'S3Error';
    this.s3Code = code;
    this.status = S3_ERRORS[code];
  }
}

const ID_PREFIX = randomBytes(4).toString('hex').toUpperCase();
let idCounter = 0;

/** A 16-hex-char id sent as x-amz-request-id on every response: process prefix + counter. */
export function newRequestId(): string {
  idCounter = (idCounter + 1) >>> 0;
  return ID_PREFIX + idCounter.toString(16).toUpperCase().padStart(8, '0');
}

/**
 * The S3 code and status of any thrown value. A missing path is NoSuchBucket when the request had
 * no key (or the bucket itself was missing), NoSuchKey otherwise.
 */
export function s3ErrorOf(err: unknown, hasKey: boolean): { code: string; status: number; message: string } {
  if (err instanceof S3Error) return { code: err.s3Code, status: err.status, message: err.message };
  const e: AlluxioError = toAlluxioError(err);
  if (e.code === 'ALX_ERR_NOT_FOUND' && !hasKey) return { code: 'NoSuchBucket', status: 404, message: e.message };
  if (e.code === 'ALX_ERR_IS_A_DIRECTORY' && hasKey) return { code: 'NoSuchKey', status: 404, message: e.message };
  return { code: e.spec.s3, status: e.spec.http, message: e.message };
}

export function errorXml(code: string, message: string, resource: string, requestId: string): string {
  return '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>' + code + '</Code><Message>' + xmlEscape(message) +
    '</Message><Resource>' + xmlEscape(resource) + '</Resource><RequestId>' + requestId + '</RequestId></Error>';
}

/**
 * Sends an S3 error. A HEAD response, or a 304, has no body. When the headers have already gone
 * (a stream failed midway) the connection is cut so the client sees a short read, not bad data.
 */
export function sendS3Error(res: ServerResponse, method: string, code: string, status: number, message: string, resource: string, requestId: string, headers?: Record<string, string>): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (status === 304) {
    res.writeHead(304, { ...headers, 'x-amz-request-id': requestId });
    res.end();
    return;
  }
  if (method === 'HEAD') {
    res.writeHead(status, { ...headers, 'x-amz-request-id': requestId, 'x-amz-error-code': code, 'content-length': 0 });
    res.end();
    return;
  }
  // Messages and the resource are clipped: a huge key or path is never echoed in full.
  const body = Buffer.from(errorXml(code, clipText(message, MAX_ERROR_MESSAGE), clipText(resource), requestId));
  res.writeHead(status, { ...headers, 'content-type': 'application/xml', 'content-length': body.length, 'x-amz-request-id': requestId });
  res.end(body);
}

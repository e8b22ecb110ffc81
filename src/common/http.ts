// HTTP conventions shared by every server (worker REST, S3, coordinator): JSON bodies, and errors as
// {code, message} with the status the error table gives the code.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { AlluxioError, clipText, MAX_ERROR_MESSAGE, toAlluxioError } from './errors.js';

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const data = Buffer.from(JSON.stringify(body));
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': data.length });
  res.end(data);
}

/**
 * Every error leaves as `{code, message}` with the status the error table gives its code; the
 * message is clipped so a huge client-given path is never echoed in full.
 */
export function sendError(res: ServerResponse, err: unknown): void {
  const e = toAlluxioError(err);
  if (res.headersSent) {
    res.destroy(e); // a stream failed midway: cut the connection so the client sees a short read
    return;
  }
  sendJson(res, e.spec.http, { code: e.code, message: clipText(e.message, MAX_ERROR_MESSAGE) });
}

/**
 * Checks a request before its handler runs (the worker's and coordinator's auth, worker/rest-auth.ts):
 * null lets it through, an error is the answer. A server with nothing to check has no guard (null).
 */
export type RequestGuard = (req: IncomingMessage, url: URL) => AlluxioError | null;

/** Answers a request a guard refused. Its body is not read, so the connection closes after the answer. */
export function sendRefusal(req: IncomingMessage, res: ServerResponse, err: AlluxioError): void {
  if (!req.complete) res.setHeader('connection', 'close');
  if (err.spec.http === 401) res.setHeader('www-authenticate', 'Bearer realm="alluxio", AWS4-HMAC-SHA256');
  sendError(res, err);
}

export function requestId(): string {
  return randomBytes(8).toString('hex').toUpperCase();
}

export async function readBody(req: IncomingMessage, limit = 1 << 20): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of req) {
    n += (c as Buffer).length;
    if (n > limit) throw new AlluxioError('ALX_ERR_INVALID_ARGUMENT', `request body larger than ${limit} bytes`);
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}

/** An integer query parameter; missing gives the default, anything else not an integer is an error. */
export function intParam(q: URLSearchParams, name: string, dflt: number): number {
  const v = q.get(name);
  if (v === null || v === '') return dflt;
  if (!/^-?\d+$/.test(v)) throw new AlluxioError('ALX_ERR_INVALID_ARGUMENT', `query parameter ${name}='${v}' is not an integer`);
  return Number(v);
}

export function requiredParam(q: URLSearchParams, name: string): string {
  const v = q.get(name);
  if (v === null || v === '') throw new AlluxioError('ALX_ERR_INVALID_ARGUMENT', `missing query parameter '${name}'`);
  return v;
}

// The coordinator's HTTP helpers (the same conventions as the worker's: JSON bodies, errors as
// {code, message} with the status the error table gives the code). Kept here so the coordinator
// does not import from the worker, a module of the same layer.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { InvalidArgumentError, toAlluxioError } from '../common/errors.js';

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const data = Buffer.from(JSON.stringify(body));
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': data.length });
  res.end(data);
}

export function sendError(res: ServerResponse, err: unknown): void {
  const e = toAlluxioError(err);
  if (res.headersSent) {
    res.destroy(e);
    return;
  }
  sendJson(res, e.spec.http, { code: e.code, message: e.message });
}

export async function readBody(req: IncomingMessage, limit = 1 << 20): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of req) {
    n += (c as Buffer).length;
    if (n > limit) throw new InvalidArgumentError(`request body larger than ${limit} bytes`);
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}

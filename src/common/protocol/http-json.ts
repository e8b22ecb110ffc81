// One-shot HTTP calls with JSON bodies, for short-lived processes (the CLI), over the node:http
// transport (node-http-transport.ts): node's global fetch would load and compile its bundled
// undici at the first call (about 0.1 CPU s). The transport's idle keep-alive sockets are unref'd,
// so they do not hold the process, and calls of one command to one origin reuse a connection.
import type { HttpMethod } from './http-transport.js';
import { NodeHttpTransport } from './node-http-transport.js';

export interface HttpCall {
  method?: HttpMethod;
  headers?: Record<string, string>;
  /** Sent as JSON (content-type application/json). */
  body?: unknown;
  /** The whole call, connect to last byte; past it the call fails with a message saying so. */
  timeoutMs: number;
}

export interface HttpAnswer {
  status: number;
  /** The body parsed as JSON; undefined when it is empty or not JSON. */
  json: unknown;
  text: string;
}

let transport: NodeHttpTransport | undefined;

/** One call; rejects when the server cannot be reached or does not answer within timeoutMs. */
export async function httpCall(url: string, c: HttpCall): Promise<HttpAnswer> {
  const payload = c.body === undefined ? undefined : Buffer.from(JSON.stringify(c.body));
  const headers = payload === undefined ? c.headers : { ...c.headers, 'content-type': 'application/json' };
  let status: number;
  let text: string;
  try {
    const res = await (transport ??= new NodeHttpTransport()).request(url, {
      method: c.method ?? 'GET', body: payload, signal: AbortSignal.timeout(c.timeoutMs), ...(headers !== undefined ? { headers } : {}),
    });
    status = res.statusCode;
    text = await res.body.text();
  } catch (err) {
    const name = (err as Error).name;
    if (name === 'AbortError' || name === 'TimeoutError') throw new Error(`no answer within ${c.timeoutMs / 1000}s`, { cause: err });
    throw err;
  }
  let json: unknown;
  try { json = text === '' ? undefined : JSON.parse(text); } catch { json = undefined; }
  return { status, json, text };
}

// One-shot HTTP calls with JSON bodies, for short-lived processes (the CLI), over the node:http
// transport (node-http-transport.ts): node's global fetch would load and compile its bundled
// undici at the first call (about 0.1 CPU s). Each call has its own connection, closed with its
// answer: a command that polls (job --watch) never sends on a kept socket the server is closing.
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

/** One call; rejects when the server cannot be reached or does not answer within timeoutMs. */
export async function httpCall(url: string, c: HttpCall): Promise<HttpAnswer> {
  const payload = c.body === undefined ? undefined : Buffer.from(JSON.stringify(c.body));
  const headers = payload === undefined ? c.headers : { ...c.headers, 'content-type': 'application/json' };
  const transport = new NodeHttpTransport();
  let status: number;
  let text: string;
  try {
    const res = await transport.request(url, {
      method: c.method ?? 'GET', body: payload, signal: AbortSignal.timeout(c.timeoutMs), ...(headers !== undefined ? { headers } : {}),
    });
    status = res.statusCode;
    text = await res.body.text();
  } catch (err) {
    const name = (err as Error).name;
    if (name === 'AbortError' || name === 'TimeoutError') throw new Error(`no answer within ${c.timeoutMs / 1000}s`, { cause: err });
    throw err;
  } finally {
    void transport.close();
  }
  let json: unknown;
  try { json = text === '' ? undefined : JSON.parse(text); } catch { json = undefined; }
  return { status, json, text };
}

// One-shot HTTP calls with JSON bodies over node:http, for short-lived processes (the CLI). Node's
// global fetch loads and compiles its bundled undici at the first call (about 0.1 CPU s) and its
// idle keep-alive sockets keep the process alive for a second or more after the last answer;
// node:http is loaded with node itself, and without an agent each socket closes with its answer.
import { request } from 'node:http';

export interface HttpCall {
  method?: string;
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
export function httpCall(url: string, c: HttpCall): Promise<HttpAnswer> {
  const payload = c.body === undefined ? undefined : JSON.stringify(c.body);
  const headers = { ...c.headers, ...(payload !== undefined ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) } : {}) };
  return new Promise<HttpAnswer>((resolve, reject) => {
    const req = request(url, { method: c.method ?? 'GET', headers, agent: false, signal: AbortSignal.timeout(c.timeoutMs) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (b: Buffer) => chunks.push(b));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try { json = text === '' ? undefined : JSON.parse(text); } catch { json = undefined; }
        resolve({ status: res.statusCode ?? 0, json, text });
      });
    });
    req.on('error', (err: Error) => {
      reject(err.name === 'AbortError' ? new Error(`no answer within ${c.timeoutMs / 1000}s`, { cause: err }) : err);
    });
    req.end(payload);
  });
}

// The transport of long-lived processes: undici keep-alive pools, one per origin. undici is
// required at the first use, not imported: loading and compiling it (and its WebAssembly HTTP
// parser) costs about 0.25 s, which a CLI command that never uses this transport must not pay.
// (A require, not a dynamic import: restDispatcher() hands its Agent back synchronously; undici is
// CommonJS, so a static `import ... from 'undici'` elsewhere shares this very instance.)
import { createRequire } from 'node:module';
import type { Agent } from 'undici';
import type { HttpTransport, HttpTransportOptions, TransportRequest, TransportResponse } from './http-transport.js';

/** Idle keep-alive connections are closed after this. */
const KEEP_ALIVE_MS = 30_000;

let undici: typeof import('undici') | undefined;

function loadUndici(): typeof import('undici') {
  undici ??= createRequire(import.meta.url)('undici') as typeof import('undici');
  return undici;
}

/**
 * A keep-alive dispatcher (one connection pool per origin). Timeouts left out keep undici's
 * defaults; a caller may still bound one request (per-request timeouts, an AbortSignal).
 */
export function restDispatcher(o: HttpTransportOptions = {}): Agent {
  const t = o.timeouts;
  const connect = { ...(t?.connectMs !== undefined ? { timeout: t.connectMs } : {}), ...(o.socketPath !== undefined ? { socketPath: o.socketPath } : {}) };
  return new (loadUndici().Agent)({
    keepAliveTimeout: KEEP_ALIVE_MS,
    ...(Object.keys(connect).length > 0 ? { connect } : {}),
    ...(t !== undefined ? { headersTimeout: t.headersMs, bodyTimeout: t.bodyMs } : {}),
    ...(o.connections !== undefined ? { connections: o.connections } : {}),
  });
}

/** Calls over a restDispatcher(); undici's answer already has the shape callers read. */
export class UndiciTransport implements HttpTransport {
  readonly dispatcher: Agent;

  constructor(o: HttpTransportOptions = {}) {
    this.dispatcher = restDispatcher(o);
  }

  request(url: string, r: TransportRequest): Promise<TransportResponse> {
    return loadUndici().request(url, { method: r.method, body: r.body, headers: r.headers, dispatcher: this.dispatcher, signal: r.signal });
  }

  close(): Promise<void> {
    return this.dispatcher.close();
  }
}

export const undiciTransport = (o: HttpTransportOptions): HttpTransport => new UndiciTransport(o);

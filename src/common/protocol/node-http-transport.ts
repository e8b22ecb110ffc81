// The transport of one-shot processes (the CLI): node:http, which node has loaded already. A
// keep-alive http.Agent per transport: node unrefs its idle sockets, so the process exits as soon
// as the last answer is read, and close() destroys them. The HttpClientTimeouts are kept the way
// undici keeps them: connect, then the wait for the answer's headers, then the longest gap between
// two pieces of its body; neither of the last two runs while this side holds things up (a request
// body still being sent, an answer the caller has not read yet).
// A kept-alive socket can be closed by the server (node's keepAliveTimeout is 5 s) just as a call
// is sent on it: a GET or HEAD that loses such a race before any answer byte is sent again, once,
// on a new connection; any other method fails with StaleConnectionError (it may have been applied).
import { Agent, request, type ClientRequest, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { finished, pipeline } from 'node:stream';
import type { HttpClientTimeouts } from '../http-timeouts.js';
import type { HttpTransport, HttpTransportOptions, ResponseBody, TransportRequest, TransportResponse } from './http-transport.js';

/** Idle keep-alive connections are closed after this. */
const KEEP_ALIVE_MS = 30_000;
/** Connect timeout when none is given (undici's default). */
const DEFAULT_CONNECT_MS = 10_000;

type Phase = 'connect' | 'headers' | 'body';

/** A call that passed one of its timeouts. Code ETIMEDOUT: readers fail over as on any network error. */
export class HttpTimeoutError extends Error {
  readonly code = 'ETIMEDOUT';

  constructor(readonly phase: Phase, readonly ms: number, origin: string) {
    super(phase === 'connect' ? `no connection to ${origin} within ${ms} ms`
      : phase === 'headers' ? `no answer from ${origin} within ${ms} ms`
        : `the answer from ${origin} stalled for ${ms} ms`);
    this.name = 'HttpTimeoutError';
  }
}

/**
 * A call that is not idempotent lost the keep-alive race: the server closed the reused connection
 * before any answer. Not sent again (the server may have acted on it). Code ECONNRESET, as before.
 */
export class StaleConnectionError extends Error {
  readonly code = 'ECONNRESET';

  constructor(method: string, origin: string, cause: unknown) {
    super(`${origin} closed a reused keep-alive connection before answering ${method}; not sent again (${method} is not idempotent: the server may have applied it)`, { cause });
    this.name = 'StaleConnectionError';
  }
}

/** Sent again after a lost keep-alive race: safe methods only (RFC 9110 §9.2.1). */
const RETRIED_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD']);
/** How a connection closed under a request shows. */
const RESET_CODES: ReadonlySet<string> = new Set(['ECONNRESET', 'EPIPE']);

export class NodeHttpTransport implements HttpTransport {
  private readonly agent: Agent;

  constructor(private readonly o: HttpTransportOptions = {}) {
    this.agent = new Agent({ keepAlive: true, timeout: KEEP_ALIVE_MS, ...(o.connections !== undefined ? { maxSockets: o.connections } : {}) });
  }

  request(url: string, r: TransportRequest): Promise<TransportResponse> {
    return new Promise<TransportResponse>((resolve, reject) => this.send(url, r, false, resolve, reject));
  }

  /** One try; `fresh` asks for a connection of its own (agent: false) instead of a pooled one. */
  private send(url: string, r: TransportRequest, fresh: boolean, resolve: (res: TransportResponse) => void, reject: (err: unknown) => void): void {
    let answered = false;
    const req = request(url, {
      method: r.method, agent: fresh ? false : this.agent,
      ...(r.headers !== undefined ? { headers: r.headers } : {}),
      ...(r.signal !== undefined ? { signal: r.signal } : {}),
      ...(this.o.socketPath !== undefined ? { socketPath: this.o.socketPath } : {}),
    }, (res) => {
      answered = true;
      resolve({ statusCode: res.statusCode ?? 0, headers: res.headers, body: Object.assign(res, BODY_METHODS) });
    });
    let socket: Socket | undefined;
    let readBefore = 0;
    // Stays attached: an error after the answer (the body's) is the body stream's to report.
    req.on('error', (err: NodeJS.ErrnoException) => {
      const lostRace = !answered && req.reusedSocket && socket !== undefined && socket.bytesRead === readBefore
        && RESET_CODES.has(err.code ?? '') && r.signal?.aborted !== true;
      if (!lostRace) reject(err);
      else if (!RETRIED_METHODS.has(r.method)) reject(new StaleConnectionError(r.method, this.o.socketPath ?? new URL(url).host, err));
      else if (r.body === undefined || Buffer.isBuffer(r.body)) this.send(url, r, true, resolve, reject);
      else reject(err); // a stream body cannot be sent again
    });
    const t = this.o.timeouts;
    req.once('socket', (s: Socket) => {
      socket = s;
      readBefore = s.bytesRead;
      if (t !== undefined) watchTimeouts(req, s, t, this.o.socketPath ?? new URL(url).host);
    });
    if (r.body === undefined || Buffer.isBuffer(r.body)) req.end(r.body);
    else pipeline(r.body, req, () => { /* an error reached req, and through it the caller */ });
  }

  async close(): Promise<void> {
    this.agent.destroy();
  }
}

export const nodeHttpTransport = (o: HttpTransportOptions): HttpTransport => new NodeHttpTransport(o);

/**
 * One idle timer per call, on its socket (node refreshes it on every read and write): its length
 * follows the call's phase, and its expiry fails the call, or the body once the answer is in.
 */
function watchTimeouts(req: ClientRequest, socket: Socket, t: HttpClientTimeouts, origin: string): void {
  let phase: Phase = socket.connecting ? 'connect' : 'headers';
  let res: IncomingMessage | undefined;
  const msOf = (p: Phase): number => (p === 'connect' ? t.connectMs ?? DEFAULT_CONNECT_MS : p === 'headers' ? t.headersMs : t.bodyMs);
  const arm = (p: Phase): void => {
    phase = p;
    socket.setTimeout(msOf(p));
  };
  const onTimeout = (): void => {
    // Held up on this side: the request body is still being sent (and the server takes it), or
    // the caller has not read what arrived. Wait on, as undici does.
    const sending = phase === 'headers' && !req.writableFinished && !req.writableNeedDrain;
    const unread = phase === 'body' && res !== undefined && res.readableLength > 0;
    if (sending || unread) return arm(phase);
    const err = new HttpTimeoutError(phase, msOf(phase), origin);
    if (res !== undefined) res.destroy(err);
    else req.destroy(err);
  };
  const done = (): void => { socket.off('timeout', onTimeout); };
  socket.on('timeout', onTimeout);
  arm(phase);
  if (phase === 'connect') socket.once('connect', () => arm('headers'));
  req.once('response', (r: IncomingMessage) => {
    res = r;
    arm('body');
    // The agent sets the idle timeout of a socket it keeps when the answer ends.
    finished(r, done);
  });
  req.once('close', () => { if (res === undefined) done(); });
}

/** json()/text()/dump() of an answer's body, shared by every answer (`this` is the body). */
const BODY_METHODS: Omit<ResponseBody, keyof IncomingMessage> = {
  async text(this: IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const c of this) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  },
  async json(this: ResponseBody): Promise<unknown> {
    return JSON.parse(await this.text());
  },
  dump(this: IncomingMessage): Promise<void> {
    return new Promise<void>((resolve) => {
      finished(this, () => resolve());
      this.resume();
    });
  },
};

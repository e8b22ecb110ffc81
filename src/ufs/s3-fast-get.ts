import { createHash, createHmac } from 'node:crypto';
import { connect, type NetConnectOpts, type Socket } from 'node:net';
import { Readable } from 'node:stream';
import { UfsError } from '../common/errors.js';
import { readArenas } from './read-arenas.js';

/**
 * GetObject over plain HTTP without the SDK's HTTP stack, for S3-compatible stores (MinIO, Ceph,
 * s3rver) reached through `alluxio.underfs.s3.endpoint=http://...` with path-style buckets and
 * static credentials. Node's HTTP client allocates a buffer, runs the parser and makes a stream
 * hop for every 16-64 KiB of a body; this reads the socket straight into pooled 256 KiB arenas
 * (net.Socket `onread`) and hands out slices of them (bench/micro/s3-receive.bench.ts); each
 * slice holds its arena until the reader gives it back (read-arenas.ts). It
 * answers in the SDK's shapes, so S3Caller retries and maps its failures exactly as the SDK's:
 * a non-2xx answer becomes an error with the S3 code as `name` and `$metadata.httpStatusCode`.
 * Connections are kept alive (see KeepAlivePool): a new TCP connection per GET cost both sides an
 * accept and a connect per small object, which showed in the preload profile (bench/preload.ts).
 */
export interface FastGetConfig {
  /** Endpoint without a path: http://host[:port]. */
  host: string;
  port: number;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Idle time after which a body that stopped flowing fails. */
  bodyTimeoutMs: number;
}

export interface FastGetRequest {
  bucket: string;
  key: string;
  range: string;
  ifMatch?: string | undefined;
  /** For messages: the object's UFS URI. */
  uri: string;
  /** Aborts the request before the answer's headers (an attempt's deadline). */
  attemptSignal: AbortSignal;
}

/** What GetObjectCommand would resolve with, as far as openRead reads it. */
export interface FastGetOutput {
  Body: Readable;
  ETag: string | undefined;
  ContentRange: string | undefined;
}

/** The fast path's config for an endpoint, or undefined when the SDK must do the work. */
export function fastGetConfig(endpoint: string | undefined, forcePathStyle: boolean, region: string,
  credentials: { accessKeyId: string; secretAccessKey: string } | undefined, bodyTimeoutMs: number): FastGetConfig | undefined {
  if (endpoint === undefined || !forcePathStyle || credentials === undefined) return undefined;
  let u: URL;
  try {
    u = new URL(endpoint);
  } catch {
    return undefined;
  }
  if (u.protocol !== 'http:' || (u.pathname !== '/' && u.pathname !== '') || u.search !== '' || u.username !== '') return undefined;
  return { host: u.hostname.replace(/^\[|\]$/g, ''), port: Number(u.port || 80), region, ...credentials, bodyTimeoutMs };
}

const HEADER_LIMIT = 16 * 1024;
const ERROR_BODY_LIMIT = 64 * 1024;

/** Idle connections kept per endpoint; more are closed after their answer. */
const MAX_IDLE_PER_ENDPOINT = 64;
/** An idle connection is closed after this long: below the 5 s keep-alive of Node servers (s3rver, MinIO's is longer), so we close first. */
const IDLE_MS = 4000;

/** What the connection's current request does with its socket's events. */
interface ConnHandler {
  buffer(): Uint8Array;
  read(n: number): boolean;
  error(err: Error): void;
  close(): void;
  timeout(): void;
}

/**
 * One connection to an endpoint, used by one request at a time. Its socket reads straight into the
 * buffers the current request hands out (net.Socket `onread`, fixed at connect), so every event
 * goes through `handler`; while idle (no handler) any byte or error from the server closes it.
 * Node asks for the next read's buffer after each read (and once at connect), when the next
 * request is not known yet: that read lands in `head`, which is where a request expects the
 * first bytes of its answer.
 */
class Conn {
  handler: ConnHandler | null = null;
  readonly sock: Socket;
  readonly head = Buffer.allocUnsafe(HEADER_LIMIT);

  constructor(readonly endpoint: string, host: string, port: number) {
    this.sock = connect({
      host, port, noDelay: true,
      onread: {
        buffer: () => (this.handler ? this.handler.buffer() : this.head),
        callback: (n: number) => {
          if (this.handler) return this.handler.read(n);
          this.sock.destroy(); // an idle connection has nothing to receive
          return false;
        },
      },
    } as NetConnectOpts);
    this.sock.on('error', (err) => this.handler?.error(err)); // while idle, 'close' follows
    this.sock.on('close', () => {
      idleConns.remove(this);
      this.handler?.close();
    });
    this.sock.on('timeout', () => (this.handler ? this.handler.timeout() : this.sock.destroy()));
  }
}

/** Idle keep-alive connections by endpoint (host:port), most recently used last. */
class KeepAlivePool {
  private readonly idle = new Map<string, Conn[]>();

  take(endpoint: string): Conn | undefined {
    const list = this.idle.get(endpoint);
    while (list !== undefined && list.length > 0) {
      const c = list.pop()!;
      if (c.sock.destroyed) continue;
      c.sock.ref();
      return c;
    }
    return undefined;
  }

  /** After a complete answer: the connection waits for the next request (or is closed when enough wait). */
  put(c: Conn): void {
    c.handler = null;
    if (c.sock.destroyed) return;
    let list = this.idle.get(c.endpoint);
    if (list === undefined) this.idle.set(c.endpoint, (list = []));
    if (list.length >= MAX_IDLE_PER_ENDPOINT) {
      c.sock.destroy();
      return;
    }
    c.sock.setTimeout(IDLE_MS);
    c.sock.unref(); // an idle connection never keeps the process alive
    c.sock.resume();
    list.push(c);
  }

  remove(c: Conn): void {
    const list = this.idle.get(c.endpoint);
    const i = list?.indexOf(c) ?? -1;
    if (i >= 0) list!.splice(i, 1);
  }
}

const idleConns = new KeepAlivePool();

/** A kept-alive connection the server had closed before our request reached it: worth one retry on a new one. */
const STALE_CONNECTION = Symbol('stale keep-alive connection');

export function fastGetObject(cfg: FastGetConfig, req: FastGetRequest): Promise<FastGetOutput> {
  const endpoint = `${cfg.host}:${cfg.port}`;
  const reused = idleConns.take(endpoint);
  if (reused === undefined) return getOn(new Conn(endpoint, cfg.host, cfg.port), false, cfg, req);
  return getOn(reused, true, cfg, req).catch((err: unknown) => {
    if (err !== STALE_CONNECTION) throw err;
    return getOn(new Conn(endpoint, cfg.host, cfg.port), false, cfg, req);
  });
}

function getOn(conn: Conn, reused: boolean, cfg: FastGetConfig, req: FastGetRequest): Promise<FastGetOutput> {
  const sock = conn.sock;
  return new Promise((resolve, reject) => {
    const path = `/${encodeSegment(req.bucket)}/${req.key.split('/').map(encodeSegment).join('/')}`;
    const hostHeader = cfg.port === 80 ? cfg.host : `${cfg.host.includes(':') ? `[${cfg.host}]` : cfg.host}:${cfg.port}`;
    const headers: Array<[string, string]> = [['host', hostHeader], ['range', req.range], ['x-amz-content-sha256', 'UNSIGNED-PAYLOAD']];
    if (req.ifMatch !== undefined) headers.push(['if-match', req.ifMatch]);
    const requestText = `GET ${path} HTTP/1.1\r\n${sign(cfg, path, headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`;

    let phase: 'head' | 'body' | 'error' | 'done' = 'head';
    let head = conn.head;
    let headFill = 0;
    let arena: Buffer = head;
    let fill = 0;
    let remaining = 0;
    let status = 0;
    let errorBody = '';
    let body: FastBody | undefined;

    // The reader's own reference to the arena it fills: given up when it moves to the next one or
    // the body ends; the slices handed out hold theirs until the consumer releases them.
    let filling = false;
    const nextArena = () => {
      if (filling) readArenas.release(arena);
      arena = readArenas.acquire();
      filling = true;
      fill = 0;
    };
    const retireArena = () => {
      if (filling) readArenas.release(arena);
      filling = false;
    };

    const fail = (err: Error) => {
      if (phase === 'done') return;
      const wasBody = phase === 'body';
      const unanswered = phase === 'head' && headFill === 0;
      phase = 'done';
      conn.handler = null;
      sock.destroy();
      retireArena();
      // A reused connection that the server closed (idle timeout) before answering: not a failure of the request.
      if (reused && unanswered && err.name !== 'TimeoutError' && !req.attemptSignal.aborted) {
        reject(STALE_CONNECTION);
        return;
      }
      if (wasBody) {
        const code = err.name === 'TimeoutError' ? 'ALX_ERR_UFS_TIMEOUT' : 'ALX_ERR_UFS_UNAVAILABLE';
        body!.destroy(new UfsError(code, `S3 openRead of ${req.uri}: the body stream failed: ${err.message}`, { cause: err }));
      }
      else reject(err);
    };
    const onAbort = () => fail(req.attemptSignal.reason instanceof Error ? req.attemptSignal.reason : new Error('aborted'));

    const startBody = (from: Buffer) => {
      phase = 'body';
      req.attemptSignal.removeEventListener('abort', onAbort);
      body = new FastBody(sock);
      resolve({ Body: body, ETag: headerValue('etag'), ContentRange: headerValue('content-range') });
      if (remaining <= 0) {
        phase = 'done';
        body.push(null);
        finished();
        return;
      }
      nextArena();
      if (from.length > 0) deliver(from.subarray(0, remaining));
    };
    // Body bytes that arrived with the headers: copied into the arena, then taken like a read.
    const deliver = (bytes: Buffer) => {
      bytes.copy(arena, fill);
      take(bytes.length);
    };
    const take = (n: number) => {
      const chunk = arena.subarray(fill, fill + n);
      readArenas.retain(arena); // the chunk's reference
      fill += n;
      remaining -= n;
      if (remaining <= 0) retireArena();
      else if (fill >= arena.length - 4096) nextArena();
      const more = body!.push(chunk);
      if (remaining <= 0) {
        phase = 'done';
        body!.push(null);
        finished();
      } else if (!more) {
        sock.pause();
      }
    };

    let headerLines: Map<string, string> | undefined;
    const headerValue = (name: string) => headerLines?.get(name);
    let keepAlive = false;
    // The whole answer is in: the body no longer owns the socket, which waits for the next request
    // unless the server asked to close it (or sent more than it announced).
    const finished = () => {
      body!.detach();
      if (keepAlive && remaining === 0) idleConns.put(conn);
      else {
        conn.handler = null;
        sock.destroy();
      }
    };

    const onRead = (n: number): boolean => {
      if (phase === 'done') return false;
      if (phase === 'body') {
        take(n);
        return true;
      }
      if (phase === 'error') {
        errorBody += head.toString('latin1', 0, n);
        remaining -= n;
        if (remaining <= 0 || errorBody.length > ERROR_BODY_LIMIT) finishError();
        return true;
      }
      headFill += n;
      const end = head.subarray(0, headFill).indexOf('\r\n\r\n', Math.max(0, headFill - n - 3));
      if (end < 0) {
        if (headFill >= HEADER_LIMIT) fail(new Error(`the answer's headers exceed ${HEADER_LIMIT} bytes`));
        return true;
      }
      const lines = head.toString('latin1', 0, end).split('\r\n');
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '');
      if (!m) {
        fail(new Error(`not an HTTP answer: ${JSON.stringify((lines[0] ?? '').slice(0, 80))}`));
        return false;
      }
      status = Number(m[1]);
      headerLines = new Map();
      for (const line of lines.slice(1)) {
        const i = line.indexOf(':');
        if (i > 0) headerLines.set(line.slice(0, i).trim().toLowerCase(), line.slice(i + 1).trim());
      }
      keepAlive = lines[0]!.startsWith('HTTP/1.1') && !/\bclose\b/i.test(headerLines.get('connection') ?? '');
      const rest = Buffer.from(head.subarray(end + 4, headFill));
      const length = headerLines.get('content-length');
      if (headerLines.has('transfer-encoding') || length === undefined || !/^\d+$/.test(length)) {
        if (status >= 200 && status < 300) {
          fail(new Error('the answer has no Content-Length'));
          return false;
        }
        remaining = Infinity; // an error body until the server closes
      } else {
        remaining = Number(length);
      }
      if (status === 200 || status === 206) {
        startBody(rest);
        return true;
      }
      phase = 'error';
      head = Buffer.allocUnsafe(HEADER_LIMIT);
      arena = head;
      errorBody = rest.toString('latin1');
      remaining -= rest.length;
      if (remaining <= 0) finishError();
      return true;
    };

    // The answer to a failed request, in the SDK's error shape (see classifyS3Error).
    const finishError = () => {
      if (phase === 'done') return;
      phase = 'done';
      conn.handler = null;
      sock.destroy();
      const code = /<Code>([^<]*)<\/Code>/.exec(errorBody)?.[1];
      const message = /<Message>([^<]*)<\/Message>/.exec(errorBody)?.[1];
      reject(Object.assign(new Error(message ?? `HTTP ${status}`), { name: code ?? `HTTP${status}`, $metadata: { httpStatusCode: status } }));
    };

    conn.handler = {
      buffer: () => (phase === 'body' ? arena.subarray(fill) : head.subarray(phase === 'head' ? headFill : 0)),
      read: onRead,
      error: (err) => fail(err),
      close: () => {
        if (phase === 'error') finishError();
        else fail(Object.assign(new Error('the connection closed early'), { code: 'ECONNRESET' }));
      },
      timeout: () => fail(Object.assign(new Error(`no data for ${cfg.bodyTimeoutMs} ms`), { name: 'TimeoutError' })),
    };
    sock.setTimeout(cfg.bodyTimeoutMs);
    if (req.attemptSignal.aborted) return onAbort();
    req.attemptSignal.addEventListener('abort', onAbort, { once: true });
    sock.write(requestText);
  });
}

/**
 * A body fed by the socket; reading resumes it, destroying it before its end closes it. Once the
 * whole body is in, the socket is no longer the body's (it may serve the next request).
 */
class FastBody extends Readable {
  constructor(private sock: Socket | null) {
    super({ highWaterMark: 1024 * 1024 });
  }

  detach(): void {
    this.sock = null;
  }

  override _read(): void {
    this.sock?.resume();
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    this.sock?.destroy();
    cb(err);
  }
}

/** AWS Signature Version 4 headers for a GET with an unsigned payload; returns every header to send. */
function sign(cfg: FastGetConfig, path: string, headers: Array<[string, string]>): Array<[string, string]> {
  const now = new Date().toISOString().replace(/[-:]|\.\d{3}/g, '');
  const day = now.slice(0, 8);
  const all: Array<[string, string]> = [...headers, ['x-amz-date', now]].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)) as Array<[string, string]>;
  const signedHeaders = all.map(([k]) => k).join(';');
  const canonical = ['GET', path, '', ...all.map(([k, v]) => `${k}:${v.trim()}`), '', signedHeaders, 'UNSIGNED-PAYLOAD'].join('\n');
  const scope = `${day}/${cfg.region}/s3/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', now, scope, createHash('sha256').update(canonical).digest('hex')].join('\n');
  const signature = createHmac('sha256', signingKey(cfg, day)).update(toSign).digest('hex');
  return [...all, ['authorization', `AWS4-HMAC-SHA256 Credential=${cfg.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`]];
}

/** The last SigV4 signing key derived: it changes with the day, so each GET need not derive it again (4 HMACs). */
let lastSigningKey: { secret: string; region: string; day: string; key: Buffer } | undefined;

function signingKey(cfg: FastGetConfig, day: string): Buffer {
  const k = lastSigningKey;
  if (k !== undefined && k.day === day && k.region === cfg.region && k.secret === cfg.secretAccessKey) return k.key;
  let key: Buffer = createHmac('sha256', `AWS4${cfg.secretAccessKey}`).update(day).digest();
  for (const part of [cfg.region, 's3', 'aws4_request']) key = createHmac('sha256', key).update(part).digest();
  lastSigningKey = { secret: cfg.secretAccessKey, region: cfg.region, day, key };
  return key;
}

/** RFC 3986 encoding of one path segment, as SigV4 wants it for S3 (not double-encoded). */
function encodeSegment(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

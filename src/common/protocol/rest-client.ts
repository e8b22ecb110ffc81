// The typed client of the worker REST API that cluster processes use (bearer token on every call,
// URLs from url.ts, answers decoded with alluxiofs-json.ts), over an HttpTransport: undici's
// keep-alive pools by default (long-lived processes), node:http for a one-shot CLI command.
import { statSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { AlluxioError, ERROR_TABLE, type ErrorCode } from '../errors.js';
import type { HttpClientTimeouts } from '../http-timeouts.js';
import { fromAlluxioJson, type CacheFileJson, type CacheIndexEntryJson, type CacheStatsJson, type ClientFileEntry } from './alluxiofs-json.js';
import type { HttpMethod, HttpTransport, HttpTransportFactory, HttpTransportOptions, TransportResponse } from './http-transport.js';
import { PARAM, UFS_VERSION_HEADER, WORKER_REST, type WorkerRoute } from './routes.js';
import { undiciTransport } from './undici-transport.js';
import { buildUrl, httpOrigin, type Query } from './url.js';

/** Where a worker's REST API listens (a WorkerInfo is one). */
export interface WorkerRestAddress {
  readonly address: { readonly Host: string; readonly HttpServerPort: number; readonly DomainSocketPath?: string };
}

/** `http://host:port` of a worker's REST API (IPv6 bracketed). */
export function workerOrigin(w: WorkerRestAddress): string {
  return httpOrigin(w.address.Host, w.address.HttpServerPort);
}

/** Thrown when a worker cannot be reached or fails (5xx): the caller may try another worker. */
export class WorkerUnavailableError extends AlluxioError {
  constructor(readonly worker: string, message: string, options?: { cause?: unknown }) {
    super('ALX_ERR_WORKER_UNAVAILABLE', message, options);
    this.name = 'WorkerUnavailableError';
  }
}

export interface WorkerRestClientOptions {
  timeouts: HttpClientTimeouts;
  /** Sent as the Authorization header of every call (a bearer token; docs/security.md). */
  authorization?: string;
  /** Connections per worker (default: unbounded). */
  connections?: number;
  /**
   * How calls are sent: undiciTransport (the default) for long-lived processes, nodeHttpTransport
   * for a one-shot command, which should not load undici.
   */
  transport?: HttpTransportFactory;
  /**
   * Short-circuit: reach a worker that advertises a Unix domain socket over it when the socket
   * exists on this host (alluxio.user.short.circuit.enabled).
   */
  shortCircuit?: boolean;
}

/** How long a domain socket path found missing or refusing is left alone before it is tried again. */
const SOCKET_RECHECK_MS = 10_000;

export interface RestCall {
  /** Values of the route's `{name}` parameters. */
  params?: Readonly<Record<string, string | number>>;
  query?: Query;
  body?: Buffer | Readable;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/** A read's answer: `version` is the UFS version it serves (UFS_VERSION_HEADER). */
export interface RestStream {
  length: number;
  body: Readable;
  version?: string;
}

/** Calls workers' REST APIs over pooled keep-alive connections (one pool per worker). */
export class WorkerRestClient {
  /** Calls over TCP; also for a worker's other ports (web /metrics). */
  readonly transport: HttpTransport;
  private readonly authorization: string | undefined;
  private readonly newTransport: HttpTransportFactory;
  /** Domain socket path -> its transport, or the time until which the path is not tried. */
  private readonly sockets = new Map<string, HttpTransport | number>();

  constructor(private readonly o: WorkerRestClientOptions) {
    this.authorization = o.authorization;
    this.newTransport = o.transport ?? undiciTransport;
    this.transport = this.newTransport(this.transportOptions());
  }

  private transportOptions(socketPath?: string): HttpTransportOptions {
    return {
      timeouts: this.o.timeouts,
      ...(this.o.connections !== undefined ? { connections: this.o.connections } : {}),
      ...(socketPath !== undefined ? { socketPath } : {}),
    };
  }

  /** The domain socket transport for a worker on this host, if short-circuit applies. */
  private socketTransport(w: WorkerRestAddress): HttpTransport | undefined {
    const path = w.address.DomainSocketPath;
    if (!this.o.shortCircuit || !path) return undefined;
    const known = this.sockets.get(path);
    if (typeof known === 'object') return known;
    if (known !== undefined && Date.now() < known) return undefined;
    let isSocket = false;
    try { isSocket = statSync(path).isSocket(); } catch { /* not on this host */ }
    if (!isSocket) {
      this.sockets.set(path, Date.now() + SOCKET_RECHECK_MS);
      return undefined;
    }
    const transport = this.newTransport(this.transportOptions(path));
    this.sockets.set(path, transport);
    return transport;
  }

  /** One call, its answer as is (any status); a connection failure rejects with the transport's error. */
  async send(w: WorkerRestAddress, method: HttpMethod, route: WorkerRoute, c: RestCall = {}): Promise<TransportResponse> {
    const url = buildUrl(workerOrigin(w), route, c);
    const headers = this.authorization === undefined ? c.headers : { ...c.headers, authorization: this.authorization };
    const local = this.socketTransport(w);
    if (local !== undefined) {
      try {
        return await local.request(url, { method, body: c.body, headers, signal: c.signal });
      } catch (err) {
        // A socket left by a worker that is gone (or restarted elsewhere): back to TCP when the
        // call can be sent again (no body stream was consumed).
        const code = (err as { code?: string }).code;
        if ((code !== 'ECONNREFUSED' && code !== 'ENOENT') || (c.body !== undefined && !Buffer.isBuffer(c.body))) throw err;
        const path = w.address.DomainSocketPath!;
        this.sockets.set(path, Date.now() + SOCKET_RECHECK_MS);
        void local.close().catch(() => {});
      }
    }
    return this.transport.request(url, { method, body: c.body, headers, signal: c.signal });
  }

  /**
   * A call of a short-circuit route (served on a worker's domain socket only), its JSON answer;
   * undefined when this client does not reach the worker over its domain socket (short-circuit
   * off, no socket advertised, or not on this host). Never sent over TCP.
   */
  async overSocket<T>(w: WorkerRestAddress, method: HttpMethod, route: WorkerRoute, c: RestCall = {}): Promise<T | undefined> {
    const local = this.socketTransport(w);
    if (local === undefined) return undefined;
    const url = buildUrl(workerOrigin(w), route, c);
    const headers = this.authorization === undefined ? c.headers : { ...c.headers, authorization: this.authorization };
    let res: TransportResponse;
    try {
      res = await local.request(url, { method, body: c.body, headers, signal: c.signal });
    } catch (err) {
      // A socket left by a worker that is gone: not tried again for a while (as in send()).
      const code = (err as { code?: string }).code;
      if (code === 'ECONNREFUSED' || code === 'ENOENT') {
        this.sockets.set(w.address.DomainSocketPath!, Date.now() + SOCKET_RECHECK_MS);
        void local.close().catch(() => {});
      }
      throw err;
    }
    return (await this.answer(res, workerOrigin(w))).body.json() as Promise<T>;
  }

  /**
   * One call whose answer must succeed, its JSON body parsed. An unreachable worker, or a 5xx that
   * is not the UFS's fault, is a WorkerUnavailableError (try another worker); any other error
   * answer is the AlluxioError its `{code, message}` names.
   */
  async json<T>(w: WorkerRestAddress, method: HttpMethod, route: WorkerRoute, c: RestCall = {}): Promise<T> {
    const res = await this.checked(w, method, route, c);
    return (await res.body.json()) as T;
  }

  /** A streaming GET; the caller consumes or destroys the body. */
  async stream(w: WorkerRestAddress, route: WorkerRoute, c: RestCall = {}): Promise<RestStream> {
    const res = await this.checked(w, 'GET', route, c);
    const v = res.headers[UFS_VERSION_HEADER];
    const version = typeof v === 'string' ? decodeURIComponent(v) : undefined;
    return { length: Number(res.headers['content-length'] ?? -1), body: res.body, ...(version !== undefined ? { version } : {}) };
  }

  /** `GET /v1/info`: a one-element list, the shape alluxiofs reads. */
  async info(w: WorkerRestAddress, path: string): Promise<ClientFileEntry> {
    const [row] = await this.json<Record<string, unknown>[]>(w, 'GET', WORKER_REST.info, { query: { [PARAM.path]: path } });
    if (row === undefined) throw new AlluxioError('ALX_ERR_INTERNAL', `the worker answered ${WORKER_REST.info} for ${path} with an empty list`);
    return fromAlluxioJson(row);
  }

  async list(w: WorkerRestAddress, path: string, recursive: boolean): Promise<ClientFileEntry[]> {
    const rows = await this.json<Record<string, unknown>[]>(w, 'GET', WORKER_REST.files, { query: { [PARAM.path]: path, [PARAM.recursive]: recursive } });
    return rows.map(fromAlluxioJson);
  }

  /** [offset, offset+length) of a file (length -1: to the end), of UFS version `version` when given. */
  read(w: WorkerRestAddress, path: string, offset: number, length: number, version?: string): Promise<RestStream> {
    return this.stream(w, WORKER_REST.read, { query: { [PARAM.path]: path, [PARAM.offset]: offset, [PARAM.length]: length, [PARAM.version]: version } });
  }

  async write(w: WorkerRestAddress, path: string, body: Buffer | Readable, length?: number): Promise<ClientFileEntry> {
    const headers: Record<string, string> = length !== undefined ? { 'content-length': String(length) } : {};
    return fromAlluxioJson(await this.json(w, 'PUT', WORKER_REST.file, { query: { [PARAM.path]: path }, body, headers }));
  }

  async delete(w: WorkerRestAddress, path: string, recursive: boolean): Promise<void> {
    await this.json(w, 'DELETE', WORKER_REST.file, { query: { [PARAM.path]: path, [PARAM.recursive]: recursive } });
  }

  async mkdir(w: WorkerRestAddress, path: string): Promise<ClientFileEntry> {
    return fromAlluxioJson(await this.json(w, 'POST', WORKER_REST.mkdir, { query: { [PARAM.path]: path } }));
  }

  async rename(w: WorkerRestAddress, src: string, dst: string): Promise<void> {
    await this.json(w, 'POST', WORKER_REST.mv, { query: { [PARAM.srcPath]: src, [PARAM.dstPath]: dst } });
  }

  cache(w: WorkerRestAddress): Promise<CacheStatsJson> {
    return this.json(w, 'GET', WORKER_REST.cache);
  }

  cacheFile(w: WorkerRestAddress, path: string): Promise<CacheFileJson> {
    return this.json(w, 'GET', WORKER_REST.cacheFile, { query: { [PARAM.path]: path } });
  }

  cacheFiles(w: WorkerRestAddress): Promise<CacheIndexEntryJson[]> {
    return this.json(w, 'GET', WORKER_REST.cacheFiles);
  }

  async close(): Promise<void> {
    for (const t of this.sockets.values()) if (typeof t === 'object') await t.close().catch(() => {});
    await this.transport.close();
  }

  private async checked(w: WorkerRestAddress, method: HttpMethod, route: WorkerRoute, c: RestCall): Promise<TransportResponse> {
    const base = workerOrigin(w);
    let res: TransportResponse;
    try {
      res = await this.send(w, method, route, c);
    } catch (err) {
      throw new WorkerUnavailableError(base, `worker ${base} unreachable: ${(err as Error).message}`, { cause: err });
    }
    return this.answer(res, base);
  }

  /** The answer when it succeeded, else the error it names (see json()). */
  private async answer(res: TransportResponse, base: string): Promise<TransportResponse> {
    if (res.statusCode < 400) return res;
    const text = await res.body.text();
    let payload: { code?: string; message?: string } = {};
    try { payload = JSON.parse(text) as typeof payload; } catch { /* not JSON */ }
    if (res.statusCode >= 500 && payload.code !== 'ALX_ERR_UFS' && payload.code !== 'ALX_ERR_UFS_TIMEOUT' && payload.code !== 'ALX_ERR_UFS_UNAVAILABLE' && payload.code !== 'ALX_ERR_NO_SPACE') {
      throw new WorkerUnavailableError(base, `worker ${base} failed: ${res.statusCode} ${payload.message ?? text.slice(0, 200)}`);
    }
    const code = (payload.code && payload.code in ERROR_TABLE ? payload.code : 'ALX_ERR_INTERNAL') as ErrorCode;
    throw new AlluxioError(code, payload.message ?? `worker ${base} answered ${res.statusCode}`);
  }
}

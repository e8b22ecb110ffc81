import { Agent, request, type Dispatcher } from 'undici';
import type { Readable } from 'node:stream';
import { AlluxioError, ERROR_TABLE, type ErrorCode } from '../common/errors.js';
import type { WorkerInfo } from '../hashring/worker-info.js';

export interface WorkerHttpOptions {
  connectTimeoutMs: number;
  /** Time to wait for response headers, and between body chunks. */
  readTimeoutMs: number;
  /** Sent as the Authorization header of every call (a bearer token; docs/security.md). */
  authorization?: string;
}

/**
 * The header of a worker's data answer (`/v1/read`, `/v1/range`, the page API) naming the UFS
 * version it serves (URI-encoded ufsVersion()), and the query parameter that pins a read to one.
 */
export const UFS_VERSION_HEADER = 'x-alluxio-ufs-version';
export const VERSION_PARAM = 'version';

/** Thrown when a worker cannot be reached or fails (5xx): the caller may try another worker. */
export class WorkerUnavailableError extends AlluxioError {
  constructor(readonly worker: string, message: string, options?: { cause?: unknown }) {
    super('ALX_ERR_WORKER_UNAVAILABLE', message, options);
    this.name = 'WorkerUnavailableError';
  }
}

/** HTTP calls to workers' REST APIs over pooled keep-alive connections (one pool per worker). */
export class WorkerHttp {
  private readonly agent: Agent;
  private readonly authorization: string | undefined;

  constructor(opts: WorkerHttpOptions) {
    this.authorization = opts.authorization;
    this.agent = new Agent({
      connect: { timeout: opts.connectTimeoutMs },
      headersTimeout: opts.readTimeoutMs,
      bodyTimeout: opts.readTimeoutMs,
      keepAliveTimeout: 30_000,
      connections: 64,
    });
  }

  static base(w: WorkerInfo): string {
    return `http://${w.address.Host}:${w.address.HttpServerPort}`;
  }

  async json<T>(w: WorkerInfo, method: Dispatcher.HttpMethod, path: string, query: Record<string, string>, body?: Buffer | Readable, headers?: Record<string, string>): Promise<T> {
    const res = await this.call(w, method, path, query, body, headers);
    return (await res.body.json()) as T;
  }

  /** A streaming GET; the caller consumes or destroys the body. `version`: the UFS version it serves. */
  async stream(w: WorkerInfo, path: string, query: Record<string, string>): Promise<{ length: number; body: Readable; version?: string }> {
    const res = await this.call(w, 'GET', path, query);
    const v = res.headers[UFS_VERSION_HEADER];
    const version = typeof v === 'string' ? decodeURIComponent(v) : undefined;
    return { length: Number(res.headers['content-length'] ?? -1), body: res.body as unknown as Readable, ...(version !== undefined ? { version } : {}) };
  }

  async close(): Promise<void> {
    await this.agent.close();
  }

  private async call(w: WorkerInfo, method: Dispatcher.HttpMethod, path: string, query: Record<string, string>, body?: Buffer | Readable, headers?: Record<string, string>): Promise<Dispatcher.ResponseData> {
    const base = WorkerHttp.base(w);
    const url = `${base}${path}?${new URLSearchParams(query)}`;
    let res: Dispatcher.ResponseData;
    try {
      const h = this.authorization === undefined ? headers : { ...headers, authorization: this.authorization };
      res = await request(url, { method, body, headers: h, dispatcher: this.agent });
    } catch (err) {
      throw new WorkerUnavailableError(base, `worker ${base} unreachable: ${(err as Error).message}`, { cause: err });
    }
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

// How WorkerRestClient sends a call: a small seam so a process picks the HTTP stack that fits its
// life. Long-lived processes (worker, coordinator, FUSE) use undici's keep-alive pools
// (undici-transport.ts); a one-shot CLI command uses node:http (node-http-transport.ts), which
// node has loaded already, instead of paying about 0.25 s to load and compile undici.
import type { Readable } from 'node:stream';
import type { HttpClientTimeouts } from '../http-timeouts.js';

export type HttpMethod = 'GET' | 'HEAD' | 'PUT' | 'POST' | 'DELETE' | 'PATCH' | 'OPTIONS' | 'TRACE' | 'CONNECT';

export interface TransportRequest {
  method: HttpMethod;
  headers?: Record<string, string>;
  /** A Buffer is sent with its content-length; a stream as is (chunked unless headers give a length). */
  body?: Buffer | Readable;
  signal?: AbortSignal;
}

/** An answer's body: a byte stream the caller consumes, or reads whole with json()/text(), or drops with dump(). */
export interface ResponseBody extends Readable {
  json(): Promise<unknown>;
  text(): Promise<string>;
  /** Reads and discards the rest, so the connection can serve another call. */
  dump(): Promise<void>;
}

export interface TransportResponse {
  statusCode: number;
  /** Header names in lower case. */
  headers: Record<string, string | string[] | undefined>;
  body: ResponseBody;
}

export interface HttpTransport {
  /**
   * One call, its answer as is (any status). Rejects when the server cannot be reached, a timeout
   * passes (connect, headers) or the signal aborts; a body timeout errors the body stream.
   */
  request(url: string, r: TransportRequest): Promise<TransportResponse>;
  /** Closes every pooled connection. */
  close(): Promise<void>;
}

export interface HttpTransportOptions {
  /** Timeouts left out keep the HTTP stack's defaults. */
  timeouts?: HttpClientTimeouts;
  /** Connections per origin (default: unbounded). */
  connections?: number;
  /** Connect over this Unix domain socket instead of the URL's host and port. */
  socketPath?: string;
}

export type HttpTransportFactory = (o: HttpTransportOptions) => HttpTransport;

// Timeouts every server that accepts request bodies from untrusted clients needs, so a stalled or
// idle client cannot hold a connection (and what it holds: a temp file, an fd) for ever.
import type { IncomingMessage, Server, ServerOptions } from 'node:http';
import type { Socket } from 'node:net';
import { Server as TlsServer } from 'node:tls';
import { AlluxioError } from './errors.js';

export interface HttpTimeouts {
  /** The request line and headers must arrive within this (Node's headersTimeout). */
  headersMs: number;
  /**
   * A request body that delivers no byte for this long, while the server waits for one, is cut;
   * so is a response whose client reads no byte for this long while the server has bytes waiting
   * for it. Not a bound on the whole request: a slow transfer that keeps moving is never cut.
   */
  bodyMs: number;
  /** A connection with no request in progress (fresh or kept alive) is closed after this. */
  idleMs: number;
}

/** The timeouts of a client of another process's HTTP API (common/protocol/rest-client.ts). */
export interface HttpClientTimeouts {
  /** TCP connect; undefined keeps undici's default (10 s). */
  connectMs?: number;
  /** Time to wait for the response headers. */
  headersMs: number;
  /** Time to wait between two chunks of the response body. */
  bodyMs: number;
}

/** The createServer options for these timeouts (requestTimeout stays 0: see bodyMs). */
export function timeoutServerOptions(t: HttpTimeouts): ServerOptions {
  return {
    headersTimeout: t.headersMs,
    requestTimeout: 0,
    keepAliveTimeout: t.idleMs,
    // How often Node checks headersTimeout; its 30 s default would stretch a short timeout.
    connectionsCheckingInterval: Math.max(100, Math.min(30_000, Math.floor(t.headersMs / 2))),
  };
}

/**
 * Adds to a server created with timeoutServerOptions what Node does not do: closing a fresh
 * connection that never sends a request, and cutting a request body that stalls.
 */
export function applyTimeouts(server: Server, t: HttpTimeouts): void {
  // Node's keepAliveTimeout only starts after a first response; a connection that never sends a
  // request would otherwise stay open. This arms the socket's idle timer (on expiry Node destroys
  // the socket); it is cleared when a request begins, and Node re-arms it with keepAliveTimeout
  // after each response.
  const stalls = new BodyStallWatch(t.bodyMs);
  server.on(server instanceof TlsServer ? 'secureConnection' : 'connection', (socket: Socket) => {
    socket.setTimeout(t.idleMs);
    // Responses are watched per connection, not per request: a keep-alive connection serving
    // many small answers costs one entry, not one per answer.
    stalls.watch(responseBytes(socket));
  });
  server.on('request', (req: IncomingMessage) => {
    req.socket.setTimeout(0);
    if (!req.complete && hasBody(req)) stalls.watch(requestBody(req, t.bodyMs));
  });
  server.once('close', () => stalls.stop());
}

function hasBody(req: IncomingMessage): boolean {
  const len = req.headers['content-length'];
  return len !== undefined ? len !== '0' : req.headers['transfer-encoding'] !== undefined;
}

/** One transfer the watch checks: how far it got, whether it waits on the client, how to cut it. */
interface Transfer {
  /** Bytes moved so far (a counter that grows while the transfer makes progress). */
  moved(): number;
  /** True while the transfer waits on the client (nothing buffered on our side to work on). */
  waitsOnClient(): boolean;
  done(): boolean;
  cut(): void;
}

interface Watched {
  t: Transfer;
  moved: number;
  progressAt: number;
}

/**
 * A request body: progress is the connection reading bytes, or bytes waiting unread in the request
 * stream (the handler is slow, not the client). Cutting destroys the request with
 * ALX_ERR_REQUEST_TIMEOUT, which closes the connection and fails whatever consumes the body (a
 * UFS write then removes its temp file).
 */
function requestBody(req: IncomingMessage, timeoutMs: number): Transfer {
  return {
    moved: () => req.socket?.bytesRead ?? 0,
    waitsOnClient: () => req.readableLength === 0,
    done: () => req.complete || req.destroyed,
    cut: () => req.destroy(new AlluxioError('ALX_ERR_REQUEST_TIMEOUT', `the request body sent no byte for ${timeoutMs} ms`)),
  };
}

/**
 * The answers sent on a connection: progress is bytes the kernel accepted (written minus still
 * buffered). It waits on the client only while bytes sit buffered for the socket; a handler still
 * producing (a UFS read in flight) or an idle connection is not stalled. Cutting destroys the
 * socket, which ends the handler's stream and frees what it holds.
 */
function responseBytes(socket: Socket): Transfer {
  return {
    moved: () => socket.bytesWritten - socket.writableLength,
    waitsOnClient: () => socket.writableLength > 0,
    done: () => socket.destroyed,
    cut: () => socket.destroy(),
  };
}

/**
 * Cuts transfers that stall on the client: one coarse shared timer checks every watched request
 * body and response body; one that waits on its client and moves no byte for `timeoutMs` is cut.
 */
class BodyStallWatch {
  private readonly watched = new Set<Watched>();
  private timer: NodeJS.Timeout | null = null;
  private readonly tickMs: number;

  constructor(private readonly timeoutMs: number) {
    this.tickMs = Math.max(50, Math.min(1000, Math.floor(timeoutMs / 4)));
  }

  watch(t: Transfer): void {
    this.watched.add({ t, moved: t.moved(), progressAt: Date.now() });
    if (this.timer === null) {
      this.timer = setInterval(() => this.tick(), this.tickMs);
      this.timer.unref();
    }
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.watched.clear();
  }

  private tick(): void {
    const now = Date.now();
    for (const w of this.watched) {
      const { t } = w;
      if (t.done()) {
        this.watched.delete(w);
        continue;
      }
      const moved = t.moved();
      if (moved !== w.moved || !t.waitsOnClient()) {
        w.moved = moved;
        w.progressAt = now;
      } else if (now - w.progressAt >= this.timeoutMs) {
        this.watched.delete(w);
        t.cut();
      }
    }
    if (this.watched.size === 0 && this.timer !== null) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }
}

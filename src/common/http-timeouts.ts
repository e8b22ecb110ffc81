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
   * A request body that delivers no byte for this long, while the server waits for one, is cut.
   * Not a bound on the whole request: a slow upload that keeps moving is never cut.
   */
  bodyMs: number;
  /** A connection with no request in progress (fresh or kept alive) is closed after this. */
  idleMs: number;
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
  server.on(server instanceof TlsServer ? 'secureConnection' : 'connection', (socket: Socket) => socket.setTimeout(t.idleMs));
  const stalls = new BodyStallWatch(t.bodyMs);
  server.on('request', (req: IncomingMessage) => {
    req.socket.setTimeout(0);
    if (!req.complete && hasBody(req)) stalls.watch(req);
  });
  server.once('close', () => stalls.stop());
}

function hasBody(req: IncomingMessage): boolean {
  const len = req.headers['content-length'];
  return len !== undefined ? len !== '0' : req.headers['transfer-encoding'] !== undefined;
}

interface Watched {
  req: IncomingMessage;
  bytesRead: number;
  progressAt: number;
}

/**
 * Cuts request bodies that stall: one coarse shared timer checks every watched request. A body
 * makes progress when its connection reads bytes, or when bytes wait unread in the request stream
 * (the handler is slow, not the client); otherwise, once the handler has consumed everything and
 * nothing more arrives for `timeoutMs`, the request is destroyed with ALX_ERR_REQUEST_TIMEOUT,
 * which closes the connection and fails whatever consumes the body (a UFS write then removes its
 * temp file).
 */
class BodyStallWatch {
  private readonly watched = new Set<Watched>();
  private timer: NodeJS.Timeout | null = null;
  private readonly tickMs: number;

  constructor(private readonly timeoutMs: number) {
    this.tickMs = Math.max(50, Math.min(1000, Math.floor(timeoutMs / 4)));
  }

  watch(req: IncomingMessage): void {
    this.watched.add({ req, bytesRead: req.socket.bytesRead, progressAt: Date.now() });
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
      const { req } = w;
      if (req.complete || req.destroyed) {
        this.watched.delete(w);
        continue;
      }
      const read = req.socket?.bytesRead ?? w.bytesRead;
      if (read !== w.bytesRead || req.readableLength > 0) {
        w.bytesRead = read;
        w.progressAt = now;
      } else if (now - w.progressAt >= this.timeoutMs) {
        this.watched.delete(w);
        req.destroy(new AlluxioError('ALX_ERR_REQUEST_TIMEOUT', `the request body sent no byte for ${this.timeoutMs} ms`));
      }
    }
    if (this.watched.size === 0 && this.timer !== null) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }
}

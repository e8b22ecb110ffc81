import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { AlluxioError } from './errors.js';
import { sendError } from './http.js';

/** Answers a request that arrived on an open connection after the drain began. */
export type Refuser = (req: IncomingMessage, res: ServerResponse, err: AlluxioError) => void;

/** Seconds a refused client is told to wait before retrying (a client of a worker fails over at once). */
const RETRY_AFTER_S = 1;

/**
 * Graceful shutdown of a process's HTTP servers (SIGTERM): stop accepting connections, answer any
 * new request on an open keep-alive connection with 503 + `Connection: close` + `Retry-After`, let
 * the requests already in flight (a long read, say) finish for up to a grace period, then cut
 * whatever is left.
 *
 * `track` wraps a server's request listeners once at startup, so the request path pays one
 * boolean check and the handlers themselves know nothing about shutdown.
 */
export class ShutdownDrain {
  /** `refusal` makes the error a refused request is answered with (e.g. ALX_ERR_WORKER_UNAVAILABLE). */
  constructor(private readonly refusal: () => AlluxioError) {}

  private draining = false;
  private readonly servers: Server[] = [];
  private readonly inFlight = new Set<ServerResponse>();
  /** Responses not yet closed per connection, so a connection is ended once it has nothing left to answer. */
  private readonly perSocket = new Map<Socket, number>();
  private onIdle: (() => void) | undefined;

  /** Takes over `server`'s request listeners; call before it serves its first request. */
  track(server: Server, refuse: Refuser = refuseJson): void {
    const handlers = server.listeners('request') as RequestListener[];
    server.removeAllListeners('request');
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      this.opened(req.socket, res);
      if (this.draining) {
        res.shouldKeepAlive = false; // node adds `Connection: close` and ends the socket after the answer
        res.setHeader('retry-after', String(RETRY_AFTER_S));
        refuse(req, res, this.refusal());
        return;
      }
      this.inFlight.add(res);
      for (const h of handlers) h.call(server, req, res);
    });
    this.servers.push(server);
  }

  get isDraining(): boolean {
    return this.draining;
  }

  /** Requests being served right now. */
  get active(): number {
    return this.inFlight.size;
  }

  /**
   * Stops accepting, waits for the requests in flight for up to `graceMs`, then closes every
   * connection. Resolves true when all of them finished in time, false when some were cut.
   */
  async drain(graceMs: number): Promise<boolean> {
    this.draining = true;
    for (const s of this.servers) {
      s.close(); // no new connections (the listening socket goes away)
      s.closeIdleConnections();
    }
    // A response that has not started yet closes its connection when done.
    for (const res of this.inFlight) if (!res.headersSent) res.shouldKeepAlive = false;
    let timer: NodeJS.Timeout | undefined;
    const allDone = this.inFlight.size === 0 || await new Promise<boolean>((resolve) => {
      this.onIdle = () => resolve(true);
      timer = setTimeout(() => resolve(false), graceMs);
    });
    clearTimeout(timer);
    this.onIdle = undefined;
    for (const s of this.servers) s.closeAllConnections();
    return allDone;
  }

  private opened(sock: Socket, res: ServerResponse): void {
    this.perSocket.set(sock, (this.perSocket.get(sock) ?? 0) + 1);
    res.once('close', () => {
      const left = this.perSocket.get(sock)! - 1;
      if (left > 0) this.perSocket.set(sock, left);
      else this.perSocket.delete(sock);
      this.inFlight.delete(res);
      if (!this.draining) return;
      // Nothing more to answer on this connection: end it (after its last bytes) rather than keep it alive.
      if (left === 0) sock.end();
      if (this.inFlight.size === 0) this.onIdle?.();
    });
  }
}

function refuseJson(_req: IncomingMessage, res: ServerResponse, err: AlluxioError): void {
  sendError(res, err);
}

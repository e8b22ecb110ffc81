// The servers' entry to the console: answers console requests, loading console-server.ts (and
// with it the sampler) on the first one only, so a process nobody browses pays nothing.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AlluxioError } from '../common/errors.js';
import { sendError } from '../common/http.js';
import type { ConsoleServer, ConsoleSetup } from './console-server.js';

export class ConsoleGate {
  private server: Promise<ConsoleServer> | undefined;
  private closed = false;

  constructor(private readonly setup: ConsoleSetup) {}

  handle(req: IncomingMessage, res: ServerResponse, url: URL): void {
    this.server ??= import('./console-server.js').then((m) => new m.ConsoleServer(this.setup));
    this.server.then((s) => {
      if (this.closed) return sendError(res, new AlluxioError('ALX_ERR_WORKER_UNAVAILABLE', 'the process is shutting down'));
      s.handle(req, res, url);
    }, (err) => sendError(res, err));
  }

  close(): void {
    this.closed = true;
    void this.server?.then((s) => s.close(), () => {});
  }
}

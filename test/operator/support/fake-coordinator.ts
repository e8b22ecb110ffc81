import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RequestGuard } from '../../../src/common/http.js';

// An in-process HTTP server speaking the coordinator's mount API, with a knob to refuse mounts
// the way a real coordinator does when the UFS rejects the credentials.

export interface FakeMount { path: string; ufs: string; options: Record<string, string> }

export class FakeCoordinator {
  readonly mounts = new Map<string, FakeMount>();
  readonly requests: { method: string; url: string; body?: unknown }[] = [];
  /** Returns an error for a mount request, or undefined to accept it. */
  validate: (m: FakeMount) => { status: number; code: string; message: string } | undefined = () => undefined;
  /** The real coordinator's credentials check (worker/rest-auth.ts coordinatorRestGuard), when set. */
  guard: RequestGuard | null = null;
  private server?: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      let data = '';
      req.on('data', (c) => { data += c; });
      req.on('end', () => {
        const u = new URL(req.url ?? '/', 'http://x');
        const body = data ? JSON.parse(data) : undefined;
        this.requests.push({ method: req.method ?? '', url: req.url ?? '', body });
        const send = (status: number, b: unknown) => { res.writeHead(status, { 'content-type': 'application/json' }); res.end(JSON.stringify(b)); };
        const refused = this.guard?.(req, u);
        if (refused) return send(refused.spec.http, { code: refused.code, message: refused.message });
        if (u.pathname !== '/api/v1/mount') return send(404, { code: 'ALX_ERR_NOT_FOUND', message: 'no route' });
        if (req.method === 'GET') {
          return send(200, [...this.mounts.values()].map((m) => ({ path: m.path, ufs: m.ufs,
            options: Object.fromEntries(Object.entries(m.options).map(([k, v]) => [k, /secret/i.test(k) ? '***' : v])) })));
        }
        if (req.method === 'POST') {
          const m = body as FakeMount;
          const err = this.validate(m);
          if (err) return send(err.status, { code: err.code, message: err.message });
          if (this.mounts.has(m.path)) return send(409, { code: 'ALX_ERR_ALREADY_EXISTS', message: `mount point ${m.path} exists` });
          this.mounts.set(m.path, { path: m.path, ufs: m.ufs, options: m.options ?? {} });
          return send(200, { path: m.path });
        }
        if (req.method === 'DELETE') {
          const p = u.searchParams.get('path') ?? '';
          if (!this.mounts.delete(p)) return send(404, { code: 'ALX_ERR_NO_MOUNT', message: `no mount at ${p}` });
          return send(200, {});
        }
        send(405, { code: 'ALX_ERR_INVALID_ARGUMENT', message: 'method' });
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((r) => this.server?.close(() => r()) ?? r());
  }
}

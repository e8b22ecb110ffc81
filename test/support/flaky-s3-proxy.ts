// A test-side HTTP proxy in front of an S3 server that fails object reads: every `everyNth` GET of
// an object answers 500 InternalError (deterministic, so a run is reproducible), and GETs of keys
// matching `alwaysFail` always do. Listings (?list-type), HEADs and writes pass through untouched;
// with `continuedListDelayMs`, a listing that continues another (start-after or continuation-token) is held that
// long first (a slow listing after the first page).
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FlakyS3Proxy {
  readonly endpoint: string;
  /** Object GETs seen and failed so far. */
  readonly gets: number;
  readonly failed: number;
  close(): Promise<void>;
}

export async function startFlakyS3Proxy(target: string, o: { everyNth: number; alwaysFail?: RegExp; continuedListDelayMs?: number }): Promise<FlakyS3Proxy> {
  const t = new URL(target);
  let gets = 0;
  let failed = 0;
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://proxy');
    const objectGet = req.method === 'GET' && !url.searchParams.has('list-type') && !url.searchParams.has('location') && url.pathname.split('/').filter(Boolean).length >= 2;
    if (objectGet) {
      gets++;
      if ((o.alwaysFail && o.alwaysFail.test(decodeURIComponent(url.pathname))) || gets % o.everyNth === 0) {
        failed++;
        req.resume();
        res.writeHead(500, { 'content-type': 'application/xml' });
        res.end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>InternalError</Code><Message>injected by the test proxy</Message></Error>');
        return;
      }
    }
    if (o.continuedListDelayMs !== undefined && url.searchParams.has('list-type') && (url.searchParams.has('start-after') || url.searchParams.has('continuation-token'))) {
      const held = setTimeout(() => forward(req, res), o.continuedListDelayMs);
      res.once('close', () => clearTimeout(held));
      return;
    }
    forward(req, res);
  });
  const forward = (req: IncomingMessage, res: ServerResponse): void => {
    const up = request({ host: t.hostname, port: t.port, method: req.method, path: req.url, headers: req.headers }, (upRes) => {
      res.writeHead(upRes.statusCode ?? 502, upRes.headers);
      upRes.pipe(res);
    });
    up.on('error', () => { res.destroy(); });
    req.pipe(up);
  };
  server.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const port = (server.address() as AddressInfo).port;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    get gets() { return gets; },
    get failed() { return failed; },
    close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r(undefined)); }),
  };
}

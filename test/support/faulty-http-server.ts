import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type FaultMode = 'slowdown' | 'hang' | 'stall-body';

export interface FaultyHttpServer {
  /** http://127.0.0.1:PORT */
  readonly endpoint: string;
  /** Requests received so far. */
  readonly requests: number;
  /** Request lines received so far (`GET /bucket/key?...`), oldest first. */
  readonly log: readonly string[];
  stop(): Promise<void>;
}

const SLOW_DOWN_XML = '<?xml version="1.0" encoding="UTF-8"?>\n' +
  '<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message>' +
  '<RequestId>FAULTY0001</RequestId><HostId>faulty</HostId></Error>';

/**
 * A real HTTP server on 127.0.0.1 that fails every S3 request, counting them:
 * `slowdown` answers 503 with S3's SlowDown XML (HEAD gets the status only); `hang` reads
 * the request and never answers; `stall-body` answers 200 with headers for a 1000-byte body
 * (Content-Range too), sends 10 bytes and then nothing. stop() closes every connection,
 * hanging ones included.
 */
export async function startFaultyHttpServer(mode: FaultMode): Promise<FaultyHttpServer> {
  const log: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res: ServerResponse) => {
    log.push(`${req.method} ${req.url}`);
    req.resume(); // drain any body
    if (mode === 'hang') return;
    if (mode === 'stall-body') {
      res.writeHead(req.headers.range ? 206 : 200, {
        'Content-Type': 'application/octet-stream', 'Content-Length': '1000', 'Content-Range': 'bytes 0-999/1000', ETag: '"stall"',
      });
      res.write(Buffer.alloc(10, 1));
      return;
    }
    res.writeHead(503, { 'Content-Type': 'application/xml', 'x-amz-request-id': 'FAULTY0001' });
    res.end(req.method === 'HEAD' ? undefined : SLOW_DOWN_XML);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    get requests() { return log.length; },
    log,
    stop: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}

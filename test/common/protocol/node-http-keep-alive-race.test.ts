// The keep-alive race of the CLI's transport (node:http): a real server that destroys a kept-alive
// connection when a second request arrives on it, as a server whose keepAliveTimeout just passed
// does. A GET (or HEAD) is sent once more on a new connection and succeeds; a POST is not sent
// again (the server counts it once) and fails with an error that says why.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import {
  NodeHttpTransport, StaleConnectionError, WORKER_REST, WorkerRestClient, WorkerUnavailableError, nodeHttpTransport, type WorkerRestAddress,
} from '../../../src/common/protocol/index.js';

describe('node:http transport: a reused connection the server closes', () => {
  let server: Server;
  let port = 0;
  const sockets = new Set<Socket>();
  const perSocket = new WeakMap<Socket, number>();
  /** Requests that reached the server, by method, and how many connections it destroyed. */
  const arrived = new Map<string, number>();
  let destroyed = 0;

  before(async () => {
    server = createServer((req: IncomingMessage, res: ServerResponse) => {
      arrived.set(req.method!, (arrived.get(req.method!) ?? 0) + 1);
      const n = (perSocket.get(req.socket) ?? 0) + 1;
      perSocket.set(req.socket, n);
      // The second request on a kept-alive connection (or any with ?drop): closed under it, unanswered.
      if (n === 2 || req.url!.endsWith('?drop')) {
        destroyed++;
        req.socket.destroy();
        return;
      }
      req.resume();
      const body = JSON.stringify({ method: req.method });
      // A content-length even on a HEAD answer: without one node's client does not keep the connection.
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) }).end(body));
    });
    server.keepAliveTimeout = 0; // only the handler above closes a connection
    server.on('connection', (s: Socket) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  after(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  const worker = (): WorkerRestAddress => ({ address: { Host: '127.0.0.1', HttpServerPort: port } });
  const client = () => new WorkerRestClient({ timeouts: { connectMs: 15_000, headersMs: 30_000, bodyMs: 30_000 }, transport: nodeHttpTransport });
  const reset = () => { arrived.clear(); destroyed = 0; };
  /** Node hands a connection back to its pool a tick after the answer ends: the next call then reuses it. */
  const pooled = () => new Promise(setImmediate);

  test('a GET on the closed connection is sent again on a new one and succeeds', async () => {
    reset();
    const http = client();
    try {
      assert.equal((await http.json<{ method: string }>(worker(), 'GET', WORKER_REST.health)).method, 'GET');
      await pooled();
      assert.equal((await http.json<{ method: string }>(worker(), 'GET', WORKER_REST.health)).method, 'GET');
      assert.equal(destroyed, 1, 'the second GET went out on the kept-alive connection, which the server closed');
      assert.equal(arrived.get('GET'), 3, 'first GET, the one lost with the connection, its one retry');
    } finally {
      await http.close();
    }
  });

  test('a HEAD is sent again too (straight through the transport)', async () => {
    reset();
    const transport = new NodeHttpTransport();
    try {
      const url = `http://127.0.0.1:${port}${WORKER_REST.health}`;
      await (await transport.request(url, { method: 'HEAD' })).body.dump();
      await pooled();
      const res = await transport.request(url, { method: 'HEAD' });
      await res.body.dump();
      assert.equal(res.statusCode, 200);
      assert.equal(destroyed, 1);
      assert.equal(arrived.get('HEAD'), 3);
    } finally {
      await transport.close();
    }
  });

  test('a POST on the closed connection is not sent again: it fails and says why', async () => {
    reset();
    const http = client();
    try {
      await http.json(worker(), 'GET', WORKER_REST.health);
      await pooled();
      await assert.rejects(http.json(worker(), 'POST', WORKER_REST.health, { body: Buffer.from('{}') }), (e: Error) => {
        assert.ok(e instanceof WorkerUnavailableError, `a WorkerUnavailableError, got ${e.name}`);
        assert.ok(e.cause instanceof StaleConnectionError, 'caused by a StaleConnectionError');
        assert.equal((e.cause as StaleConnectionError).code, 'ECONNRESET');
        assert.match(e.message, /closed a reused keep-alive connection before answering POST; not sent again/);
        return true;
      });
      assert.equal(destroyed, 1);
      assert.equal(arrived.get('POST'), 1, 'the POST reached the server once');
    } finally {
      await http.close();
    }
  });

  test('a GET that fails on a new connection is not sent again (only a reused one may have been closed idle)', async () => {
    reset();
    const transport = new NodeHttpTransport();
    try {
      await assert.rejects(transport.request(`http://127.0.0.1:${port}${WORKER_REST.health}?drop`, { method: 'GET' }), (e: NodeJS.ErrnoException) => e.code === 'ECONNRESET');
      assert.equal(arrived.get('GET'), 1);
    } finally {
      await transport.close();
    }
  });
});

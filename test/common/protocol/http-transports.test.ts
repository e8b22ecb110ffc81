// WorkerRestClient over both of its transports (undici for long-lived processes, node:http for the
// CLI) against real HTTP servers on 127.0.0.1, ::1 and a Unix domain socket: the same answers,
// bearer token, error mapping, timeouts (headers, body gaps; neither while this side holds things
// up), AbortSignal, and the fallback from a stale domain socket to TCP. A node:http client's idle
// keep-alive connection must not keep a process alive.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { AlluxioError } from '../../../src/common/errors.js';
import {
  nodeHttpTransport, undiciTransport, WORKER_REST, WorkerRestClient, WorkerUnavailableError,
  type HttpTransportFactory, type WorkerRestAddress,
} from '../../../src/common/protocol/index.js';
import { freePort, waitFor } from '../../support/etcd.js';
import { makeTempDir, type TempDir } from '../../support/tmp.js';

const BIG = Buffer.alloc(4 * 1024 * 1024, 7);

interface Seen { mode: string; via: string; authorization?: string }

/**
 * The answers, by the `mode` query parameter: echo (what arrived), error500, notfound (an
 * Alluxio error body), hang (never answers), stall (headers and 10 of 1000 bytes, then nothing),
 * big (4 MiB at once).
 */
function handler(seen: Seen[]) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const mode = new URL(req.url!, 'http://x').searchParams.get('mode') ?? '';
    seen.push({ mode, via: req.socket.remoteFamily ?? 'unix', ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}) });
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const json = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (mode === 'echo') json(200, { method: req.method, body: Buffer.concat(chunks).toString(), contentLength: req.headers['content-length'] ?? null, authorization: req.headers.authorization ?? null });
      else if (mode === 'error500') json(500, { code: 'ALX_ERR_INTERNAL', message: 'boom' });
      else if (mode === 'notfound') json(404, { code: 'ALX_ERR_NOT_FOUND', message: 'no such file /x' });
      else if (mode === 'stall') res.writeHead(200, { 'content-length': '1000' }).write(Buffer.alloc(10));
      else if (mode === 'big') res.writeHead(200, { 'content-length': String(BIG.length) }).end(BIG);
      // hang: no answer
    });
  };
}

interface TestServer { server: Server; sockets: Set<Socket> }

async function listen(seen: Seen[], at: { port: number; host: string } | { path: string }): Promise<TestServer> {
  const server = createServer(handler(seen));
  server.keepAliveTimeout = 0; // idle keep-alive connections stay open: only the client may end them
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    if ('path' in at) server.listen(at.path, resolve);
    else server.listen(at.port, at.host, resolve);
  });
  return { server, sockets };
}

function stop(s: TestServer | undefined): Promise<void> {
  if (!s) return Promise.resolve();
  for (const c of s.sockets) c.destroy();
  return new Promise((resolve) => s.server.close(() => resolve()));
}

/** A socket file nobody listens on: left by a process killed while it listened. */
async function staleSocket(path: string): Promise<void> {
  const child = spawn(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(path)}, () => process.kill(process.pid, 'SIGKILL'))`], { stdio: 'ignore' });
  await new Promise((resolve) => child.once('exit', resolve));
  assert.ok(existsSync(path), 'the killed listener left its socket file');
}

async function drain(s: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of s) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

const TRANSPORTS: Array<[string, HttpTransportFactory]> = [['undici', undiciTransport], ['node:http', nodeHttpTransport]];

describe('WorkerRestClient transports', () => {
  let tmp: TempDir;
  const seen: Seen[] = [];
  let tcp: TestServer | undefined;
  let tcp6: TestServer | undefined;
  let unix: TestServer | undefined;
  let port = 0;
  let port6 = 0;
  let socketPath = '';

  before(async () => {
    tmp = await makeTempDir('alluxio-transports-');
    tcp = await listen(seen, { port: await freePort(), host: '127.0.0.1' });
    port = (tcp.server.address() as AddressInfo).port;
    try {
      tcp6 = await listen(seen, { port: await freePort(), host: '::1' });
      port6 = (tcp6.server.address() as AddressInfo).port;
    } catch { /* no IPv6 loopback here */ }
    socketPath = join(tmp.path, 'w.sock');
    unix = await listen(seen, { path: socketPath });
  });

  after(async () => {
    await Promise.all([stop(tcp), stop(tcp6), stop(unix)]);
    await tmp?.cleanup();
  });

  const at = (p = port, host = '127.0.0.1', socket?: string): WorkerRestAddress => ({ address: { Host: host, HttpServerPort: p, ...(socket ? { DomainSocketPath: socket } : {}) } });
  const last = () => seen[seen.length - 1]!;

  for (const [name, transport] of TRANSPORTS) {
    describe(name, () => {
      const client = (o: { headersMs?: number; bodyMs?: number; authorization?: string; shortCircuit?: boolean } = {}) => new WorkerRestClient({
        timeouts: { connectMs: 15_000, headersMs: o.headersMs ?? 30_000, bodyMs: o.bodyMs ?? 30_000 }, transport,
        ...(o.authorization ? { authorization: o.authorization } : {}), ...(o.shortCircuit ? { shortCircuit: true } : {}),
      });

      test('sends the bearer token, a Buffer body and a stream body; reads JSON', async () => {
        const http = client({ authorization: 'Bearer t0k' });
        try {
          const a = await http.json<Record<string, unknown>>(at(), 'PUT', WORKER_REST.health, { query: { mode: 'echo' }, body: Buffer.from('abc') });
          assert.deepEqual(a, { method: 'PUT', body: 'abc', contentLength: '3', authorization: 'Bearer t0k' });
          const b = await http.json<Record<string, unknown>>(at(), 'PUT', WORKER_REST.health, { query: { mode: 'echo' }, body: Readable.from([Buffer.from('xy'), Buffer.from('z')]), headers: { 'content-length': '3' } });
          assert.deepEqual(b, { method: 'PUT', body: 'xyz', contentLength: '3', authorization: 'Bearer t0k' });
          const c = await http.json<Record<string, unknown>>(at(), 'DELETE', WORKER_REST.health, { query: { mode: 'echo' } });
          assert.equal(c.method, 'DELETE');
          const res = await http.send(at(), 'GET', WORKER_REST.health, { query: { mode: 'big' } });
          assert.equal(res.statusCode, 200);
          assert.equal(res.headers['content-length'], String(BIG.length));
          await res.body.dump();
          assert.equal((await http.json<{ method: string }>(at(), 'GET', WORKER_REST.health, { query: { mode: 'echo' } })).method, 'GET', 'the connection serves a call after dump()');
        } finally {
          await http.close();
        }
      });

      test('reaches a server on ::1 (the URL brackets the host)', async (t) => {
        if (!tcp6) return t.skip('no IPv6 loopback');
        const http = client();
        try {
          assert.equal((await http.json<{ method: string }>(at(port6, '::1'), 'GET', WORKER_REST.health, { query: { mode: 'echo' } })).method, 'GET');
          assert.equal(last().via, 'IPv6');
        } finally {
          await http.close();
        }
      });

      test('a 5xx is WorkerUnavailableError, another error answer the AlluxioError it names, no server a WorkerUnavailableError', async () => {
        const http = client();
        try {
          await assert.rejects(http.json(at(), 'GET', WORKER_REST.health, { query: { mode: 'error500' } }), (e: Error) => e instanceof WorkerUnavailableError && /boom/.test(e.message));
          await assert.rejects(http.json(at(), 'GET', WORKER_REST.health, { query: { mode: 'notfound' } }),
            (e: Error) => e instanceof AlluxioError && !(e instanceof WorkerUnavailableError) && e.code === 'ALX_ERR_NOT_FOUND' && e.message === 'no such file /x');
          await assert.rejects(http.json(at(await freePort()), 'GET', WORKER_REST.health), (e: Error) => e instanceof WorkerUnavailableError && (e.cause as { code?: string }).code === 'ECONNREFUSED');
        } finally {
          await http.close();
        }
      });

      test('no answer within headersMs fails the call; an AbortSignal fails it too', async () => {
        const http = client({ headersMs: 300 });
        try {
          await assert.rejects(http.json(at(), 'GET', WORKER_REST.health, { query: { mode: 'hang' } }), WorkerUnavailableError);
        } finally {
          await http.close();
        }
        const patient = client();
        try {
          await assert.rejects(patient.send(at(), 'GET', WORKER_REST.health, { query: { mode: 'hang' }, signal: AbortSignal.timeout(300) }));
        } finally {
          await patient.close();
        }
      });

      test('a body that stops for bodyMs errors the stream', async () => {
        const http = client({ bodyMs: 300 });
        try {
          const { body } = await http.stream(at(), WORKER_REST.health, { query: { mode: 'stall' } });
          await assert.rejects(drain(body));
        } finally {
          await http.close();
        }
      });

      test('neither timeout runs while this side holds things up: a slow request body, an answer read late', async () => {
        const http = client({ headersMs: 300, bodyMs: 300 });
        try {
          async function* trickle() {
            for (let i = 0; i < 5; i++) { await sleep(200); yield Buffer.from(String(i)); }
          }
          const a = await http.json<{ body: string }>(at(), 'PUT', WORKER_REST.health, { query: { mode: 'echo' }, body: Readable.from(trickle()) });
          assert.equal(a.body, '01234');
          const { body, length } = await http.stream(at(), WORKER_REST.health, { query: { mode: 'big' } });
          assert.equal(length, BIG.length);
          await sleep(1500); // the caller is busy: far past bodyMs, with bytes waiting for it
          assert.ok((await drain(body)).equals(BIG));
        } finally {
          await http.close();
        }
      });

      test('short-circuit: a live domain socket is used; a stale one (ECONNREFUSED) falls back to TCP', async () => {
        const http = client({ shortCircuit: true });
        try {
          await http.json(at(port, '127.0.0.1', socketPath), 'GET', WORKER_REST.health, { query: { mode: 'echo' } });
          assert.equal(last().via, 'unix');
        } finally {
          await http.close();
        }
        const stale = join(tmp.path, `stale-${name.replace(/\W/g, '')}.sock`);
        await staleSocket(stale);
        const fresh = client({ shortCircuit: true });
        try {
          const n = seen.length;
          await fresh.json(at(port, '127.0.0.1', stale), 'GET', WORKER_REST.health, { query: { mode: 'echo' } });
          assert.deepEqual(seen.slice(n).map((s) => s.via), ['IPv4']);
        } finally {
          await fresh.close();
        }
      });
    });
  }

  test('node:http: an idle keep-alive connection does not keep the process alive', { timeout: 120_000 }, async () => {
    const module = pathToFileURL(fileURLToPath(new URL('../../../src/common/protocol/index.ts', import.meta.url))).href;
    const code = `const { WorkerRestClient, WORKER_REST, nodeHttpTransport } = await import(${JSON.stringify(module)});
      const http = new WorkerRestClient({ timeouts: { headersMs: 30000, bodyMs: 30000 }, transport: nodeHttpTransport });
      const a = await http.json({ address: { Host: '127.0.0.1', HttpServerPort: ${port} } }, 'GET', WORKER_REST.health, { query: { mode: 'echo' } });
      process.stdout.write(a.method);`; // no close(): the pooled connection stays open
    const open = tcp!.sockets.size;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    // The server never closes idle connections (keepAliveTimeout 0): only an exit ends this wait.
    const exit = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    assert.equal(exit, 0);
    assert.equal(out, 'GET');
    await waitFor('the connection closed with the process', () => tcp!.sockets.size <= open, 15_000);
  });
});

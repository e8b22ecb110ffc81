// Stalled and idle clients cannot hold a worker's connections, fds or temp files: a body that
// stops sending is cut after the body timeout (its UFS temp file removed at once), a connection
// that never sends (or sends its headers too slowly) is closed, on the S3 port and the REST port.
// A slow upload that keeps moving is not cut.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startS3TestCluster, type S3TestCluster } from '../support/s3-clients.js';

const BODY_TIMEOUT = '2s';
const WAIT_MS = 30_000;

function openFds(): number {
  return readdirSync('/proc/self/fd').length;
}

/** Every `.alluxio-tmp-*` file below dir. */
function tempFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.name.startsWith('.alluxio-tmp-')) out.push(join(e.parentPath ?? e.path, e.name));
  }
  return out;
}

async function until(what: string, cond: () => boolean, ms = WAIT_MS): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) assert.fail(`timed out waiting for: ${what}`);
    await sleep(50);
  }
}

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => resolve(s));
    s.on('error', () => {}); // a reset by the server is what some tests wait for
    s.once('error', reject);
    s.resume(); // read what the server sends, so its FIN is seen
  });
}

function closed(s: Socket): Promise<void> {
  return s.closed ? Promise.resolve() : new Promise((r) => s.once('close', () => r()));
}

async function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, rej) => { t = setTimeout(() => rej(new Error(`timed out: ${what}`)), ms); })]);
  } finally {
    clearTimeout(t);
  }
}

describe('stalled and idle clients', { timeout: 240_000 }, () => {
  let c: S3TestCluster;
  let s3Port: number;
  let restPort: number;

  before(async () => {
    c = await startS3TestCluster({
      workers: 1,
      properties: {
        'alluxio.worker.s3.request.body.timeout': BODY_TIMEOUT,
        'alluxio.worker.s3.request.header.timeout': '2s',
        'alluxio.worker.s3.idle.timeout': '2s',
        'alluxio.worker.http.server.request.body.timeout': BODY_TIMEOUT,
        'alluxio.worker.http.server.request.header.timeout': '2s',
        'alluxio.worker.http.server.idle.timeout': '2s',
      },
    });
    s3Port = c.s3[0]!.httpPort;
    restPort = c.cluster.ports[0]!.http;
  });
  after(async () => {
    await c?.stop();
  });

  const targets = () => [
    ['S3', s3Port, '/bucket/stalled'],
    ['REST', restPort, '/v1/file?path=/bucket/stalled-rest'],
  ] as const;

  test('a 2 GiB Content-Length with a 10-byte body is cut: connection closed, no temp file, fds back', async () => {
    for (const [api, port, path] of targets()) {
      const baseline = openFds();
      const s = await open(port);
      s.write(`PUT ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2147483648\r\n\r\n0123456789`);
      await until(`${api}: the temp file appears`, () => tempFiles(c.ufsDir).length > 0);
      await within(closed(s), WAIT_MS, `${api}: the server closes the stalled connection`);
      await until(`${api}: no .alluxio-tmp-* left`, () => tempFiles(c.ufsDir).length === 0);
      await until(`${api}: open fds back to ${baseline} (now ${openFds()})`, () => openFds() <= baseline);
    }
  });

  test('a client that hangs up mid-body leaves no temp file', async () => {
    for (const [api, port, path] of targets()) {
      const s = await open(port);
      s.write(`PUT ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000000\r\n\r\n` + 'x'.repeat(1000));
      await until(`${api}: the temp file appears`, () => tempFiles(c.ufsDir).length > 0);
      s.destroy();
      await until(`${api}: no .alluxio-tmp-* left`, () => tempFiles(c.ufsDir).length === 0);
    }
  });

  test('idle connections and slow headers are closed', async () => {
    for (const [api, port] of targets()) {
      const baseline = openFds();
      const idle = await Promise.all([open(port), open(port), open(port)]);
      const slow = await open(port);
      slow.write('GET /v1/health HTTP/1.1\r\n');
      const drip = setInterval(() => { if (slow.writable) slow.write('X-Slow: y\r\n'); }, 200);
      try {
        await within(Promise.all([...idle, slow].map(closed)), WAIT_MS, `${api}: idle and slow-header sockets closed`);
      } finally {
        clearInterval(drip);
      }
      await until(`${api}: open fds back to ${baseline} (now ${openFds()})`, () => openFds() <= baseline);
    }
  });

  test('a slow upload that keeps sending is not cut', async () => {
    const body = 'slow-but-moving-'.repeat(2); // 32 bytes, one every 200 ms: 6.4 s, over 3 body timeouts
    for (const [api, port, path] of [['S3', s3Port, '/bucket/slow'], ['REST', restPort, '/v1/file?path=/bucket/slow-rest']] as const) {
      const s = await open(port);
      let answer = '';
      s.on('data', (d) => { answer += d.toString(); });
      s.write(`PUT ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: ${body.length}\r\n\r\n`);
      for (const ch of body) {
        assert.ok(!s.closed, `${api}: the server cut a moving upload`);
        s.write(ch);
        await sleep(200);
      }
      await until(`${api}: an answer`, () => /\r\n\r\n/.test(answer));
      assert.match(answer, /^HTTP\/1\.1 200 /, `${api}: ${answer.slice(0, 300)}`);
      s.destroy();
      assert.equal(readFileSync(join(c.ufsDir, 'bucket', path.endsWith('rest') ? 'slow-rest' : 'slow'), 'utf8'), body);
    }
  });
});

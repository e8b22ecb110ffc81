// Stalled and idle clients cannot hold a worker's connections, fds or temp files: a body that
// stops sending is cut after the body timeout (its UFS temp file removed at once), a connection
// that never sends (or sends its headers too slowly) is closed, on the S3 port and the REST port.
// A slow upload that keeps moving is not cut.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startS3TestCluster, type S3TestCluster } from '../support/s3-clients.js';

const BODY_TIMEOUT = '2s';
const WAIT_MS = 30_000;

/** Server-side connections on `port` in state ESTABLISHED (/proc/net/tcp: local port, state 01). */
function establishedOn(port: number): number {
  const hex = ':' + port.toString(16).toUpperCase().padStart(4, '0');
  let n = 0;
  for (const f of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try { text = readFileSync(f, 'utf8'); } catch { continue; }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length > 3 && cols[1]!.endsWith(hex) && cols[3] === '01') n++;
    }
  }
  return n;
}

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
    // One real large PUT first: it starts the process-wide MD5 hashing threads (s3/md5-threads.ts),
    // a fixed pool whose descriptors are not a per-request leak and must be in the baseline.
    const warm = await fetch(`http://127.0.0.1:${s3Port}/bucket/warm-up`, { method: 'PUT', body: Buffer.alloc(3 << 20, 1) });
    assert.equal(warm.status, 200, await warm.text());
    await fetch(`http://127.0.0.1:${s3Port}/bucket/warm-up`, { method: 'DELETE' });
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

  test('a reader that stops reading mid-body is cut; a slow reader that keeps reading is not', async () => {
    // 32 MiB: far more than loopback's socket buffers hold, so the server is left with bytes
    // waiting for a client that does not read.
    const big = Buffer.alloc(32 << 20, 7);
    writeFileSync(join(c.ufsDir, 'bucket', 'big.bin'), big);
    for (const [api, port, target] of [['S3', s3Port, '/bucket/big.bin'], ['REST', restPort, '/v1/read?path=/bucket/big.bin']] as const) {
      const before = establishedOn(port);
      const stopped = await open(port);
      stopped.pause();
      stopped.write(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
      await until(`${api}: the server accepted the reader`, () => establishedOn(port) > before);
      // The server's side is what must be freed: its end of the connection leaves ESTABLISHED
      // (a paused client would not notice; the page files the read cached stay open on purpose).
      await until(`${api}: the server drops a reader that stopped reading (${establishedOn(port)} server connections, ${before} before)`, () => establishedOn(port) <= before);
      stopped.destroy();

      const slow = await open(port);
      let got = 0;
      let throttled = true;
      // One socket read (at most 64 KiB) every 20 ms for 6 s (three body timeouts): slower than the
      // server, always moving (the kernel wakes a blocked writer in steps of about half its send
      // buffer, so a reader must take that much per body timeout to show progress); then the
      // rest at full speed. The proof that it was not cut: every byte arrives.
      slow.on('data', (d: Buffer) => {
        got += d.length;
        if (throttled) { slow.pause(); setTimeout(() => slow.resume(), 20); }
      });
      slow.write(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
      await sleep(6000);
      throttled = false;
      slow.resume();
      await until(`${api}: the slow reader gets the whole answer (${got} bytes so far)`, () => got >= big.length || slow.closed);
      assert.ok(got >= big.length, `${api}: the server cut a reader that kept reading (${got} of ${big.length} body bytes)`);
      slow.destroy();
    }
  });
});

// A PUT that ends without a digest gives its MD5 hashing job back: a conditional PUT refused
// before its body is read (412, the body still on the wire), a PUT refused with the whole body
// sent, and a client that hangs up mid-body. Each one's ThreadedMd5 job must be aborted, so the
// hashing thread goes idle and exits (hashThreadCount() drops to 0): a job left open keeps the
// thread ref'd, and with it the worker process (a CI run of conditional-writes hung 11 minutes).
// The workers run in this process, so hashThreadCount() is theirs.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { hashThreadCount } from '../../../src/worker/s3/md5-threads.js';
import { startS3TestCluster, type S3TestCluster } from '../../support/s3-clients.js';

const MiB = 1 << 20;
/** The hashing thread's idle timeout is 10 s (md5-threads.ts); generous on a loaded machine. */
const WAIT_MS = 60_000;

async function until(what: string, cond: () => boolean, ms = WAIT_MS): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) assert.fail(`timed out waiting for: ${what}`);
    await sleep(100);
  }
}

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => resolve(s));
    s.on('error', () => {}); // the server may reset a connection whose body it did not read
    s.once('error', reject);
  });
}

/** What the server answered on `s` (its status line), once it sends one. */
function statusOf(s: Socket): Promise<string> {
  return new Promise((resolve, reject) => {
    let got = '';
    s.on('data', (d: Buffer) => {
      got += d.toString('latin1');
      const eol = got.indexOf('\r\n');
      if (eol >= 0) resolve(got.slice(0, eol));
    });
    s.once('close', () => reject(new Error(`the connection closed without an answer (${JSON.stringify(got)})`)));
  });
}

/** Writes `n` bytes of body in 64 KiB chunks, honouring back-pressure, stopping at the first error. */
async function sendBody(s: Socket, n: number): Promise<void> {
  const chunk = Buffer.alloc(64 << 10, 0x61);
  for (let sent = 0; sent < n && s.writable; sent += chunk.length) {
    if (!s.write(chunk.subarray(0, Math.min(chunk.length, n - sent)))) {
      await new Promise<void>((r) => { s.once('drain', r); s.once('close', r); });
    }
  }
}

describe('PUTs that end without a digest release the hashing thread', { timeout: 300_000 }, () => {
  let c: S3TestCluster;
  let port: number;

  before(async () => {
    c = await startS3TestCluster({ workers: 1 });
    port = c.s3[0]!.httpPort;
    const r = await fetch(`http://127.0.0.1:${port}/bucket/exists`, { method: 'PUT', body: Buffer.alloc(3 * MiB, 1) });
    assert.equal(r.status, 200, await r.text());
  });
  after(async () => c?.stop());

  test('a conditional PUT refused while its body is still coming', async () => {
    const s = await open(port);
    const answer = statusOf(s);
    s.write(`PUT /bucket/exists HTTP/1.1\r\nHost: 127.0.0.1\r\nIf-None-Match: *\r\nContent-Length: ${64 * MiB}\r\n\r\n`);
    // Enough to start the hashing job (the body flows into the hash before the check refuses it).
    await sendBody(s, 4 * MiB);
    assert.match(await answer, / 412 /);
    await until(`hashing threads exit (now ${hashThreadCount()})`, () => hashThreadCount() === 0);
    s.destroy();
  });

  test('a conditional PUT refused after its whole body came', async () => {
    const s = await open(port);
    const answer = statusOf(s);
    s.write(`PUT /bucket/exists HTTP/1.1\r\nHost: 127.0.0.1\r\nIf-None-Match: *\r\nContent-Length: ${24 * MiB}\r\n\r\n`);
    await sendBody(s, 24 * MiB);
    assert.match(await answer, / 412 /);
    await until(`hashing threads exit (now ${hashThreadCount()})`, () => hashThreadCount() === 0);
    s.destroy();
  });

  test('a client that hangs up mid-body', async () => {
    const s = await open(port);
    s.write(`PUT /bucket/abandoned HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: ${64 * MiB}\r\n\r\n`);
    await sendBody(s, 8 * MiB);
    await until('the hashing thread started', () => hashThreadCount() > 0);
    s.destroy();
    await until(`hashing threads exit (now ${hashThreadCount()})`, () => hashThreadCount() === 0);
    const r = await fetch(`http://127.0.0.1:${port}/bucket/abandoned`, { method: 'HEAD' });
    assert.equal(r.status, 404, 'no partial object');
  });

  test('the next PUT still gets the MD5 of its body', async () => {
    const body = Buffer.alloc(5 * MiB, 7);
    const r = await fetch(`http://127.0.0.1:${port}/bucket/after`, { method: 'PUT', body });
    assert.equal(r.status, 200, await r.text());
    const { createHash } = await import('node:crypto');
    assert.equal(r.headers.get('etag'), `"${createHash('md5').update(body).digest('hex')}"`);
  });
});

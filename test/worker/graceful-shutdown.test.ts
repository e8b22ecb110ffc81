// SIGTERM of a real worker process (`alluxio process start worker`) in the middle of a slow read:
// the worker leaves membership, stops accepting connections, answers a request that comes after on
// an open connection with 503 + Connection: close + Retry-After, lets the read in flight finish with
// every byte, then exits 0. With a short grace period a reader that never reads on cannot keep it up.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdirSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { Etcd3 } from 'etcd3';
import { startEtcd, waitFor, type EtcdCluster } from '../support/etcd.js';
import { makeTempDir, type TempDir } from '../support/tmp.js';
import { WorkerProcess, writeEtcdConf, type EtcdClusterConf } from '../cluster/harness.js';

const SIZE = 48 << 20; // far more than loopback socket buffers hold, so the read stays in flight while unread

describe('worker graceful shutdown on SIGTERM', { timeout: 600_000 }, () => {
  let tmp: TempDir;
  let etcd: EtcdCluster;
  let cc: EtcdClusterConf;
  let raw: Etcd3;
  const data = randomBytes(SIZE);
  const workers: WorkerProcess[] = [];

  before(async () => {
    tmp = await makeTempDir('alluxio-shutdown-');
    etcd = await startEtcd();
    const ufs = join(tmp.path, 'ufs');
    mkdirSync(ufs);
    writeFileSync(join(ufs, 'big.bin'), data);
    cc = writeEtcdConf(tmp.path, etcd.endpoints, { 'alluxio.master.mount.table.root.ufs': ufs, 'alluxio.worker.page.store.page.size': '1MB', 'alluxio.worker.page.store.sizes': '256MB' });
    raw = new Etcd3({ hosts: etcd.endpoints });
  });

  after(async () => {
    await Promise.all(workers.map((w) => w.kill('SIGKILL')));
    raw?.close();
    await etcd?.cleanup();
    await tmp?.cleanup();
  });

  const liveKeys = async () => raw.getAll().prefix(`/ServiceDiscovery/${cc.clusterName}/`).keys();

  async function startWorker(i: number, grace: string): Promise<WorkerProcess> {
    const w = await WorkerProcess.start(cc, tmp.path, i, { 'alluxio.worker.network.shutdown.timeout': grace });
    workers.push(w);
    await waitFor(`worker ${i} registered`, async () => (await liveKeys()).length === 1, 30_000, 50);
    return w;
  }

  test('a read in flight completes with every byte; a request after SIGTERM gets 503; the worker leaves membership and exits 0', async () => {
    const w = await startWorker(0, '10min');
    const proc = w.proc!;
    const exited = once(proc, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    const sock = connect(w.ports.http, '127.0.0.1');
    await once(sock, 'connect');
    const received = collect(sock);
    sock.write(`GET /v1/read?path=/big.bin HTTP/1.1\r\nHost: w\r\n\r\n`);
    await waitFor('first bytes of the read', () => received.bytes > 0, 60_000, 10);
    sock.pause(); // the reader stalls: the worker's read stays in flight

    proc.kill('SIGTERM');
    await waitFor('worker gone from membership while its read is in flight', async () => (await liveKeys()).length === 0, 60_000, 50);
    await waitFor('new connections refused', () => refused(w.ports.http), 60_000, 50);
    assert.equal(proc.exitCode, null, 'still running: the read is not done');
    // A second request on the same keep-alive connection, sent during the drain.
    sock.write(`GET /v1/health HTTP/1.1\r\nHost: w\r\n\r\n`);

    // Now read on, a little at a time.
    const slowly = setInterval(() => { sock.resume(); setTimeout(() => sock.pause(), 5); }, 20);
    try {
      await waitFor('the connection to end', () => received.ended, 300_000, 50);
    } finally {
      clearInterval(slowly);
      sock.resume();
    }
    const [first, rest] = splitResponse(received.buffer());
    assert.match(first.head, /^HTTP\/1\.1 200/);
    assert.equal(first.body.length, SIZE, 'every byte of the read in flight arrived');
    assert.ok(first.body.equals(data), 'and they are the file');
    const second = rest.toString('latin1');
    assert.match(second, /^HTTP\/1\.1 503/, 'the request after SIGTERM is refused');
    assert.match(second, /\r\nconnection: close\r\n/i);
    assert.match(second, /\r\nretry-after: \d+\r\n/i);
    assert.match(second, /ALX_ERR_WORKER_UNAVAILABLE/);
    assert.match(second, /shutting down/);

    await waitFor('worker exit', () => hasExited(proc), 60_000, 50);
    const [code, signal] = await exited;
    assert.deepEqual([code, signal], [0, null], w.logs());
  });

  test('with a 1 s grace period a reader that stalls for good cannot keep the worker up', async () => {
    const w = await startWorker(1, '1s');
    const proc = w.proc!;
    const exited = once(proc, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    const sock = connect(w.ports.http, '127.0.0.1');
    await once(sock, 'connect');
    const received = collect(sock);
    sock.write(`GET /v1/read?path=/big.bin HTTP/1.1\r\nHost: w\r\n\r\n`);
    await waitFor('first bytes of the read', () => received.bytes > 0, 60_000, 10);
    sock.pause(); // and never read again
    proc.kill('SIGTERM');
    // Without the grace period the stalled read would hold the worker forever; this is a hang guard.
    await waitFor('worker exit', () => hasExited(proc), 120_000, 50);
    const [code, signal] = await exited;
    assert.deepEqual([code, signal], [0, null], w.logs());
    sock.resume();
    await waitFor('the cut connection to end', () => received.ended, 60_000, 20);
    assert.ok(received.bytes < SIZE, 'the stalled read was cut');
  });
});

interface Collected { bytes: number; ended: boolean; buffer(): Buffer }

function collect(sock: Socket): Collected {
  const chunks: Buffer[] = [];
  const c = { bytes: 0, ended: false, buffer: () => Buffer.concat(chunks) };
  sock.on('data', (d: Buffer) => { chunks.push(d); c.bytes += d.length; });
  sock.on('close', () => { c.ended = true; });
  sock.on('error', () => { c.ended = true; });
  return c;
}

/** The first HTTP/1.1 response (head and Content-Length body) and the bytes after it. */
function splitResponse(buf: Buffer): [{ head: string; body: Buffer }, Buffer] {
  const end = buf.indexOf('\r\n\r\n');
  assert.ok(end > 0, `no response head in ${buf.length} bytes`);
  const head = buf.subarray(0, end).toString('latin1');
  const len = Number(/\r\ncontent-length: (\d+)/i.exec(head)?.[1]);
  assert.ok(Number.isInteger(len), head);
  const body = buf.subarray(end + 4, end + 4 + len);
  return [{ head, body }, buf.subarray(end + 4 + len)];
}

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => { s.destroy(); resolve(false); });
    s.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED'));
  });
}

function hasExited(proc: { exitCode: number | null; signalCode: NodeJS.Signals | null }): boolean {
  return proc.exitCode !== null || proc.signalCode !== null;
}

// Short-circuit reads: workers that also serve their REST API on a Unix domain socket
// (alluxio.worker.data.server.domain.socket.address, .as.uuid) and a client on the same host that
// uses it (alluxio.user.short.circuit.enabled). Real etcd, real worker processes.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { createClient } from '../../src/client/from-conf.js';
import { WorkerRestClient } from '../../src/common/protocol/rest-client.js';
import type { AlluxioClient } from '../../src/client/alluxio-client.js';
import { createLogger } from '../../src/common/logging.js';
import { scrapeMetric } from '../support/cli.js';
import { startEtcd, waitFor, type EtcdCluster } from '../support/etcd.js';
import { makeTempDir, type TempDir } from '../support/tmp.js';
import { startWorkerProcesses, WorkerProcess, writeEtcdConf, type EtcdClusterConf } from '../cluster/harness.js';

const DOMAIN_BYTES = 'alluxio_worker_bytes_read_domain_total';
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function readAll(client: AlluxioClient, path: string): Promise<Buffer> {
  const { stream } = await client.read(path);
  const parts: Buffer[] = [];
  for await (const c of stream) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

describe('short-circuit reads over the worker domain socket', () => {
  let tmp: TempDir;
  let etcd: EtcdCluster;
  let cc: EtcdClusterConf;
  let workers: WorkerProcess[] = [];
  let sockets: string;
  let ufs: string;
  /** A worker's own domain socket at `path` (not named after its id). */
  const socketAt = (path: string) => ({ 'alluxio.worker.data.server.domain.socket.address': path, 'alluxio.worker.data.server.domain.socket.as.uuid': 'false' });
  const files = new Map<string, Buffer>();

  before(async () => {
    tmp = await makeTempDir('alluxio-shortcircuit-');
    ufs = join(tmp.path, 'ufs');
    mkdirSync(ufs);
    for (let i = 0; i < 6; i++) {
      const b = randomBytes(3 * 65_536 + 1000 * i);
      files.set(`/f${i}.bin`, b);
      writeFileSync(join(ufs, `f${i}.bin`), b);
    }
    sockets = join(tmp.path, 'sockets');
    etcd = await startEtcd();
    cc = writeEtcdConf(tmp.path, etcd.endpoints, {
      'alluxio.master.mount.table.root.ufs': ufs,
      'alluxio.worker.page.store.page.size': '64KB',
      'alluxio.worker.data.server.domain.socket.address': sockets,
      'alluxio.worker.data.server.domain.socket.as.uuid': 'true',
    });
    workers = await startWorkerProcesses(cc, tmp.path, 2);
  });

  after(async () => {
    await Promise.all(workers.map((w) => w.kill()));
    await etcd?.cleanup();
    await tmp?.cleanup();
  });

  async function scrapeWorkerSockets(): Promise<string[]> {
    const client = await createClient(cc.conf(), { log: createLogger('test', 'silent') });
    try {
      await waitFor('client sees 2 workers', () => client.ring.liveWorkers.length === 2, 60_000);
      return client.ring.liveWorkers.map((w) => w.address.DomainSocketPath);
    } finally {
      await client.close();
    }
  }

  async function domainBytes(): Promise<number> {
    let sum = 0;
    for (const w of workers) sum += await scrapeMetric(w.metricsUrl, DOMAIN_BYTES);
    return sum;
  }

  test('each worker advertises its socket (named after its id) and a local client reads through it, bytes correct', async () => {
    const client = await createClient(cc.conf(), { log: createLogger('test', 'silent') });
    try {
      await waitFor('client sees 2 workers', () => client.ring.liveWorkers.length === 2, 60_000);
      for (const w of client.ring.liveWorkers) {
        assert.equal(w.address.DomainSocketPath, join(sockets, `${w.identity.identifier}.sock`));
        assert.ok(statSync(w.address.DomainSocketPath).isSocket());
      }
      const before = await domainBytes();
      for (const [p, b] of files) assert.equal(sha(await readAll(client, p)), sha(b), p);
      const total = [...files.values()].reduce((n, b) => n + b.length, 0);
      const after = await domainBytes();
      assert.ok(after - before >= total, `domain socket bytes grew by ${after - before}, expected at least ${total}`);
    } finally {
      await client.close();
    }
  });

  test('alluxio.user.short.circuit.enabled=false: the same reads go over TCP only', async () => {
    const client = await createClient(cc.conf({ 'alluxio.user.short.circuit.enabled': 'false' }), { log: createLogger('test', 'silent') });
    try {
      await waitFor('client sees 2 workers', () => client.ring.liveWorkers.length === 2, 60_000);
      const before = await domainBytes();
      for (const [p, b] of files) assert.equal(sha(await readAll(client, p)), sha(b), p);
      assert.equal(await domainBytes(), before);
    } finally {
      await client.close();
    }
  });

  test('a socket the client cannot find (a worker on another host, or its file gone): TCP; a killed worker replaces its stale socket on restart', async () => {
    // Advertised but absent here, as for a worker on another node: the client reads over TCP.
    const paths = (await scrapeWorkerSockets());
    for (const p of paths) unlinkSync(p);
    const client = await createClient(cc.conf(), { log: createLogger('test', 'silent') });
    try {
      await waitFor('client sees 2 workers', () => client.ring.liveWorkers.length === 2, 60_000);
      assert.deepEqual(client.ring.liveWorkers.map((w) => w.address.DomainSocketPath).sort(), paths.sort(), 'still advertised');
      const before = await domainBytes();
      for (const [p, b] of files) assert.equal(sha(await readAll(client, p)), sha(b), `${p} with the sockets gone`);
      assert.equal(await domainBytes(), before, 'no bytes can have gone over removed sockets');
    } finally {
      await client.close();
    }
    // Restart both so they listen again, then kill -9 one: its socket file stays behind, and the
    // next start replaces it.
    for (const w of workers) { await w.kill(); await w.start(); }
    const victim = workers[0]!;
    await victim.kill('SIGKILL');
    const client2 = await createClient(cc.conf(), { log: createLogger('test', 'silent') });
    try {
      await waitFor('both sockets exist', () => existsSync(sockets) && client2.ring.liveWorkers.every((w) => existsSync(w.address.DomainSocketPath)), 60_000);
      await victim.start();
      await waitFor('client sees 2 workers', () => client2.ring.liveWorkers.length === 2, 60_000);
      const before = await domainBytes();
      for (const [p, b] of files) assert.equal(sha(await readAll(client2, p)), sha(b));
      assert.ok((await domainBytes()) > before);
    } finally {
      await client2.close();
    }
  });

  test('a second worker configured with the same socket path while the first runs is refused with the reason', async () => {
    const shared = join(tmp.path, 'one.sock');
    const first = await WorkerProcess.start(cc, tmp.path, 10, { 'alluxio.worker.data.server.domain.socket.address': shared, 'alluxio.worker.data.server.domain.socket.as.uuid': 'false' });
    try {
      // /v1/health answers over TCP before the worker has bound its socket: on a loaded machine the
      // second worker could otherwise take the path first (and the first one then fail).
      await waitFor('the first worker listens on the socket', () => existsSync(shared), 60_000);
      await assert.rejects(
        WorkerProcess.start(cc, tmp.path, 11, { 'alluxio.worker.data.server.domain.socket.address': shared, 'alluxio.worker.data.server.domain.socket.as.uuid': 'false' }),
        /domain socket .*one\.sock is in use by a running process/,
      );
    } finally {
      await first.kill();
    }
  });

  test('with authentication on, an unsigned mutation over the domain socket is refused exactly as over TCP; a token passes', async () => {
    const token = `tok-${randomBytes(12).toString('hex')}`;
    const creds = join(tmp.path, 'credentials');
    writeFileSync(creds, `token sc ${token}\n`, { mode: 0o600 });
    const sock = join(tmp.path, 'auth.sock');
    const w = await WorkerProcess.start(cc, tmp.path, 12, { ...socketAt(sock), 'alluxio.worker.s3.auth.enabled': 'true', 'alluxio.worker.s3.auth.credentials.file': creds });
    const overSocket = new Agent({ connect: { socketPath: sock } });
    try {
      const answer = async (method: 'PUT' | 'DELETE', path: string, dispatcher?: Agent, headers: Record<string, string> = {}) => {
        const r = await request(`${w.rest}/v1/file?path=${encodeURIComponent(path)}`, { method, headers, ...(method === 'PUT' ? { body: 'x' } : {}), ...(dispatcher ? { dispatcher } : {}) });
        return { status: r.statusCode, body: await r.body.text(), challenge: r.headers['www-authenticate'] };
      };
      for (const [method, path] of [['PUT', '/sc-new.txt'], ['DELETE', '/f2.bin']] as const) {
        const tcp = await answer(method, path);
        assert.equal(tcp.status, 401, `${method} over TCP: ${tcp.body}`);
        assert.deepEqual(await answer(method, path, overSocket), tcp, `${method} ${path}: the domain socket answered otherwise than TCP`);
      }
      assert.ok(!existsSync(join(ufs, 'sc-new.txt')) && existsSync(join(ufs, 'f2.bin')), 'a refused call changed the UFS');
      const before = await scrapeMetric(w.metricsUrl, DOMAIN_BYTES);
      const ok = await answer('PUT', '/sc-new.txt', overSocket, { authorization: `Bearer ${token}` });
      assert.ok(ok.status < 300, ok.body);
      assert.ok(existsSync(join(ufs, 'sc-new.txt')));
      assert.ok((await scrapeMetric(w.metricsUrl, DOMAIN_BYTES)) > before, 'the calls did not go over the domain socket');
    } finally {
      await overSocket.close();
      await w.kill();
    }
  });

  test('a socket path the client cached whose worker is gone (file removed, or left by a killed worker): the read goes over TCP, bytes right', async () => {
    const [a, b] = [join(tmp.path, 'a.sock'), join(tmp.path, 'b.sock')];
    const w = await WorkerProcess.start(cc, tmp.path, 13, socketAt(a));
    const want = sha(files.get('/f1.bin')!);
    const clients: WorkerRestClient[] = [];
    // The address as the client learnt it before the restart: same host and port, the old socket.
    const readThrough = async (socket: string) => {
      const rest = clients[clients.length - 1]!;
      const { body } = await rest.read({ address: { Host: '127.0.0.1', HttpServerPort: w.ports.http, DomainSocketPath: socket } }, '/f1.bin', 0, -1);
      const parts: Buffer[] = [];
      for await (const c of body) parts.push(c as Buffer);
      return sha(Buffer.concat(parts));
    };
    try {
      for (const [cached, next, how] of [[a, b, 'removed'], [b, a, 'stale']] as const) {
        clients.push(new WorkerRestClient({ timeouts: { headersMs: 30_000, bodyMs: 30_000 }, shortCircuit: true }));
        assert.equal(await readThrough(cached), want);
        assert.ok((await scrapeMetric(w.metricsUrl, DOMAIN_BYTES)) > 0, `${how}: the first read did not use the socket`);
        // Killed (its socket file stays: ECONNREFUSED) or also removed (ENOENT), and back on another socket.
        await w.kill();
        assert.ok(existsSync(cached), 'a killed worker left no socket file');
        if (how === 'removed') unlinkSync(cached);
        Object.assign(w.extra, socketAt(next));
        await w.start();
        assert.equal(await readThrough(cached), want, `${how}: wrong bytes after the fallback to TCP`);
        assert.equal(await scrapeMetric(w.metricsUrl, DOMAIN_BYTES), 0, `${how}: the read used a socket`);
      }
    } finally {
      for (const c of clients) await c.close();
      await w.kill();
    }
  });
});

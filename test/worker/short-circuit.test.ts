// Short-circuit reads: workers that also serve their REST API on a Unix domain socket
// (alluxio.worker.data.server.domain.socket.address, .as.uuid) and a client on the same host that
// uses it (alluxio.user.short.circuit.enabled). Real etcd, real worker processes.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createClient } from '../../src/client/from-conf.js';
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
  const files = new Map<string, Buffer>();

  before(async () => {
    tmp = await makeTempDir('alluxio-shortcircuit-');
    const ufs = join(tmp.path, 'ufs');
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
      await assert.rejects(
        WorkerProcess.start(cc, tmp.path, 11, { 'alluxio.worker.data.server.domain.socket.address': shared, 'alluxio.worker.data.server.domain.socket.as.uuid': 'false' }),
        /domain socket .*one\.sock is in use by a running process/,
      );
    } finally {
      await first.kill();
    }
  });
});

// A worker's /v1/health says healthy only once every listener is up (REST, web, the domain socket,
// S3) and the worker has joined the ring. The health route is served by the first listener, so it
// answered 200 while the socket and the S3 servers were still binding: a readiness probe or a
// script trusting that 200 then hit a closed S3 port or a missing socket. Here a poller asks for
// health every few milliseconds while the worker starts and, at the first 200, checks at once that
// the S3 port accepts a connection, the domain socket exists, and the worker is in etcd's ring.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { Etcd3 } from 'etcd3';
import { startEtcd, type EtcdCluster } from '../support/etcd.js';
import { makeTempDir, type TempDir } from '../support/tmp.js';
import { WorkerProcess, workerPorts, writeEtcdConf } from '../cluster/harness.js';

let etcd: EtcdCluster | undefined;
let tmp: TempDir | undefined;
let worker: WorkerProcess | undefined;
after(async () => { await worker?.kill(); await etcd?.cleanup(); await tmp?.cleanup(); });

const accepts = (port: number) => new Promise<boolean>((resolve) => {
  const s = connect({ host: '127.0.0.1', port });
  s.once('connect', () => { s.destroy(); resolve(true); });
  s.once('error', () => resolve(false));
});

test('the first healthy answer comes after the S3 port, the domain socket and the ring membership', async () => {
  tmp = await makeTempDir('alluxio-health-order-');
  const ufs = join(tmp.path, 'ufs');
  const sockets = join(tmp.path, 'sockets');
  mkdirSync(ufs);
  etcd = await startEtcd();
  const cc = writeEtcdConf(tmp.path, etcd.endpoints, {
    'alluxio.master.mount.table.root.ufs': ufs,
    'alluxio.worker.data.server.domain.socket.address': sockets,
    'alluxio.worker.data.server.domain.socket.as.uuid': 'true',
  });
  worker = new WorkerProcess(cc, tmp.path, 0, await workerPorts());
  const ports = worker.ports;
  let firstHealthy: { s3: boolean; socket: boolean; members: number } | undefined;
  let polling = true;
  const poller = (async () => {
    while (polling && firstHealthy === undefined) {
      const ok = await fetch(`http://127.0.0.1:${ports.http}/v1/health`).then((r) => r.ok, () => false);
      if (ok) {
        const s3 = await accepts(ports.s3);
        const socket = existsSync(sockets) && readdirSync(sockets).length > 0;
        const client = new Etcd3({ hosts: etcd!.endpoints });
        const members = Object.keys(await client.getAll().prefix('/ServiceDiscovery/').strings()).length;
        client.close();
        firstHealthy = { s3, socket, members };
      } else await new Promise((r) => setTimeout(r, 3));
    }
  })();
  await worker.start();
  await poller.finally(() => { polling = false; });
  assert.ok(firstHealthy, 'the poller saw a healthy answer');
  assert.equal(firstHealthy.s3, true, 'the S3 port accepted a connection at the first healthy answer');
  assert.equal(firstHealthy.socket, true, 'the domain socket existed at the first healthy answer');
  assert.ok(firstHealthy.members >= 1, 'the worker was in the ring at the first healthy answer');
});

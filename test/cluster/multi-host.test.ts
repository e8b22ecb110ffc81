// A cluster over several hosts: a three-member etcd, three workers and the coordinator, each in its
// own network namespace (its own address, Alluxio's default ports), wired by a bridge. The test
// process is a client on the same network. A partition (one worker's link down) must not make
// reads hang: they go to the next owner within the client timeouts, and the cut-off worker drops
// out of the ring and comes back when its link does. Skipped where network namespaces are not allowed.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createClient } from '../../src/client/from-conf.js';
import type { AlluxioClient } from '../../src/client/alluxio-client.js';
import { createLogger } from '../../src/common/logging.js';
import { workerName } from '../../src/hashring/worker-info.js';
import { BIN } from '../support/cli.js';
import { waitFor } from '../support/etcd.js';
import { createTestNetwork, netnsUnavailable, type TestNetwork } from '../support/netns.js';
import { makeTempDir, type TempDir } from '../support/tmp.js';
import { readAll, writeEtcdConf, type EtcdClusterConf } from './harness.js';

const ETCD_BIN = process.env.ETCD_BIN ?? '/usr/bin/etcd';
const unavailable = netnsUnavailable();
if (unavailable) console.log(`# multi-host tests skipped: ${unavailable}`);

const DETECTION_MS = 3000;
const CONNECT_MS = 1000;
const READ_MS = 2000;
/** Far above CONNECT_MS + READ_MS, far below the minutes TCP takes to give up on a silent peer. */
const HANG_MS = 60_000;

describe('multi-host cluster in network namespaces', { skip: unavailable, timeout: 900_000 }, () => {
  let tmp: TempDir;
  let net: TestNetwork;
  let cc: EtcdClusterConf;
  let client: AlluxioClient;
  const procs: ChildProcess[] = [];
  const output = new Map<ChildProcess, string>();
  const files = new Map<string, Buffer>();
  const etcdHosts = ['etcd0', 'etcd1', 'etcd2'];
  const workerHosts = ['w0', 'w1', 'w2'];

  function run(host: string, cmd: string, args: string[]): ChildProcess {
    const p = net.spawnIn(host, cmd, args, { env: { ...process.env, ...cc.env, ALLUXIO_LOG_LEVEL: 'warn' } });
    output.set(p, '');
    const keep = (d: Buffer) => { const s = output.get(p)!; if (s.length < 20_000) output.set(p, s + d.toString()); };
    p.stdout!.on('data', keep);
    p.stderr!.on('data', keep);
    procs.push(p);
    return p;
  }

  async function healthy(what: string, url: string, p: ChildProcess): Promise<void> {
    await waitFor(what, async () => {
      if (p.exitCode !== null) throw new Error(`${what}: process exited: ${output.get(p)!.slice(-2000)}`);
      return (await fetch(url, { signal: AbortSignal.timeout(1000) })).ok;
    }, 120_000, 100); // seven processes starting at once on a loaded machine can take a while
  }

  const ip = (h: string) => net.host(h).ip;

  before(async () => {
    tmp = await makeTempDir('alluxio-multihost-');
    net = createTestNetwork([...etcdHosts, ...workerHosts, 'coord']);
    const ufs = join(tmp.path, 'ufs'); // the hosts share this disk, as they would share an NFS export
    mkdirSync(ufs);
    for (let i = 0; i < 18; i++) {
      const data = randomBytes(50_000 + Math.floor(Math.random() * 200_000));
      writeFileSync(join(ufs, `f${i}.bin`), data);
      files.set(`/f${i}.bin`, data);
    }
    cc = writeEtcdConf(tmp.path, etcdHosts.map((h) => `http://${ip(h)}:2379`), {
      'alluxio.master.mount.table.root.ufs': ufs,
      'alluxio.worker.failure.detection.timeout': `${DETECTION_MS}ms`,
      'alluxio.user.network.connect.timeout': `${CONNECT_MS}ms`,
      'alluxio.user.streaming.data.read.timeout': `${READ_MS}ms`,
      'alluxio.worker.bind.host': '0.0.0.0',
      'alluxio.coordinator.bind.host': '0.0.0.0',
    });
    const cluster = etcdHosts.map((h) => `${h}=http://${ip(h)}:2380`).join(',');
    const etcds = etcdHosts.map((h) => run(h, ETCD_BIN, [
      '--name', h, '--data-dir', join(tmp.path, h),
      '--listen-client-urls', `http://${ip(h)}:2379`, '--advertise-client-urls', `http://${ip(h)}:2379`,
      '--listen-peer-urls', `http://${ip(h)}:2380`, '--initial-advertise-peer-urls', `http://${ip(h)}:2380`,
      '--initial-cluster', cluster, '--initial-cluster-state', 'new', '--initial-cluster-token', `mh-${process.pid}`,
      '--heartbeat-interval', '50', '--election-timeout', '500', '--logger', 'zap', '--log-level', 'error', '--log-outputs', 'stderr',
    ]));
    await Promise.all(etcdHosts.map((h, i) => healthy(`etcd on ${h}`, `http://${ip(h)}:2379/health`, etcds[i]!)));
    const ws = workerHosts.map((h) => run(h, process.execPath, [BIN, 'process', 'start', 'worker',
      '--conf', `alluxio.worker.hostname=${ip(h)}`,
      '--conf', `alluxio.worker.page.store.dirs=${join(tmp.path, h, 'pagestore')}`,
      '--conf', `alluxio.worker.identity.uuid.file.path=${join(tmp.path, h, 'worker_identity')}`,
    ]));
    const coord = run('coord', process.execPath, [BIN, 'process', 'start', 'coordinator', '--conf', `alluxio.coordinator.hostname=${ip('coord')}`]);
    await Promise.all([
      ...workerHosts.map((h, i) => healthy(`worker on ${h}`, `http://${ip(h)}:28080/v1/health`, ws[i]!)),
      healthy('coordinator', `http://${ip('coord')}:19999/api/v1/health`, coord),
    ]);
    client = await createClient(cc.conf(), { log: createLogger('test-client', 'silent') });
    await waitFor('client sees 3 workers', () => client.ring.liveWorkers.length === 3, 60_000);
  });

  after(async () => {
    await client?.close().catch(() => {});
    await Promise.all(procs.map((p) => (p.exitCode !== null || p.signalCode !== null ? undefined : new Promise((r) => { p.once('exit', r); p.kill('SIGKILL'); }))));
    net?.cleanup();
    await tmp?.cleanup();
  });

  test('workers on three hosts form one ring; the coordinator on a fourth sees them all', async () => {
    const coord = `http://${ip('coord')}:19999`;
    const rows = await (await fetch(`${coord}/api/v1/workers`)).json() as Array<{ address: string; status: string }>;
    assert.deepEqual(rows.map((r) => r.address).sort(), workerHosts.map((h) => `${ip(h)}:28080`).sort());
    assert.ok(rows.every((r) => r.status === 'ONLINE'));
    for (const [path, data] of files) assert.ok((await readAll(client, path)).equals(data), path);
    const cluster = await (await fetch(`${coord}/api/v1/cluster`)).json() as { liveWorkers: number; usedBytes: number };
    assert.equal(cluster.liveWorkers, 3);
    assert.ok(cluster.usedBytes > 0);
  });

  test('a worker cut off by a partition does not make reads hang; it leaves the ring and comes back', async () => {
    const cut = client.ring.liveWorkers.find((w) => w.address.Host === ip('w1'))!;
    const name = workerName(cut.identity);
    const owned = [...files.keys()].filter((p) => workerName(client.owners(p, 1)[0]!.identity) === name);
    assert.ok(owned.length > 0, 'w1 owns some files');
    net.setLink('w1', false);
    try {
      // Before the ring notices, each read of w1's files pays at most a client timeout (CONNECT_MS,
      // READ_MS), then goes to the next owner. Without those timeouts a read would wait for TCP to
      // give up (minutes): the bound below only tells a hang from a failover, it measures no speed.
      for (const p of owned) {
        const t0 = Date.now();
        assert.ok((await readAll(client, p)).equals(files.get(p)!), p);
        const ms = Date.now() - t0;
        assert.ok(ms < HANG_MS, `read of ${p} hung for ${ms}ms during the partition`);
      }
      await waitFor(`${name} OFFLINE`, async () => (await client.membership.allWorkers()).find((s) => workerName(s.worker.identity) === name)?.status === 'OFFLINE', 60_000, 100);
      await waitFor('client ring without w1', () => client.ring.liveWorkers.length === 2, 60_000);
      // The cut-off worker owns nothing now, so no read goes near it.
      for (const p of files.keys()) assert.notEqual(workerName(client.owners(p, 1)[0]!.identity), name, p);
      for (const [p, data] of files) assert.ok((await readAll(client, p)).equals(data), p);
    } finally {
      net.setLink('w1', true);
    }
    await waitFor(`${name} ONLINE again`, async () => (await client.membership.allWorkers()).find((s) => workerName(s.worker.identity) === name)?.status === 'ONLINE', 60_000, 200);
    await waitFor('client ring with w1', () => client.ring.liveWorkers.length === 3, 60_000);
    for (const p of owned) assert.ok((await readAll(client, p)).equals(files.get(p)!));
  });
});

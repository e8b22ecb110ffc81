// kill -9 of etcd (the cluster's only member) under read load: reads through the client library,
// REST and S3 go on on the last known ring with 0 failures and 0 wrong bytes; when etcd is back,
// every worker is ONLINE again in etcd, the CLI and the coordinator see three workers, and reads go on.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../support/cli.js';
import { sleep, waitFor } from '../support/etcd.js';
import { failures, PAGE, printCounts, readAll, startReadLoad, startReliabilityCluster, type ReliabilityCluster } from './harness.js';

const DETECTION_MS = 3000;

describe('reliability: kill -9 of etcd under read load', () => {
  let c: ReliabilityCluster;

  before(async () => {
    const files: Record<string, number> = {};
    for (let i = 0; i < 9; i++) files[`e${i}.bin`] = 2 * PAGE + i * 41_000;
    c = await startReliabilityCluster({ files, props: { 'alluxio.worker.failure.detection.timeout': `${DETECTION_MS}ms` } });
    for (const [p, want] of c.files) assert.ok((await readAll(c.client, p)).equals(want), `warm-up read of ${p}`);
  });
  after(async () => { await c?.stop(); });

  test('reads keep working with etcd dead; membership recovers when it returns', async () => {
    const load = startReadLoad(c, { readers: { client: 2, rest: 2, s3: 2 }, entries: () => c.workers });
    try {
      await load.waitReads(30);
      await c.etcd.stopAll('SIGKILL');
      // Longer than a lease: the workers' keepalives fail all this time.
      const downSince = Date.now();
      await load.waitReads(60);
      await sleep(Math.max(0, 2 * DETECTION_MS - (Date.now() - downSince)));
      await load.waitReads(30);
      assert.ok(c.clients.every((x) => x.ring.liveWorkers.length === 3), 'the clients kept the last known ring');
      printCounts('while etcd is dead', load.counts);

      await c.etcd.startAll();
      await waitFor('every worker ONLINE in etcd again', async () => {
        const all = await c.client.membership.allWorkers();
        return all.length === 3 && all.every((w) => w.status === 'ONLINE');
      }, 60_000, 200);
      await c.waitAllLive(3);
      await load.waitReads(60);
    } finally {
      printCounts('kill -9 of etcd and its restart (total)', await load.stop());
    }
    const nodes = await runCli(['info', 'nodes'], c.cc.env);
    assert.equal(nodes.code, 0, nodes.stderr);
    assert.equal(nodes.stdout.match(/ONLINE/g)?.length, 3, nodes.stdout);
    const cluster = await (await fetch(`${c.coordinator.url}/api/v1/health`)).json() as Record<string, unknown>;
    console.log(`[reliability] coordinator after etcd restart: ${JSON.stringify(cluster).slice(0, 300)}`);
    const t = failures(load.counts);
    assert.ok(t.ok > 100, `only ${t.ok} good reads`);
    assert.equal(t.wrong, 0, 'reads returned wrong bytes');
    assert.equal(t.failed, 0, `reads failed: ${JSON.stringify(Object.fromEntries(Object.entries(load.counts).map(([a, x]) => [a, x.samples])))}`);
  });

  test('after the restart, a worker killed is detected OFFLINE again (leases work on the new etcd)', async () => {
    const victim = c.workers[2]!;
    await victim.kill('SIGKILL');
    try {
      await waitFor('2 live workers', async () => (await c.client.membership.allWorkers()).filter((w) => w.status === 'ONLINE').length === 2, 30_000, 100);
      await c.waitAllLive(2);
      for (const [p, want] of c.files) assert.ok((await readAll(c.client, p)).equals(want), `read of ${p} with one worker gone`);
    } finally {
      await victim.start();
    }
    await c.waitAllLive(3);
  });
});

// kill -9 of a worker process under read load (client library, REST, S3): no read fails and no
// read returns a wrong byte while the worker dies, while the others take over its keys, and after
// it is restarted and takes them back. REST and S3 readers talk to the surviving workers (a plain
// HTTP client cannot talk to a dead process); the S3 readers' requests for the victim's keys are
// proxied to it by the entry worker, so they see its death too.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { workerName } from '../../src/hashring/worker-info.js';
import { waitFor } from '../support/etcd.js';
import { failures, PAGE, printCounts, readAll, startReadLoad, startReliabilityCluster, type ReliabilityCluster } from './harness.js';

describe('reliability: kill -9 of a worker under read load', () => {
  let c: ReliabilityCluster;

  before(async () => {
    const files: Record<string, number> = {};
    for (let i = 0; i < 9; i++) files[`w${i}.bin`] = 3 * PAGE + i * 37_000;
    c = await startReliabilityCluster({ files, props: { 'alluxio.worker.failure.detection.timeout': '3s' } });
    for (const [p, want] of c.files) assert.ok((await readAll(c.client, p)).equals(want), `warm-up read of ${p}`);
  });
  after(async () => { await c?.stop(); });

  test('0 failed reads and 0 wrong bytes through the kill, the failover and the restart', async () => {
    // The victim must own some of the files, or its death would not be on any read's path.
    const owned = (w: number) => [...c.files.keys()].filter((p) => c.owners(p, 1)[0]!.index === w);
    const victim = c.workers.find((w) => owned(w.index).length > 0)!;
    const victimName = workerName((await (await fetch(`${victim.rest}/v1/health`)).json() as { worker: { version: number; identifier: string } }).worker);
    console.log(`[reliability] victim worker-${victim.index} (${victimName}) owns ${owned(victim.index).length} of ${c.files.size} files`);
    let victimServes = false;
    const load = startReadLoad(c, {
      readers: { client: 2, rest: 2, s3: 2 },
      entries: () => c.workers.filter((w) => w !== victim || victimServes),
    });
    try {
      await load.waitReads(30);
      printCounts('before the kill', load.counts);
      await victim.kill('SIGKILL');
      await load.waitReads(30);
      await c.waitAllLive(2);
      await load.waitReads(60);
      printCounts('after kill -9 and failover', load.counts);

      await victim.start();
      await c.waitAllLive(3);
      victimServes = true;
      await waitFor('the restarted worker serves its files again', async () => {
        const p = owned(victim.index)[0]!;
        const res = await fetch(`${victim.rest}/v1/read?path=${encodeURIComponent(p)}`);
        return res.ok && Buffer.from(await res.arrayBuffer()).equals(c.files.get(p)!);
      });
      await load.waitReads(60);
    } finally {
      const counts = await load.stop();
      printCounts('kill -9 of a worker, failover, restart (total)', counts);
    }
    const t = failures(load.counts);
    assert.ok(t.ok > 100, `only ${t.ok} good reads`);
    assert.equal(t.wrong, 0, 'reads returned wrong bytes');
    assert.equal(t.failed, 0, `reads failed: ${JSON.stringify(Object.fromEntries(Object.entries(load.counts).map(([a, x]) => [a, x.samples])))}`);
  });
});

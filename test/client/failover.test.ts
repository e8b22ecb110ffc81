// Reads through the client library against real in-process workers over a local UFS directory.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createClient } from '../../src/client/from-conf.js';
import type { AlluxioClient } from '../../src/client/alluxio-client.js';
import { metrics } from '../../src/common/metrics.js';
import { makeTempDir, type TempDir } from '../support/tmp.js';
import { startTestCluster, type TestCluster } from '../support/workers.js';

async function readAll(c: AlluxioClient, path: string, offset = 0, length = -1): Promise<Buffer> {
  const { stream } = await c.read(path, offset, length);
  const chunks: Buffer[] = [];
  for await (const x of stream) chunks.push(x as Buffer);
  return Buffer.concat(chunks);
}

/** Page writes finish after the read that caused them: poll briefly. */
async function eventually(check: () => boolean, ms = 3000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  return check();
}

async function fallbackCount(): Promise<number> {
  return (await metrics.clientUfsFallback.get()).values[0]?.value ?? 0;
}

describe('client routing and failover', () => {
  let tmp: TempDir;
  let cluster: TestCluster;
  let client: AlluxioClient;
  const data = randomBytes(300_000);

  before(async () => {
    tmp = await makeTempDir('alluxio-failover-');
    const ufs = join(tmp.path, 'ufs');
    mkdirSync(ufs);
    writeFileSync(join(ufs, 'f.bin'), data);
    cluster = await startTestCluster({ dir: tmp.path, rootUfs: ufs, workers: 3, properties: { 'alluxio.user.network.connect.timeout': '500ms' } });
    client = await createClient(cluster.conf);
  });
  after(async () => {
    await client.close();
    await cluster.stop();
    await tmp.cleanup();
  });

  test('a read goes to the ring owner and is cached there', async () => {
    const [owner] = client.owners('/f.bin', 1);
    assert.ok((await readAll(client, '/f.bin')).equals(data));
    const w = cluster.workers.find((x) => x.info.identity.identifier === owner!.identity.identifier)!;
    assert.ok(await eventually(() => w.store.stats().usedBytes >= data.length), 'the owner cached the file');
    for (const other of cluster.workers.filter((x) => x !== w)) assert.equal(other.store.stats().usedBytes, 0);
  });

  test('with the owner down, reads go to the next worker; with all down, to the UFS (counted)', async () => {
    const order = client.owners('/f.bin', 3).map((o) => cluster.workers.find((x) => x.info.identity.identifier === o.identity.identifier)!);
    await order[0]!.close();
    const before = await fallbackCount();
    assert.ok((await readAll(client, '/f.bin', 1000, 5000)).equals(data.subarray(1000, 6000)));
    assert.ok(await eventually(() => order[1]!.store.stats().usedBytes > 0), 'the second owner served and cached it');
    assert.equal(await fallbackCount(), before, 'no UFS fallback while a worker is up');
    await order[1]!.close();
    await order[2]!.close();
    assert.ok((await readAll(client, '/f.bin')).equals(data));
    assert.equal(await fallbackCount(), before + 1, 'the UFS fallback was counted');
  });

  test('a missing file is an error, not a fallback', async () => {
    await assert.rejects(readAll(client, '/missing.bin'), /missing\.bin/);
  });
});

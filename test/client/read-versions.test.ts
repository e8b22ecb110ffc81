// A read returns one version of a file (issue 10, defect 1). Three real in-process workers over a
// local UFS directory; the owner holds only the first pages of a file, the file is overwritten in
// the UFS, and the owner's metadata entry is still within its TTL. Reading the whole file, the
// owner serves its cached pages of the old version, then finds the old version gone in the UFS
// and aborts mid-stream; the client fails over at that byte. Before the fix the next worker
// resumed on the new version (old bytes followed by new ones, or ALX_ERR_INVALID_RANGE when the
// length changed); now the version of the first answer is pinned and the read ends with a clear
// "changed during the read" error. The next read sees the new version.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createClient } from '../../src/client/from-conf.js';
import type { AlluxioClient } from '../../src/client/alluxio-client.js';
import { fileIdOf } from '../../src/pagestore/index.js';
import { runCli } from '../support/cli.js';
import { sleep, waitFor } from '../support/etcd.js';
import { makeTempDir, type TempDir } from '../support/tmp.js';
import { startTestCluster, type TestCluster } from '../support/workers.js';

const PAGE = 64 * 1024;

async function readAll(c: AlluxioClient, path: string): Promise<Buffer> {
  const { stream } = await c.read(path);
  const chunks: Buffer[] = [];
  for await (const x of stream) chunks.push(x as Buffer);
  return Buffer.concat(chunks);
}

/** The bytes of a read, or its error. */
async function attempt(c: AlluxioClient, path: string): Promise<Buffer | (Error & { code?: string })> {
  try {
    return await readAll(c, path);
  } catch (err) {
    return err as Error & { code?: string };
  }
}

describe('a read through the client returns one version', () => {
  let tmp: TempDir;
  let ufs: string;
  let cluster: TestCluster;
  let client: AlluxioClient;

  before(async () => {
    tmp = await makeTempDir('alluxio-read-versions-');
    ufs = join(tmp.path, 'ufs');
    mkdirSync(ufs);
    // A long metadata TTL: the owner keeps trusting the old version's length and mtime.
    cluster = await startTestCluster({ dir: tmp.path, rootUfs: ufs, workers: 3, properties: { 'alluxio.user.metadata.cache.expiration.time': '10min' } });
    client = await createClient(cluster.conf);
  });
  after(async () => {
    await client.close();
    await cluster.stop();
    await tmp.cleanup();
  });

  /** Writes v1, has the owner cache its first 3 pages (and its status), then overwrites it with v2. */
  async function ownerHoldsFirstPagesThenOverwrite(name: string, v1: Buffer, v2: Buffer): Promise<void> {
    writeFileSync(join(ufs, name), v1);
    const { stream } = await client.read('/' + name, 0, 3 * PAGE);
    for await (const _ of stream) { /* drain */ }
    const [owner] = client.owners('/' + name, 1);
    const w = cluster.workers.find((x) => x.info.identity.identifier === owner!.identity.identifier)!;
    const fileId = fileIdOf(client.ufsUriOf('/' + name));
    await waitFor('the owner cached pages 0-2', () => w.store.has(fileId, 0) && w.store.has(fileId, 1) && w.store.has(fileId, 2));
    assert.equal(w.store.has(fileId, 3), false, 'only the first pages are cached');
    await sleep(20); // a new mtime even on a coarse clock
    writeFileSync(join(ufs, name), v2);
  }

  function assertOneVersion(got: Buffer | (Error & { code?: string }), v1: Buffer, v2: Buffer): void {
    if (process.env.ALLUXIO_TEST_DEBUG) console.log('outcome:', got instanceof Error ? got.message : `${got.length} bytes`);
    if (got instanceof Error) {
      assert.equal(got.code, 'ALX_ERR_STALE', `a read across the overwrite failed with ${got.code}: ${got.message}`);
      assert.match(got.message, /changed during the read.*retry/);
      return;
    }
    const mixed = !got.equals(v1) && !got.equals(v2);
    assert.ok(!mixed, `the read returned ${got.length} bytes of neither version: ${got.subarray(0, 3 * PAGE).equals(v1.subarray(0, 3 * PAGE)) ? 'old bytes followed by new ones' : 'other bytes'}`);
  }

  test('same-length overwrite: the old bytes, the new bytes, or a clear error; never a mix', async () => {
    const v1 = Buffer.alloc(8 * PAGE, 1);
    const v2 = Buffer.alloc(8 * PAGE, 2);
    await ownerHoldsFirstPagesThenOverwrite('same.bin', v1, v2);
    assertOneVersion(await attempt(client, '/same.bin'), v1, v2);
    // The owner dropped what it knew of the old version: the next read is all new.
    assert.ok((await readAll(client, '/same.bin')).equals(v2), 'the read after the failed one is the new version');
  });

  test('different-length overwrite: a clear error, not ALX_ERR_INVALID_RANGE', async () => {
    const v1 = Buffer.alloc(8 * PAGE, 3);
    const v2 = Buffer.alloc(5 * PAGE + 100, 4);
    await ownerHoldsFirstPagesThenOverwrite('diff.bin', v1, v2);
    assertOneVersion(await attempt(client, '/diff.bin'), v1, v2);
    assert.ok((await readAll(client, '/diff.bin')).equals(v2), 'the read after the failed one is the new version');
  });

  test('alluxio fs cat prints the error and exits non-zero instead of printing a mix', async () => {
    const v1 = Buffer.alloc(8 * PAGE, 5);
    const v2 = Buffer.alloc(8 * PAGE, 6);
    await ownerHoldsFirstPagesThenOverwrite('cat.bin', v1, v2);
    const r = await runCli(['fs', 'cat', '/cat.bin'], cluster.env);
    if (r.code === 0) {
      assert.ok(r.stdoutBytes.equals(v1) || r.stdoutBytes.equals(v2), `cat exited 0 after printing ${r.stdoutBytes.length} bytes of neither version`);
    } else {
      assert.match(r.stderr, /cat\.bin changed during the read/);
      assert.ok(v1.subarray(0, r.stdoutBytes.length).equals(r.stdoutBytes), 'what cat printed before the error is a prefix of the old version');
    }
  });
});

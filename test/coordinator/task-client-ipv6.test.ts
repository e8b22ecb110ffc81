// The coordinator's job tasks reach workers through the protocol module (one HTTP setup, URLs from
// url.ts): a worker that listens and advertises on the IPv6 loopback gets its load and free tasks.
// `http://::1:28080/v1/job/load` is not a URL, so a hand-built one never reached such a worker.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sendTask, type TaskFileResult } from '../../src/coordinator/jobs/task-client.js';
import { WorkerRestClient } from '../../src/common/protocol/index.js';
import { makeTempDir, type TempDir } from '../support/tmp.js';
import { startTestCluster, type TestCluster } from '../support/workers.js';

describe('coordinator: job tasks to a worker on ::1', { timeout: 120_000 }, () => {
  let tmp: TempDir;
  let cluster: TestCluster;
  let uri: string;
  const data = randomBytes(3 * 64 * 1024 + 5);

  before(async () => {
    tmp = await makeTempDir('task-ipv6-');
    const ufs = join(tmp.path, 'ufs');
    mkdirSync(join(ufs, 'd'), { recursive: true });
    writeFileSync(join(ufs, 'd', 'f.bin'), data);
    uri = `file://${join(ufs, 'd', 'f.bin')}`;
    cluster = await startTestCluster({ dir: tmp.path, rootUfs: ufs, workers: 1, host: '::1' });
  });

  after(async () => {
    await cluster?.stop();
    await tmp?.cleanup();
  });

  test('a load task caches the file on the worker and a free task drops it', async () => {
    const w = cluster.workers[0]!.info;
    assert.equal(w.address.Host, '::1');
    const http = new WorkerRestClient({ timeouts: { connectMs: 15_000, headersMs: 30_000, bodyMs: 30_000 } });
    try {
      const run = async (type: 'load' | 'free'): Promise<TaskFileResult[]> => {
        const results: TaskFileResult[] = [];
        await sendTask(w, type, { files: [uri], verify: false, skipIfExists: false, bytesPerSec: 0 }, (r) => results.push(r), undefined, AbortSignal.timeout(60_000));
        return results;
      };
      const loaded = await run('load');
      assert.deepEqual(loaded.map((r) => [r.ufsUri, r.bytes, r.error]), [[uri, data.length, undefined]]);
      assert.equal((await http.cacheFile(w, '/d/f.bin')).cachedBytes, data.length, 'the worker cached every byte');
      const freed = await run('free');
      assert.deepEqual(freed.map((r) => [r.ufsUri, r.error]), [[uri, undefined]]);
      assert.equal((await http.cacheFile(w, '/d/f.bin')).cachedBytes, 0, 'the free task dropped the pages');
    } finally {
      await http.close();
    }
  });
});

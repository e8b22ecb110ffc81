// A load task that a worker refuses with a client error (4xx other than 408/429) fails its files at
// once with the worker's reason (issue 13): sending the same task again cannot help, so it must not
// wait alluxio.job.worker.unreachable.timeout as for a worker that does not answer. Here the worker
// has authentication on and the coordinator holds no credentials, so every task gets a 401.
// Real etcd, a worker process, a coordinator process, a local UFS.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, startEtcd, waitFor, type EtcdCluster } from '../support/etcd.js';
import { makeTempDir, type TempDir } from '../support/tmp.js';
import { CoordinatorProcess, startWorkerProcesses, writeEtcdConf, type EtcdClusterConf, type WorkerProcess } from '../cluster/harness.js';

interface JobJson { jobState: string; filesDone: number; filesFailed: number; failedFiles: Array<{ path: string; error: string }>; errorMessage?: string }

describe('a load task refused by its worker', { timeout: 600_000 }, () => {
  let tmp: TempDir;
  let etcd: EtcdCluster;
  let cc: EtcdClusterConf;
  let workers: WorkerProcess[] = [];
  let coord: CoordinatorProcess;

  before(async () => {
    tmp = await makeTempDir('alluxio-jobs-refused-');
    const ufs = join(tmp.path, 'ufs');
    mkdirSync(join(ufs, 'data'), { recursive: true });
    for (let i = 0; i < 5; i++) writeFileSync(join(ufs, 'data', `f${i}.bin`), Buffer.alloc(10_000, i));
    const cred = join(tmp.path, 'credentials');
    writeFileSync(cred, 'token ops refused-test-token-0123456789abcdef\n', { mode: 0o600 });
    etcd = await startEtcd();
    const coordPort = await freePort();
    cc = writeEtcdConf(tmp.path, etcd.endpoints, {
      'alluxio.coordinator.web.port': String(coordPort),
      'alluxio.master.mount.table.root.ufs': ufs,
      'alluxio.job.lease.ttl': '3s',
      // An unreachable worker's files would wait this long: far past the test's wait below.
      'alluxio.job.worker.unreachable.timeout': '30min',
    });
    // Only the worker checks credentials; the coordinator (authentication off) sends none.
    workers = await startWorkerProcesses(cc, tmp.path, 1, { 'alluxio.worker.s3.auth.enabled': 'true', 'alluxio.worker.s3.auth.credentials.file': cred });
    coord = await CoordinatorProcess.start(cc, coordPort);
  });

  after(async () => {
    await coord?.kill();
    await Promise.all(workers.map((w) => w.kill()));
    await etcd?.cleanup();
    await tmp?.cleanup();
  });

  test('a 401 from the worker fails every file of the task at once, with the reason, and the job ends FAILED', async () => {
    const sub = await fetch(`${coord.url}/api/v1/load`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ path: '/data' }) });
    assert.equal(sub.status, 200, await sub.clone().text());
    // Generous for a loaded machine, yet far below the 30 minutes the files would wait if the
    // refusal were taken for an unreachable worker.
    const end = await waitFor('the load job to end', async () => {
      const r = await fetch(`${coord.url}/api/v1/load?path=/data&verbose=true`);
      const p = await r.json() as JobJson;
      return p.jobState === 'RUNNING' ? undefined : p;
    }, 120_000, 200);
    assert.equal(end.jobState, 'FAILED');
    assert.equal(end.filesDone, 0);
    assert.equal(end.filesFailed, 5);
    assert.equal(end.failedFiles.length, 5);
    for (const f of end.failedFiles) {
      assert.match(f.error, /refused the load task \(HTTP 401\)/, f.error);
      assert.match(f.error, /ALX_ERR_UNAUTHENTICATED/, f.error);
    }
    assert.match(end.errorMessage ?? '', /5 of 5 files failed/);
  });
});

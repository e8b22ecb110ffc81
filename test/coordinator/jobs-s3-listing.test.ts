// Load jobs on an S3 under-storage and the coordinator's listing. A job hands out the files of each
// listing page as soon as it is listed (job-runner.ts fill): the workers load the first page's
// files while the next listing call is still running (s3rver sits behind a test proxy that holds
// every listing call after the first, start-after, for 15 s). A worker takes the listed versions
// without a status call once a task has shown they are the ones a status call gives, and remembers
// that for its next tasks on the same under-storage (job-task-service.ts ListingTrust).
// Real etcd, a worker process, a coordinator process.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { startFlakyS3Proxy, type FlakyS3Proxy } from '../support/flaky-s3-proxy.js';
import { startS3Server, type S3TestServer } from '../support/s3-server.js';
import { scrapeMetric } from '../support/cli.js';
import { freePort, startEtcd, waitFor, type EtcdCluster } from '../support/etcd.js';
import { makeTempDir, type TempDir } from '../support/tmp.js';
import { CoordinatorProcess, WorkerProcess, writeEtcdConf } from '../cluster/harness.js';

const BUCKET = 'listing-overlap';
const FILES = 250; // the job's first listing call asks for 100 entries, the next one for 200
const HOLD_MS = 15_000;

interface ProgressJson { jobState: string; filesDone: number; filesListed: number }

describe('load jobs on S3: listing beside loading, listed versions trusted per under-storage', { timeout: 600_000 }, () => {
  let tmp: TempDir;
  let s3: S3TestServer;
  let proxy: FlakyS3Proxy;
  let etcd: EtcdCluster;
  let worker: WorkerProcess;
  let coord: CoordinatorProcess;
  let s3c: S3Client;

  async function putFiles(prefix: string, n: number): Promise<void> {
    let next = 0;
    await Promise.all(Array.from({ length: 16 }, async () => {
      while (next < n) await s3c.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${prefix}/f${String(next++).padStart(3, '0')}.bin`, Body: randomBytes(4096) }));
    }));
  }

  async function load(path: string, files: number): Promise<void> {
    const sub = await fetch(`${coord.url}/api/v1/load`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ path }) });
    assert.equal(sub.status, 200, await sub.clone().text());
    const end = await waitFor(`the load of ${path} to end`, async () => {
      const p = await (await fetch(`${coord.url}/api/v1/load?path=${encodeURIComponent(path)}`)).json() as ProgressJson;
      return p.jobState === 'RUNNING' ? undefined : p;
    }, 300_000, 100);
    assert.equal(end.jobState, 'SUCCEEDED', JSON.stringify(end));
    assert.equal(end.filesDone, files);
  }

  before(async () => {
    tmp = await makeTempDir('alluxio-jobs-overlap-');
    s3 = await startS3Server({ buckets: [BUCKET] });
    s3c = new S3Client({ endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } });
    await putFiles('data', FILES);
    proxy = await startFlakyS3Proxy(s3.endpoint, { everyNth: Number.MAX_SAFE_INTEGER, continuedListDelayMs: HOLD_MS });
    etcd = await startEtcd();
    const coordPort = await freePort();
    const cc = writeEtcdConf(tmp.path, etcd.endpoints, {
      'alluxio.coordinator.web.port': String(coordPort),
      ...s3.ufsOptions(),
      'alluxio.underfs.s3.endpoint': proxy.endpoint,
      'alluxio.master.mount.table.root.ufs': `s3://${BUCKET}/`,
    });
    worker = await WorkerProcess.start(cc, tmp.path, 0);
    coord = await CoordinatorProcess.start(cc, coordPort);
  });

  after(async () => {
    await coord?.kill();
    await worker?.kill();
    s3c?.destroy();
    await proxy?.close();
    await etcd?.cleanup();
    await s3?.stop();
    await tmp?.cleanup();
  });

  test('files of the first listing page are loaded while the next listing call runs', async () => {
    const sub = await fetch(`${coord.url}/api/v1/load`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ path: '/data' }) });
    assert.equal(sub.status, 200, await sub.clone().text());
    let duringListing: ProgressJson | undefined;
    const end = await waitFor('the load job to end', async () => {
      const p = await (await fetch(`${coord.url}/api/v1/load?path=/data`)).json() as ProgressJson;
      if (p.filesListed < FILES && p.filesDone > 0) duringListing ??= p;
      return p.jobState === 'RUNNING' ? undefined : p;
    }, 300_000, 100);
    assert.equal(end.jobState, 'SUCCEEDED', JSON.stringify(end));
    assert.equal(end.filesDone, FILES);
    assert.ok(duringListing !== undefined, `no file was loaded before the whole path was listed (the second listing call was held ${HOLD_MS} ms)`);
  });

  test("a worker's next tasks on the same under-storage take the listed versions without a status call", async () => {
    await putFiles('trust/a', 6);
    await putFiles('trust/b', 9);
    await load('/trust/a', 6); // its first task checks the listed versions with one status call
    const statusCalls = () => scrapeMetric(worker.metricsUrl, 'alluxio_ufs_latency_seconds_count', { op: 'getStatus' });
    const before = await statusCalls();
    await load('/trust/b', 9); // three tasks of three files
    assert.equal(await statusCalls() - before, 0, 'status calls for files whose listed version the worker already trusts');
  });
});

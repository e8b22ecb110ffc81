// A load job hands out the files of each listing page as soon as it is listed (job-runner.ts fill):
// the workers load the first page's files while the next listing call is still running, instead
// of waiting for the listing of files they do not get yet. The S3 under-storage (s3rver) sits
// behind a test proxy that holds every listing call after the first (start-after) for 15 s.
// Real etcd, a worker process, a coordinator process.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { startFlakyS3Proxy, type FlakyS3Proxy } from '../support/flaky-s3-proxy.js';
import { startS3Server, type S3TestServer } from '../support/s3-server.js';
import { freePort, startEtcd, waitFor, type EtcdCluster } from '../support/etcd.js';
import { makeTempDir, type TempDir } from '../support/tmp.js';
import { CoordinatorProcess, WorkerProcess, writeEtcdConf } from '../cluster/harness.js';

const BUCKET = 'listing-overlap';
const FILES = 250; // the job's first listing call asks for 100 entries, the next one for 200
const HOLD_MS = 15_000;

interface ProgressJson { jobState: string; filesDone: number; filesListed: number }

describe('load job: listing and loading overlap', { timeout: 600_000 }, () => {
  let tmp: TempDir;
  let s3: S3TestServer;
  let proxy: FlakyS3Proxy;
  let etcd: EtcdCluster;
  let worker: WorkerProcess;
  let coord: CoordinatorProcess;

  before(async () => {
    tmp = await makeTempDir('alluxio-jobs-overlap-');
    s3 = await startS3Server({ buckets: [BUCKET] });
    const s3c = new S3Client({ endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } });
    let next = 0;
    await Promise.all(Array.from({ length: 16 }, async () => {
      while (next < FILES) await s3c.send(new PutObjectCommand({ Bucket: BUCKET, Key: `data/f${String(next++).padStart(3, '0')}.bin`, Body: randomBytes(4096) }));
    }));
    s3c.destroy();
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
});

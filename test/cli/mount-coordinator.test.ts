// `alluxio mount add` with an etcd mount table goes through the coordinator, which checks the
// under-storage with its own configuration (credentials and endpoint the CLI machine need not have,
// as on Kubernetes) before storing the mount; a missing bucket and an unsupported scheme are refused
// with a clear error; with the coordinator down the CLI checks and stores the mount itself.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../support/cli.js';
import { startEtcd, type EtcdCluster } from '../support/etcd.js';
import { startS3Server, type S3TestServer } from '../support/s3-server.js';
import { makeTempDir, type TempDir } from '../support/tmp.js';
import { CoordinatorProcess, writeEtcdConf, type EtcdClusterConf } from '../cluster/harness.js';

describe('mount add through the coordinator', { timeout: 900_000 }, () => {
  let tmp: TempDir;
  let etcd: EtcdCluster;
  let s3: S3TestServer;
  let cc: EtcdClusterConf;
  let coord: CoordinatorProcess;
  const SECRET = 'coordinatorOnlySecretKeyEXAMPLE0000000000';
  const cli = (...args: string[]) => runCli(['--conf', `alluxio.coordinator.web.port=${coord.web}`, ...args], cc.env);

  before(async () => {
    tmp = await makeTempDir('alluxio-mount-coord-');
    etcd = await startEtcd();
    s3 = await startS3Server({ buckets: ['bucket'] });
    cc = writeEtcdConf(tmp.path, etcd.endpoints, { 'alluxio.mount.check.timeout': '5s' });
    // Only the coordinator knows the S3 endpoint and credentials.
    const opts = `-Dalluxio.underfs.s3.endpoint=${s3.endpoint} -Ds3a.accessKeyId=S3RVER -Ds3a.secretKey=${SECRET}`;
    coord = await CoordinatorProcess.start({ ...cc, env: { ...cc.env, ALLUXIO_JAVA_OPTS: opts } });
  });
  after(async () => {
    await coord?.kill();
    await s3?.stop();
    await etcd?.cleanup();
    await tmp?.cleanup();
  });

  test('the coordinator checks the bucket with its own credentials and stores the mount', async () => {
    const r = await cli('mount', 'add', '--path', '/s3', '--ufs-uri', 's3://bucket/dir/');
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /Mounted s3:\/\/bucket\/dir\/ at \/s3/);
    const list = await cli('mount', 'list');
    assert.match(list.stdout, /s3:\/\/bucket\/dir\/\s+on\s+\/s3/);
    assert.ok(!(r.stdout + r.stderr + list.stdout).includes(SECRET));
  });

  test('a missing bucket and an unsupported scheme are refused, and nothing is stored', async () => {
    let r = await cli('mount', 'add', '--path', '/gone', '--ufs-uri', 's3://no-such-bucket/dir/');
    assert.notEqual(r.code, 0, r.stdout);
    assert.match(r.stderr, /cannot mount s3:\/\/no-such-bucket\/dir\/.*NoSuchBucket/);
    r = await cli('mount', 'add', '--path', '/h', '--ufs-uri', 'gs://bucket/data');
    assert.notEqual(r.code, 0, r.stdout);
    assert.match(r.stderr, /unsupported UFS scheme 'gs'/);
    const list = await cli('mount', 'list');
    assert.doesNotMatch(list.stdout, /no-such-bucket|gs:/);
  });

  test('with the coordinator down, the CLI checks and stores the mount itself and says so', async () => {
    await coord.kill();
    const dir = join(tmp.path, 'nas');
    mkdirSync(dir);
    const r = await cli('mount', 'add', '--path', '/nas', '--ufs-uri', dir);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stderr, /does not answer.*checking the under-storage from this machine instead/);
    assert.match((await cli('mount', 'list')).stdout, /\s+on\s+\/nas/);
  });
});

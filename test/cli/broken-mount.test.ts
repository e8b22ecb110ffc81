// One broken mount (its S3 endpoint went away after it was mounted) must not break `fs ls /`:
// the rest of the namespace lists, the broken mount shows as a directory and is named on stderr
// with its reason (in JSON: mountError), and reading inside it fails with its own error. Real etcd, a real worker, a real s3rver process that is then stopped.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunningWorker } from '../../src/worker/worker-process.js';
import { runCli } from '../support/cli.js';
import { startEtcd, type EtcdCluster } from '../support/etcd.js';
import { startS3Server, type S3TestServer } from '../support/s3-server.js';
import { makeTempDir, type TempDir } from '../support/tmp.js';
import { startInProcessWorker, writeEtcdConf, type EtcdClusterConf } from '../cluster/harness.js';

describe('fs ls / with a broken mount', { timeout: 900_000 }, () => {
  let tmp: TempDir;
  let etcd: EtcdCluster;
  let s3: S3TestServer | undefined;
  let cc: EtcdClusterConf;
  let worker: RunningWorker | undefined;
  const secret = 'broken-mount-secret-7f3a';

  before(async () => {
    tmp = await makeTempDir('alluxio-broken-mount-');
    etcd = await startEtcd();
    s3 = await startS3Server({ buckets: ['bucket'] });
    cc = writeEtcdConf(tmp.path, etcd.endpoints, { 'alluxio.mount.check.timeout': '5s', 'alluxio.mount.credentials.plaintext.allowed': 'true',
      // The worker gives up on the dead endpoint at once instead of after its retries, well inside the client's read timeout.
      'alluxio.underfs.s3.max.error.retry': '0', 'alluxio.user.streaming.data.read.timeout': '60s' });
    const root = join(tmp.path, 'root');
    mkdirSync(root);
    writeFileSync(join(root, 'hello.txt'), 'hello\n');
    const nas = join(tmp.path, 'nas');
    mkdirSync(nas);
    writeFileSync(join(nas, 'a.txt'), 'a\n');
    for (const [path, uri, ...opts] of [['/', root], ['/nas', nas],
      ['/s3', 's3://bucket/dir/', '--option', `alluxio.underfs.s3.endpoint=${s3.endpoint}`, '--option', 's3a.accessKeyId=S3RVER', '--option', `s3a.secretKey=${secret}`]]) {
      const r = await runCli(['mount', 'add', '--path', path!, '--ufs-uri', uri!, ...opts], cc.env);
      assert.equal(r.code, 0, r.stderr);
    }
    worker = await startInProcessWorker(cc, tmp.path, 0);
    await s3.stop(); // the /s3 mount is broken from now on
    s3 = undefined;
  });
  after(async () => {
    await worker?.close();
    await s3?.stop();
    await etcd?.cleanup();
    await tmp?.cleanup();
  });

  test('the rest of the namespace lists; the broken mount shows as a directory; reading in it names its error', async () => {
    const r = await runCli(['fs', 'ls', '/'], cc.env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /\/hello\.txt/);
    assert.match(r.stdout, /\/nas\b/);
    assert.match(r.stdout, /\/s3\b/);
    const nas = await runCli(['fs', 'cat', '/nas/a.txt'], cc.env);
    assert.equal(nas.stdout, 'a\n', nas.stderr);
    const broken = await runCli(['fs', 'ls', '/s3'], cc.env);
    assert.notEqual(broken.code, 0, broken.stdout);
    assert.match(broken.stderr, /Error: /);
  });

  test('fs ls names each broken mount on stderr with its reason, exits 0 for a whole listing and 1 with -R; --json has mountError', async () => {
    const r = await runCli(['fs', 'ls', '/'], cc.env);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stderr.split('\n').filter((l) => l.includes('mount point'));
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0]!, /^fs ls: mount point \/s3 is listed without its contents: its under-storage fails: \S/);
    assert.doesNotMatch(r.stderr, /\/nas|hello/);
    assert.ok(!r.stderr.includes(secret) && !r.stdout.includes(secret), 'the mount secret must not be printed');

    const json = await runCli(['fs', 'ls', '/', '--json'], cc.env);
    assert.equal(json.code, 0, json.stderr);
    const rows = JSON.parse(json.stdout) as Array<{ path: string; mountError?: string }>;
    const byPath = new Map(rows.map((x) => [x.path, x]));
    assert.equal(typeof byPath.get('/s3')?.mountError, 'string');
    assert.ok(byPath.get('/s3')!.mountError!.length > 0);
    assert.equal(byPath.get('/nas')?.mountError, undefined);
    assert.equal(byPath.get('/hello.txt')?.mountError, undefined);
    assert.ok(!json.stdout.includes(secret));

    const rec = await runCli(['fs', 'ls', '-R', '/'], cc.env);
    assert.equal(rec.code, 1, rec.stderr);
    assert.match(rec.stdout, /\/nas\/a\.txt/);
    assert.match(rec.stderr, /mount point \/s3 /);
  });
});

// Mount credentials at rest and mount checks (issue 10, defects 8 and 9), against a real etcd, a
// real s3rver process, a worker and a coordinator of an ETCD cluster, and the real CLI.
// s3rver does not verify SigV4 signatures (it checks only that the access key exists), so wrong
// secrets are tested against a worker's own S3 API with signature verification on.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Etcd3 } from 'etcd3';
import { startCoordinator, type RunningCoordinator } from '../../src/coordinator/coordinator-process.js';
import { createLogger } from '../../src/common/logging.js';
import type { RunningWorker } from '../../src/worker/worker-process.js';
import { runCli } from '../support/cli.js';
import { freePort, startEtcd, waitFor, type EtcdCluster } from '../support/etcd.js';
import { startS3Server, type S3TestServer } from '../support/s3-server.js';
import { ACCESS_KEY, SECRET_KEY, startS3TestCluster, type S3TestCluster } from '../support/s3-clients.js';
import { makeTempDir, type TempDir } from '../support/tmp.js';
import { startInProcessWorker, writeEtcdConf, type EtcdClusterConf } from '../cluster/harness.js';

const KEY_PROP = 'alluxio.mount.credentials.encryption.key.file';
const ENDPOINT = 'alluxio.underfs.s3.endpoint';

describe('mount credentials at rest and mount checks', () => {
  let tmp: TempDir;
  let etcd: EtcdCluster;
  let s3: S3TestServer;
  let signed: S3TestCluster;
  let cc: EtcdClusterConf;
  let worker: RunningWorker;
  let coord: RunningCoordinator;
  let raw: Etcd3;
  let keyFile: string;
  let localDir: string;
  // s3rver accepts any secret for its access key S3RVER (no SigV4 check), so this one can be unique.
  const SECRET = `s3cr3t-${randomBytes(6).toString('hex')}`;

  const api = (path: string, init?: RequestInit) => fetch(`${coord.url}${path}`, init);
  const postMount = (body: unknown) => api('/api/v1/mount', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const mountedPaths = async () => ((await (await api('/api/v1/mount')).json()) as Array<{ path: string }>).map((m) => m.path);
  const secretKeyOf = (path: string) => `/alluxio/mount-secrets/${cc.clusterName}/${encodeURIComponent(path)}`;
  const s3Options = (over: Record<string, string> = {}) => ({ [ENDPOINT]: s3.endpoint, 's3a.accessKeyId': 'S3RVER', 's3a.secretKey': SECRET, ...over });

  before(async () => {
    tmp = await makeTempDir('alluxio-mount-creds-');
    [etcd, s3, signed] = await Promise.all([startEtcd(), startS3Server({ buckets: ['creds'] }), startS3TestCluster({ auth: true, buckets: ['signed'] })]);
    writeFileSync(join(signed.ufsDir, 'signed', 'hi.txt'), 'signed hello\n');
    const put = new S3Client({ endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
    await put.send(new PutObjectCommand({ Bucket: 'creds', Key: 'data/hello.txt', Body: 'hello creds\n' }));
    put.destroy();
    keyFile = join(tmp.path, 'mount-credentials.key');
    writeFileSync(keyFile, randomBytes(32).toString('base64') + '\n', { mode: 0o600 });
    localDir = join(tmp.path, 'local');
    mkdirSync(localDir);
    writeFileSync(join(localDir, 'l.txt'), 'local\n');
    cc = writeEtcdConf(tmp.path, etcd.endpoints, { [KEY_PROP]: keyFile, 'alluxio.coordinator.web.port': '0' });
    worker = await startInProcessWorker(cc, tmp.path, 0);
    coord = await startCoordinator(cc.conf(), { log: createLogger('test-coordinator', 'silent') });
    raw = new Etcd3({ hosts: etcd.endpoints });
  });

  after(async () => {
    raw?.close();
    await coord?.close();
    await worker?.close();
    await signed?.stop();
    await s3?.stop();
    await etcd?.cleanup();
    await tmp?.cleanup();
  });

  test('credentials are encrypted in etcd, decrypted by the worker, and compacted out of etcd history on unmount', async () => {
    const res = await postMount({ path: '/s3', ufs: 's3://creds/data/', options: s3Options() });
    assert.equal(res.status, 200, await res.clone().text());

    // Nothing in etcd holds the secret; its option is stored sealed.
    const everything = await raw.getAll().prefix('/').strings();
    assert.ok(!JSON.stringify(everything).includes(SECRET), 'the secret is in etcd in plain text');
    const stored = JSON.parse(everything[secretKeyOf('/s3')]!) as Record<string, string>;
    assert.match(stored['s3a.secretKey']!, /^enc:v1:[0-9a-f]{8}:/);

    // The worker decrypts it and reads through the mount from s3rver.
    await waitFor('the worker sees /s3 with its secret decrypted', () => {
      try {
        return worker.client.namespace.mounts.resolve('/s3/hello.txt').mount.options['s3a.secretKey'] === SECRET;
      } catch {
        return false;
      }
    });
    const rest = `http://127.0.0.1:${worker.info.address.HttpServerPort}`;
    let r = await fetch(`${rest}/v1/read?path=/s3/hello.txt`);
    assert.equal(await r.text(), 'hello creds\n');

    // A store that verifies signatures proves the worker signs with the decrypted secret.
    const good = await postMount({ path: '/signed', ufs: 's3://signed/', options: { [ENDPOINT]: signed.endpoints[0]!, 's3a.accessKeyId': ACCESS_KEY, 's3a.secretKey': SECRET_KEY } });
    assert.equal(good.status, 200, await good.clone().text());
    await waitFor('worker reads /signed', async () => (await fetch(`${rest}/v1/read?path=/signed/hi.txt`)).ok);
    r = await fetch(`${rest}/v1/read?path=/signed/hi.txt`);
    assert.equal(await r.text(), 'signed hello\n');

    // Every revision that held the credentials, up to the removal, is compacted away.
    const kv = (await raw.get(secretKeyOf('/s3')).exec()).kvs[0]!;
    const firstRev = Number(kv.create_revision);
    assert.equal((await api('/api/v1/mount?path=/s3', { method: 'DELETE' })).status, 200);
    const now = Number((await raw.get('/nothing').exec()).header.revision);
    for (let rev = firstRev; rev < now; rev++) {
      await assert.rejects(raw.get(secretKeyOf('/s3')).revision(rev).string(), /compacted/, `revision ${rev} is still readable`);
    }
    assert.equal(await raw.get(secretKeyOf('/s3')).string(), null);
    // The worker drops the mount; the other mount is still read.
    await waitFor('worker drops /s3', async () => (await fetch(`${rest}/v1/read?path=/s3/hello.txt`)).status === 404);
    assert.equal(await (await fetch(`${rest}/v1/read?path=/signed/hi.txt`)).text(), 'signed hello\n');
  });

  test('a process with another key, or none, fails with a clear error naming the property', async () => {
    const res = await postMount({ path: '/keep', ufs: localDir, options: { 's3a.secretKey': SECRET } });
    assert.equal(res.status, 200, await res.clone().text());
    const sealed = JSON.parse((await raw.get(secretKeyOf('/keep')).string())!) as Record<string, string>;
    const cipherText = sealed['s3a.secretKey']!.split(':')[3]!;

    const otherKey = join(tmp.path, 'other.key');
    writeFileSync(otherKey, randomBytes(32).toString('hex'));
    await assert.rejects(startInProcessWorker(cc, tmp.path, 1, { [KEY_PROP]: otherKey }), (err: Error) => {
      assert.match(err.message, /mount \/keep: option s3a\.secretKey was encrypted with key [0-9a-f]{8}, but alluxio\.mount\.credentials\.encryption\.key\.file \(.*other\.key\) holds key [0-9a-f]{8}/);
      assert.ok(!err.message.includes(SECRET) && !err.message.includes(cipherText));
      return true;
    });
    // The CLI reads the mount table the same way.
    let r = await runCli(['fs', 'ls', '/keep', '--conf', `${KEY_PROP}=${otherKey}`], cc.env);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /alluxio\.mount\.credentials\.encryption\.key\.file/);
    assert.ok(!(r.stdout + r.stderr).includes(SECRET) && !(r.stdout + r.stderr).includes(cipherText));
    // A key file of the wrong length is refused before anything is read.
    const shortKey = join(tmp.path, 'short.key');
    writeFileSync(shortKey, randomBytes(16).toString('base64'));
    r = await runCli(['fs', 'ls', '/keep', '--conf', `${KEY_PROP}=${shortKey}`], cc.env);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /alluxio\.mount\.credentials\.encryption\.key\.file: the key file .*short\.key holds \d+ bytes that are not a 32-byte key/);
    // mount list prints credentials redacted, so it needs no key at all.
    r = await runCli(['mount', 'list', '--json', '--conf', `${KEY_PROP}=${otherKey}`], cc.env);
    assert.equal(r.code, 0, r.stderr);
    const listed = JSON.parse(r.stdout) as Array<{ path: string; options: Record<string, string> }>;
    assert.equal(listed.find((m) => m.path === '/keep')!.options['s3a.secretKey'], '***');
    assert.equal((await api('/api/v1/mount?path=/keep', { method: 'DELETE' })).status, 200);
  });

  test('without a key, credentials are refused unless plain text is explicitly allowed', async () => {
    const bare = writeEtcdConf(join(tmp.path, 'bare'), etcd.endpoints);
    let r = await runCli(['mount', 'add', '--path', '/p', '--ufs-uri', localDir, '--option', `s3a.secretKey=${SECRET}`], bare.env);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /mount \/p has credentials \(s3a\.secretKey\) but no key to encrypt them: set alluxio\.mount\.credentials\.encryption\.key\.file/);
    assert.ok(!(r.stdout + r.stderr).includes(SECRET));
    assert.deepEqual(await raw.getAll().prefix(`/alluxio/mount/${bare.clusterName}/`).keys(), [], 'nothing stored');
    // A mount without credentials needs no key.
    r = await runCli(['mount', 'add', '--path', '/q', '--ufs-uri', localDir], bare.env);
    assert.equal(r.code, 0, r.stderr);
    // The explicit opt-out stores plain text.
    r = await runCli(['mount', 'add', '--path', '/p', '--ufs-uri', localDir, '--option', `s3a.secretKey=${SECRET}`, '--conf', 'alluxio.mount.credentials.plaintext.allowed=true'], bare.env);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse((await raw.get(`/alluxio/mount-secrets/${bare.clusterName}/%2Fp`).string())!)['s3a.secretKey'], SECRET);
  });

  test('mount add makes one real request: a bad key, a wrong secret, a missing bucket or an unreachable endpoint is refused, naming the S3 code or the endpoint', async () => {
    const closedPort = await freePort();
    const cases: Array<{ name: string; ufs: string; options: Record<string, string>; expect: RegExp[] }> = [
      { name: 'unknown access key', ufs: 's3://creds/', options: s3Options({ 's3a.accessKeyId': 'NO-SUCH-KEY' }), expect: [/InvalidAccessKeyId/] },
      { name: 'wrong secret', ufs: 's3://signed/', options: { [ENDPOINT]: signed.endpoints[0]!, 's3a.accessKeyId': ACCESS_KEY, 's3a.secretKey': SECRET }, expect: [/SignatureDoesNotMatch/] },
      { name: 'missing bucket', ufs: 's3://no-such-bucket/dir/', options: s3Options(), expect: [/NoSuchBucket/, /does not exist/] },
      { name: 'nothing listening', ufs: 's3://creds/', options: s3Options({ [ENDPOINT]: `http://127.0.0.1:${closedPort}` }), expect: [/ECONNREFUSED/, new RegExp(`S3 endpoint http://127\\.0\\.0\\.1:${closedPort} is unreachable`)] },
      { name: 'unknown host', ufs: 's3://creds/', options: s3Options({ [ENDPOINT]: 'http://no-such-host.invalid:9000' }), expect: [/S3 endpoint http:\/\/no-such-host\.invalid:9000/] },
    ];
    for (const c of cases) {
      const res = await postMount({ path: '/bad', ufs: c.ufs, options: c.options });
      const text = await res.text();
      assert.equal(res.status, 400, `${c.name}: ${text}`);
      const body = JSON.parse(text) as { code: string; message: string };
      assert.equal(body.code, 'ALX_ERR_MOUNT', c.name);
      for (const e of c.expect) assert.match(body.message, e, c.name);
      assert.ok(!text.includes(SECRET), `${c.name}: the secret is in the error`);
    }
    assert.ok(!(await mountedPaths()).includes('/bad'), 'a refused mount was stored');

    // `alluxio mount add` makes the same check.
    const o = (k: string, v: string) => ['--option', `${k}=${v}`];
    let r = await runCli(['mount', 'add', '--path', '/bad', '--ufs-uri', 's3://signed/', ...o(ENDPOINT, signed.endpoints[0]!), ...o('s3a.accessKeyId', ACCESS_KEY), ...o('s3a.secretKey', SECRET)], cc.env);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /SignatureDoesNotMatch/);
    assert.ok(!(r.stdout + r.stderr).includes(SECRET));
    r = await runCli(['mount', 'add', '--path', '/bad', '--ufs-uri', 's3://no-such-bucket/', ...o(ENDPOINT, s3.endpoint), ...o('s3a.accessKeyId', 'S3RVER'), ...o('s3a.secretKey', SECRET)], cc.env);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /NoSuchBucket/);
    assert.ok(!(await mountedPaths()).includes('/bad'));
    r = await runCli(['mount', 'add', '--path', '/good', '--ufs-uri', 's3://creds/data/', ...o(ENDPOINT, s3.endpoint), ...o('s3a.accessKeyId', 'S3RVER'), ...o('s3a.secretKey', SECRET)], cc.env);
    assert.equal(r.code, 0, r.stderr);
    assert.ok((await mountedPaths()).includes('/good'));
  });
});

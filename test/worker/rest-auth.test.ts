// Authentication of the worker REST API (28080) and the coordinator API (19999), against real
// processes started by `alluxio local start`: with alluxio.worker.s3.auth.enabled and a credentials
// file, every mutating call needs a SigV4 signature or a bearer token from that file, and a refused
// call leaves the UFS as it was; reads stay open unless auth.reads; read.only refuses every
// mutation; the CLI sends alluxio.user.auth.token.file; secrets appear in no answer and no log.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'undici';
import { DeleteObjectsCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { makeTempDir, type TempDir } from '../support/tmp.js';
import { runCli } from '../support/cli.js';
import { localPortBase } from '../support/ports.js';
import { sigV4Headers } from '../support/sigv4-signer.js';
import { workerPorts } from '../../src/local/local-layout.js';
import { servicePorts } from '../../src/local/local-etcd.js';

const ACCESS = 'AKIDRESTTEST';
const SECRET = 'rest-secret-' + randomBytes(12).toString('hex');
const TOKEN = 'tok-' + randomBytes(16).toString('hex');
const WRONG_SECRET = 'wrong-secret-' + randomBytes(8).toString('hex');

interface Answer { status: number; code?: string; message?: string; text: string }

async function call(method: string, url: string, headers: Record<string, string> = {}, body?: string): Promise<Answer> {
  const r = await request(url, { method: method as 'GET', headers, body });
  const text = await r.body.text();
  let j: { code?: string; message?: string } = {};
  try { j = JSON.parse(text) as typeof j; } catch { /* not JSON */ }
  return { status: r.statusCode, code: j.code, message: j.message, text };
}

const bearer = { authorization: `Bearer ${TOKEN}` };

/** Every mutating call of the worker REST API, each with what it would change in the UFS. */
function mutations(base: string, ufs: string, ufsUriOf: (p: string) => string) {
  const fileId = (p: string) => createHash('sha256').update(ufsUriOf(p)).digest('hex');
  return [
    { name: 'PUT /v1/file', method: 'PUT', url: `${base}/v1/file?path=/new.txt`, body: 'new data', changed: () => existsSync(join(ufs, 'new.txt')) },
    { name: 'DELETE /v1/file', method: 'DELETE', url: `${base}/v1/file?path=/victim1.txt`, changed: () => !existsSync(join(ufs, 'victim1.txt')) },
    { name: 'POST /v1/rm/{id}', method: 'POST', url: `${base}/v1/rm/${fileId('/victim2.txt')}?ufsFullPath=${encodeURIComponent(ufsUriOf('/victim2.txt'))}`, changed: () => !existsSync(join(ufs, 'victim2.txt')) },
    { name: 'POST /v1/mkdir', method: 'POST', url: `${base}/v1/mkdir?path=/newdir`, changed: () => existsSync(join(ufs, 'newdir')) },
    { name: 'POST /v1/mv', method: 'POST', url: `${base}/v1/mv?srcPath=/victim3.txt&dstPath=/moved.txt`, changed: () => existsSync(join(ufs, 'moved.txt')) },
    { name: 'POST /v1/chunk/{id}', method: 'POST', url: `${base}/v1/chunk/${fileId('/chunked.txt')}?ufsFullPath=${encodeURIComponent(ufsUriOf('/chunked.txt'))}`, body: 'chunk data', changed: () => existsSync(join(ufs, 'chunked.txt')) },
    { name: 'POST /v1/file/{id}/page/0', method: 'POST', url: `${base}/v1/file/${fileId('/paged.txt')}/page/0?ufsFullPath=${encodeURIComponent(ufsUriOf('/paged.txt'))}`, body: 'page data', changed: () => existsSync(join(ufs, 'paged.txt')) },
    { name: 'POST /v1/touch/{id}', method: 'POST', url: `${base}/v1/touch/${fileId('/touched.txt')}?ufsFullPath=${encodeURIComponent(ufsUriOf('/touched.txt'))}`, changed: () => existsSync(join(ufs, 'touched.txt')) },
    { name: 'POST /v1/copy/{id}', method: 'POST', url: `${base}/v1/copy/${fileId('/keep.txt')}?srcPath=${encodeURIComponent(ufsUriOf('/keep.txt'))}&dstPath=${encodeURIComponent(ufsUriOf('/copied.txt'))}`, changed: () => existsSync(join(ufs, 'copied.txt')) },
    { name: 'POST /v1/load submit', method: 'POST', url: `${base}/v1/load?path=/data&opType=submit`, changed: () => false },
    { name: 'GET /v1/load submit', method: 'GET', url: `${base}/v1/load?path=/data&opType=submit`, changed: () => false },
  ];
}

function seedUfs(ufs: string): void {
  mkdirSync(join(ufs, 'data'), { recursive: true });
  for (const f of ['keep.txt', 'victim1.txt', 'victim2.txt', 'victim3.txt']) writeFileSync(join(ufs, f), `contents of ${f}\n`);
  writeFileSync(join(ufs, 'data', 'a.bin'), randomBytes(10_000));
}

function allLogs(state: string): string {
  const dir = join(state, 'logs');
  return readdirSync(dir).map((f) => readFileSync(join(dir, f), 'utf8')).join('\n');
}

/** Local addresses of the TCP sockets listening on `port` (from /proc/net/tcp and tcp6). */
function listenAddresses(port: number): string[] {
  const out: string[] = [];
  for (const f of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!existsSync(f)) continue;
    for (const line of readFileSync(f, 'utf8').split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 4 || cols[3] !== '0A') continue; // 0A = LISTEN
      const [addr, p] = cols[1]!.split(':');
      if (parseInt(p!, 16) === port) out.push(addr!);
    }
  }
  return out;
}

describe('REST API with authentication configured (local cluster, 2 workers, etcd, coordinator)', { timeout: 240_000 }, () => {
  let tmp: TempDir;
  let ufs: string;
  let state: string;
  let env: Record<string, string>;
  let base: string;
  let ufsRoot: string;
  let tokenFile: string;
  const portBase = localPortBase([11, 12]);
  const w0 = workerPorts(0, portBase);
  const w1 = workerPorts(1, portBase);
  const coordinator = `http://127.0.0.1:${servicePorts(portBase).coordinatorWeb}`;
  const ufsUriOf = (p: string) => ufsRoot + p;

  before(async () => {
    tmp = await makeTempDir('alluxio-rest-auth-');
    ufs = join(tmp.path, 'ufs');
    state = join(tmp.path, 'state');
    seedUfs(ufs);
    const creds = join(tmp.path, 'credentials');
    writeFileSync(creds, `# S3 and REST credentials\n${ACCESS}:${SECRET}\ntoken cli ${TOKEN}\n`, { mode: 0o600 });
    tokenFile = join(tmp.path, 'token');
    writeFileSync(tokenFile, `${TOKEN}\n`, { mode: 0o600 });
    env = { ALLUXIO_CONF_DIR: join(state, 'conf') };
    const r = await runCli(['local', 'start', '--workers', '2', '--ufs', ufs, '--dir', state, '--page-size', '64KB', '--cache-size', '32MB',
      '--port-base', String(portBase), '--conf', 'alluxio.worker.s3.auth.enabled=true', '--conf', `alluxio.worker.s3.auth.credentials.file=${creds}`], env);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    base = `http://127.0.0.1:${w0.http}`;
    const info = await call('GET', `${base}/v1/info?path=/keep.txt`);
    assert.equal(info.status, 200, info.text);
    const ufsPath = (JSON.parse(info.text) as Array<{ mUfsPath: string }>)[0]!.mUfsPath;
    ufsRoot = ufsPath.slice(0, -'/keep.txt'.length);
  });

  after(async () => {
    await runCli(['local', 'stop', '--dir', state], env);
    await tmp?.cleanup();
  });

  test('anonymous mutations are refused with 401 naming what is missing, and the UFS is unchanged', async () => {
    for (const m of mutations(base, ufs, ufsUriOf)) {
      const a = await call(m.method, m.url, {}, m.body);
      assert.equal(a.status, 401, `${m.name}: ${a.text}`);
      assert.equal(a.code, 'ALX_ERR_UNAUTHENTICATED', m.name);
      assert.match(a.message!, /needs credentials/, m.name);
      assert.match(a.message!, /Bearer/, m.name);
      assert.equal(m.changed(), false, `${m.name} changed the UFS`);
    }
    for (const f of ['keep.txt', 'victim1.txt', 'victim2.txt', 'victim3.txt']) assert.ok(existsSync(join(ufs, f)), f);
  });

  test('a wrong secret, an unknown key, a wrong token and another scheme are refused; nothing changes', async () => {
    const url = `${base}/v1/file?path=/victim1.txt`;
    const wrongSecret = await call('DELETE', url, await sigV4Headers('DELETE', url, ACCESS, WRONG_SECRET));
    assert.equal(wrongSecret.status, 403, wrongSecret.text);
    assert.equal(wrongSecret.code, 'ALX_ERR_PERMISSION_DENIED');
    assert.match(wrongSecret.message!, /SignatureDoesNotMatch/);
    const unknownKey = await call('DELETE', url, await sigV4Headers('DELETE', url, 'AKIDNOBODY', SECRET));
    assert.equal(unknownKey.status, 403, unknownKey.text);
    assert.match(unknownKey.message!, /InvalidAccessKeyId/);
    const wrongToken = await call('DELETE', url, { authorization: `Bearer ${TOKEN}x` });
    assert.equal(wrongToken.status, 403, wrongToken.text);
    assert.match(wrongToken.message!, /bearer token is not one of the tokens/);
    const basic = await call('DELETE', url, { authorization: `Basic ${Buffer.from(`${ACCESS}:${SECRET}`).toString('base64')}` });
    assert.equal(basic.status, 401, basic.text);
    // A secret used as a bearer token is not a token.
    const secretAsToken = await call('DELETE', url, { authorization: `Bearer ${SECRET}` });
    assert.equal(secretAsToken.status, 403, secretAsToken.text);
    assert.ok(existsSync(join(ufs, 'victim1.txt')));
    for (const a of [wrongSecret, unknownKey, wrongToken, basic, secretAsToken]) {
      for (const s of [SECRET, WRONG_SECRET, TOKEN]) assert.ok(!a.text.includes(s), `an answer quotes a secret: ${a.text}`);
    }
  });

  test('reads stay open without credentials', async () => {
    assert.equal((await call('GET', `${base}/v1/files?path=/`)).status, 200);
    const read = await call('GET', `${base}/v1/read?path=/keep.txt`);
    assert.equal(read.status, 200);
    assert.equal(read.text, 'contents of keep.txt\n');
    assert.equal((await call('GET', `${base}/v1/load?path=/data&opType=progress`)).status, 404); // no job: allowed, nothing to show
    assert.equal((await call('GET', `${coordinator}/api/v1/mount`)).status, 200);
  });

  test('a SigV4 signature from the AWS SDK signer authorizes write, mkdir, mv and delete', async () => {
    const put = `${base}/v1/file?path=/signed.txt`;
    const w = await call('PUT', put, await sigV4Headers('PUT', put, ACCESS, SECRET, 'UNSIGNED-PAYLOAD', { 'content-length': '6' }), 'signed');
    assert.equal(w.status, 200, w.text);
    assert.equal(readFileSync(join(ufs, 'signed.txt'), 'utf8'), 'signed');
    const mkdir = `${base}/v1/mkdir?path=/signed-dir`;
    assert.equal((await call('POST', mkdir, await sigV4Headers('POST', mkdir, ACCESS, SECRET))).status, 200);
    assert.ok(existsSync(join(ufs, 'signed-dir')));
    const mv = `${base}/v1/mv?srcPath=/signed.txt&dstPath=/signed-dir/moved.txt`;
    assert.equal((await call('POST', mv, await sigV4Headers('POST', mv, ACCESS, SECRET))).status, 200);
    assert.ok(existsSync(join(ufs, 'signed-dir', 'moved.txt')));
    // The SHA-256 of an empty body is a payload hash the REST API can honour.
    const del = `${base}/v1/file?path=/signed-dir/moved.txt`;
    const emptyHash = createHash('sha256').update('').digest('hex');
    assert.equal((await call('DELETE', del, await sigV4Headers('DELETE', del, ACCESS, SECRET, emptyHash))).status, 200);
    assert.ok(!existsSync(join(ufs, 'signed-dir', 'moved.txt')));
  });

  test('a signed body hash is refused on the REST API (bodies are not checked there), and nothing is written', async () => {
    const put = `${base}/v1/file?path=/hashed.txt`;
    const hash = createHash('sha256').update('hashed').digest('hex');
    const a = await call('PUT', put, await sigV4Headers('PUT', put, ACCESS, SECRET, hash, { 'content-length': '6' }), 'hashed');
    assert.equal(a.status, 400, a.text);
    assert.match(a.message!, /UNSIGNED-PAYLOAD/);
    assert.ok(!existsSync(join(ufs, 'hashed.txt')));
  });

  test('a bearer token from the credentials file authorizes every mutation', async () => {
    const ms = mutations(base, ufs, ufsUriOf);
    for (const m of ms) {
      const a = await call(m.method, m.url, m.body ? { ...bearer, 'content-length': String(m.body.length) } : bearer, m.body);
      assert.equal(a.status, 200, `${m.name}: ${a.text}`);
      if (m.name.includes('load')) continue;
      assert.equal(m.changed(), true, `${m.name} did not change the UFS`);
    }
    assert.equal(readFileSync(join(ufs, 'new.txt'), 'utf8'), 'new data');
  });

  test('the CLI sends alluxio.user.auth.token.file; without it, mutations fail with a clear message', async () => {
    const local = join(tmp.path, 'upload.bin');
    writeFileSync(local, randomBytes(3000));
    const noCreds = await runCli(['fs', 'mkdir', '/cli-dir'], env);
    assert.notEqual(noCreds.code, 0);
    assert.match(noCreds.stderr, /needs credentials/);
    assert.match(noCreds.stderr, /alluxio\.user\.auth\.token\.file/);
    assert.ok(!existsSync(join(ufs, 'cli-dir')));
    const noCp = await runCli(['fs', 'cp', `file://${local}`, '/cli-upload.bin'], env);
    assert.notEqual(noCp.code, 0);
    assert.match(noCp.stderr, /needs credentials/);
    assert.ok(!existsSync(join(ufs, 'cli-upload.bin')));

    const withToken = (...args: string[]) => runCli(['--conf', `alluxio.user.auth.token.file=${tokenFile}`, ...args], env);
    let r = await withToken('fs', 'mkdir', '/cli-dir');
    assert.equal(r.code, 0, r.stderr);
    assert.ok(existsSync(join(ufs, 'cli-dir')));
    r = await withToken('fs', 'cp', `file://${local}`, '/cli-dir/upload.bin');
    assert.equal(r.code, 0, r.stderr);
    assert.ok(readFileSync(join(ufs, 'cli-dir', 'upload.bin')).equals(readFileSync(local)));
    r = await withToken('fs', 'rm', '-R', '/cli-dir');
    assert.equal(r.code, 0, r.stderr);
    assert.ok(!existsSync(join(ufs, 'cli-dir')));
    // Reads need nothing.
    r = await runCli(['fs', 'cat', '/keep.txt'], env);
    assert.equal(r.stdout, 'contents of keep.txt\n');
  });

  test('the coordinator refuses anonymous mount add/remove and accepts the token', async () => {
    const mountUfs = join(tmp.path, 'other-ufs');
    mkdirSync(mountUfs, { recursive: true });
    const body = JSON.stringify({ path: '/other', ufs: mountUfs });
    const anon = await call('POST', `${coordinator}/api/v1/mount`, { 'content-type': 'application/json' }, body);
    assert.equal(anon.status, 401, anon.text);
    assert.equal(anon.code, 'ALX_ERR_UNAUTHENTICATED');
    assert.ok(!(await call('GET', `${coordinator}/api/v1/mount`)).text.includes('/other'));
    const added = await call('POST', `${coordinator}/api/v1/mount`, { ...bearer, 'content-type': 'application/json' }, body);
    assert.equal(added.status, 200, added.text);
    const anonRemove = await call('DELETE', `${coordinator}/api/v1/mount?path=/other`);
    assert.equal(anonRemove.status, 401, anonRemove.text);
    assert.ok((await call('GET', `${coordinator}/api/v1/mount`)).text.includes('/other'));
    const url = `${coordinator}/api/v1/mount?path=/other`;
    const removed = await call('DELETE', url, await sigV4Headers('DELETE', url, ACCESS, SECRET));
    assert.equal(removed.status, 200, removed.text);
  });

  test('S3 DeleteObjects still deletes keys another worker owns (the worker authenticates its own call)', async () => {
    const s3 = new S3Client({ endpoint: `http://127.0.0.1:${w0.s3}`, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: ACCESS, secretAccessKey: SECRET } });
    try {
      const keys = Array.from({ length: 12 }, (_, i) => `k${i}.txt`);
      for (const k of keys) await s3.send(new PutObjectCommand({ Bucket: 'data', Key: k, Body: `v-${k}` }));
      for (const k of keys) assert.ok(existsSync(join(ufs, 'data', k)), k);
      const r = await s3.send(new DeleteObjectsCommand({ Bucket: 'data', Delete: { Objects: keys.map((Key) => ({ Key })) } }));
      assert.deepEqual(r.Errors ?? [], []);
      for (const k of keys) assert.ok(!existsSync(join(ufs, 'data', k)), `${k} still in the UFS`);
    } finally {
      s3.destroy();
    }
  });

  test('every port of `alluxio local start` listens on 127.0.0.1 only', () => {
    const svc = servicePorts(portBase);
    for (const port of [w0.http, w0.s3, w0.web, w1.http, w1.s3, w1.web, svc.coordinatorWeb, svc.etcdClient, svc.etcdPeer]) {
      const addrs = listenAddresses(port);
      assert.ok(addrs.length > 0, `nothing listens on ${port}`);
      assert.deepEqual([...new Set(addrs)], ['0100007F'], `port ${port} listens on ${addrs.join(',')}`);
    }
  });

  test('no secret or token appears in any process log', () => {
    const logs = allLogs(state);
    assert.match(logs, /mutations need credentials/); // the workers said how they were configured
    for (const s of [SECRET, WRONG_SECRET, TOKEN]) assert.ok(!logs.includes(s), 'a secret is in the logs');
  });
});

describe('REST API read-only, with credentials for reads (local cluster, no etcd)', { timeout: 120_000 }, () => {
  let tmp: TempDir;
  let ufs: string;
  let state: string;
  let env: Record<string, string>;
  let base: string;
  let tokenFile: string;
  const portBase = localPortBase([13]);

  before(async () => {
    tmp = await makeTempDir('alluxio-rest-ro-');
    ufs = join(tmp.path, 'ufs');
    state = join(tmp.path, 'state');
    seedUfs(ufs);
    const creds = join(tmp.path, 'credentials');
    writeFileSync(creds, `${ACCESS}:${SECRET}\ntoken reader ${TOKEN}\n`, { mode: 0o600 });
    tokenFile = join(tmp.path, 'token');
    writeFileSync(tokenFile, `# for the CLI\ntoken reader ${TOKEN}\n`);
    env = { ALLUXIO_CONF_DIR: join(state, 'conf') };
    const r = await runCli(['local', 'start', '--no-etcd', '--ufs', ufs, '--dir', state, '--page-size', '64KB', '--cache-size', '32MB', '--port-base', String(portBase),
      '--conf', 'alluxio.worker.s3.auth.enabled=true', '--conf', `alluxio.worker.s3.auth.credentials.file=${creds}`,
      '--conf', 'alluxio.worker.http.server.read.only=true', '--conf', 'alluxio.worker.http.server.auth.reads=true'], env);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    base = `http://127.0.0.1:${workerPorts(0, portBase).http}`;
  });

  after(async () => {
    await runCli(['local', 'stop', '--dir', state], env);
    await tmp?.cleanup();
  });

  test('every mutation is refused with 403 naming the property, even with valid credentials', async () => {
    for (const m of mutations(base, ufs, (p) => `${ufs}${p}`)) {
      for (const headers of [{}, bearer, await sigV4Headers(m.method, m.url, ACCESS, SECRET)]) {
        const a = await call(m.method, m.url, headers, m.body);
        assert.equal(a.status, 403, `${m.name}: ${a.text}`);
        assert.equal(a.code, 'ALX_ERR_PERMISSION_DENIED');
        assert.match(a.message!, /alluxio\.worker\.http\.server\.read\.only=true/);
        assert.equal(m.changed(), false, `${m.name} changed the UFS`);
      }
    }
  });

  test('an anonymous read is refused; a read with the token or a signature is served; health stays open', async () => {
    const anon = await call('GET', `${base}/v1/files?path=/`);
    assert.equal(anon.status, 401, anon.text);
    assert.equal(anon.code, 'ALX_ERR_UNAUTHENTICATED');
    assert.equal((await call('GET', `${base}/v1/read?path=/keep.txt`)).status, 401);
    const withToken = await call('GET', `${base}/v1/read?path=/keep.txt`, bearer);
    assert.equal(withToken.status, 200, withToken.text);
    assert.equal(withToken.text, 'contents of keep.txt\n');
    const url = `${base}/v1/files?path=/`;
    assert.equal((await call('GET', url, await sigV4Headers('GET', url, ACCESS, SECRET))).status, 200);
    assert.equal((await call('GET', `${base}/v1/health`)).status, 200);
  });

  test('the CLI reads with its token file and fails clearly without it', async () => {
    const no = await runCli(['fs', 'ls', '/'], env);
    assert.notEqual(no.code, 0);
    assert.match(no.stderr, /needs credentials/);
    const yes = await runCli(['--conf', `alluxio.user.auth.token.file=${tokenFile}`, 'fs', 'ls', '/'], env);
    assert.equal(yes.code, 0, yes.stderr);
    assert.match(yes.stdout, /keep\.txt/);
    const rm = await runCli(['--conf', `alluxio.user.auth.token.file=${tokenFile}`, 'fs', 'rm', '/keep.txt'], env);
    assert.notEqual(rm.code, 0);
    assert.match(rm.stderr, /read-only/);
    assert.ok(existsSync(join(ufs, 'keep.txt')));
  });

  test('`info cluster` reaches the workers with the token file (their /v1/cache is a read)', async () => {
    const reachable = async (...conf: string[]) => {
      const r = await runCli([...conf, 'info', 'cluster', '--json'], env);
      assert.equal(r.code, 0, r.stderr);
      return (JSON.parse(r.stdout) as { workers: Array<{ reachable: boolean }> }).workers.map((w) => w.reachable);
    };
    assert.deepEqual(await reachable(), [false]);
    assert.deepEqual(await reachable('--conf', `alluxio.user.auth.token.file=${tokenFile}`), [true]);
  });

  test('no secret or token appears in the logs', () => {
    const logs = allLogs(state);
    assert.match(logs, /read-only, reads need credentials/);
    for (const s of [SECRET, TOKEN]) assert.ok(!logs.includes(s), 'a secret is in the logs');
  });
});

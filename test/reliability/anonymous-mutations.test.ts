// With S3 authentication on (alluxio.worker.s3.auth.enabled + a credentials file), nobody writes
// anonymously: every mutation without credentials, over the worker REST API (28080), the S3 API
// (29998) and the CLI that speaks REST, is refused and the UFS stays byte for byte as it was. A
// signed S3 PutObject with the configured key still works, so the refusals are not a broken server.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DeleteObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { runCli } from '../support/cli.js';
import { makeTempDir, type TempDir } from '../support/tmp.js';
import { treeDigest } from '../support/tree-digest.js';
import { BUCKET, startReliabilityCluster, type ReliabilityCluster } from './harness.js';

const ACCESS_KEY = 'reliability-user';
const SECRET_KEY = 'reliability-secret-0123456789abcdef';

interface Attempt { api: string; op: string; refused: boolean; changed: boolean; detail: string }

describe('reliability: anonymous mutations with auth on', () => {
  let c: ReliabilityCluster;
  let credDir: TempDir;
  const attempts: Attempt[] = [];
  let pristine: string;

  /** The UFS as it was at the start, so each attempt is judged on its own. */
  function reset(): void {
    for (const n of readdirSync(c.ufs)) rmSync(join(c.ufs, n), { recursive: true, force: true });
    mkdirSync(join(c.ufs, BUCKET));
    for (const [p, data] of c.files) writeFileSync(join(c.ufs, p), data);
    writeFileSync(join(c.ufs, BUCKET, 'src.txt'), 'source of a rename\n');
    if (pristine !== undefined) assert.equal(snapshot(), pristine);
  }

  async function attempt(api: string, op: string, run: () => Promise<{ refused: boolean; detail: string }>): Promise<void> {
    reset();
    const r = await run();
    attempts.push({ api, op, refused: r.refused, changed: snapshot() !== pristine, detail: r.detail.replace(/\s+/g, ' ').slice(0, 160) });
  }

  /** Every path, type and content hash of the UFS. */
  function snapshot(): string {
    return treeDigest(c.ufs);
  }

  before(async () => {
    credDir = await makeTempDir('alluxio-reliability-cred-');
    const cred = join(credDir.path, 's3-credentials');
    writeFileSync(cred, `# reliability suite\n${ACCESS_KEY}:${SECRET_KEY}\n`, { mode: 0o600 });
    c = await startReliabilityCluster({
      files: { 'keep.bin': 100_000, 'victim.bin': 50_000 },
      // No metadata caching: each attempt runs on a freshly reset UFS.
      props: { 'alluxio.worker.s3.auth.enabled': 'true', 'alluxio.worker.s3.auth.credentials.file': cred, 'alluxio.user.metadata.cache.expiration.time': '0' },
    });
    reset();
    pristine = snapshot();
  });
  after(async () => {
    await c?.stop();
    await credDir?.cleanup();
  });

  const http = (api: string, op: string, url: string, init: RequestInit) => attempt(api, op, async () => {
    const res = await fetch(url, init);
    return { refused: res.status === 401 || res.status === 403, detail: `HTTP ${res.status} ${await res.text()}` };
  });

  test('REST, S3 and CLI mutations without credentials are all refused; the UFS is unchanged', async () => {
    const w = c.workers[0]!;
    const q = (p: string) => encodeURIComponent(p);
    const uri = (p: string) => c.client.ufsUriOf(p);
    const fileId = (p: string) => createHash('sha256').update(uri(p)).digest('hex');

    await http('REST', 'PUT /v1/file (new)', `${w.rest}/v1/file?path=${q('/data/planted.txt')}`, { method: 'PUT', body: 'planted' });
    await http('REST', 'PUT /v1/file (overwrite)', `${w.rest}/v1/file?path=${q('/data/keep.bin')}`, { method: 'PUT', body: 'overwritten' });
    await http('REST', 'DELETE /v1/file', `${w.rest}/v1/file?path=${q('/data/victim.bin')}`, { method: 'DELETE' });
    await http('REST', 'DELETE /v1/file recursive', `${w.rest}/v1/file?path=${q('/data')}&recursive=true`, { method: 'DELETE' });
    await http('REST', 'POST /v1/rm/<fileId>', `${w.rest}/v1/rm/${fileId('/data/victim.bin')}?ufsFullPath=${q(uri('/data/victim.bin'))}`, { method: 'POST' });
    await http('REST', 'POST /v1/mkdir', `${w.rest}/v1/mkdir?path=${q('/data/newdir')}`, { method: 'POST' });
    await http('REST', 'POST /v1/mkdir/<fileId>', `${w.rest}/v1/mkdir/${fileId('/data/newdir2')}?ufsFullPath=${q(uri('/data/newdir2'))}`, { method: 'POST' });
    await http('REST', 'POST /v1/mv', `${w.rest}/v1/mv?srcPath=${q('/data/src.txt')}&dstPath=${q('/data/moved.txt')}`, { method: 'POST' });

    const s3 = c.s3Url(w);
    const amzDate = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
    await http('S3', 'PutObject', `${s3}/data/planted-s3.txt`, { method: 'PUT', body: 'planted' });
    await http('S3', 'PutObject (overwrite)', `${s3}/data/keep.bin`, { method: 'PUT', body: 'overwritten' });
    await http('S3', 'DeleteObject', `${s3}/data/victim.bin`, { method: 'DELETE' });
    await http('S3', 'DeleteObjects', `${s3}/data?delete`, { method: 'POST', body: '<Delete><Object><Key>victim.bin</Key></Object></Delete>', headers: { 'content-type': 'application/xml' } });
    await http('S3', 'CopyObject', `${s3}/data/copy.bin`, { method: 'PUT', headers: { 'x-amz-copy-source': '/data/keep.bin' } });
    await http('S3', 'CreateBucket', `${s3}/newbucket`, { method: 'PUT' });
    await http('S3', 'CreateMultipartUpload', `${s3}/data/mp.bin?uploads`, { method: 'POST' });
    await http('S3', 'PutObject with a made-up key', `${s3}/data/forged.txt`, {
      method: 'PUT', body: 'forged',
      headers: {
        authorization: `AWS4-HMAC-SHA256 Credential=nobody/${amzDate.slice(0, 8)}/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=${'0'.repeat(64)}`,
        'x-amz-date': amzDate, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD',
      },
    });

    const local = join(credDir.path, 'upload.txt');
    writeFileSync(local, 'planted by the CLI\n');
    for (const [op, args] of [['fs cp (upload)', ['fs', 'cp', `file://${local}`, '/data/planted-cli.txt']], ['fs rm', ['fs', 'rm', '/data/victim.bin']],
      ['fs mkdir', ['fs', 'mkdir', '/data/clidir']], ['fs rm -R', ['fs', 'rm', '-R', '/data']]] as const) {
      await attempt('CLI', op, async () => {
        const r = await runCli([...args], c.cc.env);
        return { refused: r.code !== 0 && /denied|auth|credential|anonymous|forbidden|401|403/i.test(r.stderr), detail: `exit ${r.code} ${r.stdout} ${r.stderr}` };
      });
    }
    reset();

    for (const a of attempts) console.log(`[reliability] anonymous ${a.api.padEnd(4)} ${a.op.padEnd(30)} ${a.refused ? 'refused' : 'ALLOWED'}${a.changed ? ' CHANGED-UFS' : ''}: ${a.detail}`);
    const allowed = attempts.filter((a) => !a.refused);
    const changed = attempts.filter((a) => a.changed);
    console.log(`[reliability] anonymous mutations: ${attempts.length} attempts, ${attempts.length - allowed.length} refused, ${allowed.length} allowed, ${changed.length} changed the UFS`);
    assert.deepEqual(changed.map((a) => `${a.api} ${a.op}`), [], 'anonymous requests changed the UFS');
    assert.deepEqual(allowed.map((a) => `${a.api} ${a.op}`), [], 'anonymous mutations were not refused');
  });

  test('control: a signed S3 PutObject and DeleteObject with the configured key work', async () => {
    const s3 = new S3Client({ endpoint: c.s3Url(c.workers[0]!), region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY } });
    try {
      await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'signed.txt', Body: 'signed write\n' }));
      assert.equal(readFileSync(join(c.ufs, BUCKET, 'signed.txt'), 'utf8'), 'signed write\n');
      await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'signed.txt' }));
      assert.throws(() => statSync(join(c.ufs, BUCKET, 'signed.txt')));
    } finally {
      s3.destroy();
    }
  });
});

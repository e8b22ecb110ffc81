// `alluxio mount add|list|remove` through the real CLI over a STATIC_FILE mount table, with an S3
// mount on a real s3rver process.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../support/cli.js';
import { startS3Server, type S3TestServer } from '../support/s3-server.js';
import { makeTempDir, type TempDir } from '../support/tmp.js';

describe('alluxio mount', () => {
  let tmp: TempDir;
  let s3: S3TestServer;
  let env: Record<string, string>;
  // s3rver checks the access key (S3RVER) but not SigV4 signatures, so any secret is accepted.
  const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';

  before(async () => {
    tmp = await makeTempDir('alluxio-mount-cli-');
    s3 = await startS3Server({ buckets: ['bucket'] });
    const conf = join(tmp.path, 'conf');
    mkdirSync(conf);
    const keyFile = join(tmp.path, 'mount-credentials.key');
    writeFileSync(keyFile, randomBytes(32).toString('hex'), { mode: 0o600 });
    writeFileSync(join(conf, 'alluxio-site.properties'), [
      'alluxio.mount.table.source=STATIC_FILE',
      `alluxio.mount.table.static.conf.file=${join(conf, 'mount_table')}`,
      `alluxio.mount.credentials.encryption.key.file=${keyFile}`,
      '',
    ].join('\n'));
    env = { ALLUXIO_CONF_DIR: conf };
  });
  after(async () => {
    await s3?.stop();
    await tmp.cleanup();
  });

  test('add, list (credentials redacted), remove', async () => {
    const s3opts = ['--option', `alluxio.underfs.s3.endpoint=${s3.endpoint}`, '--option', 's3a.accessKeyId=S3RVER', '--option', `s3a.secretKey=${SECRET}`];
    let r = await runCli(['mount', 'add', '--path', '/s3', '--ufs-uri', 's3://bucket/dir/', ...s3opts], env);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stdout + r.stderr, new RegExp(SECRET.replace(/[+/]/g, '\\$&')));
    mkdirSync(join(tmp.path, 'nas'));
    r = await runCli(['mount', 'add', '--path', '/nas', '--ufs-uri', join(tmp.path, 'nas')], env);
    assert.equal(r.code, 0, r.stderr);

    r = await runCli(['mount', 'list'], env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /s3:\/\/bucket\/dir\/\s+on\s+\/s3\s+properties=\{alluxio\.underfs\.s3\.endpoint=http:\/\/127\.0\.0\.1:\d+, s3a\.accessKeyId=S3RVER, s3a\.secretKey=\*\*\*\}/);
    assert.ok(!r.stdout.includes(SECRET), 'mount list printed the secret');
    const json = JSON.parse((await runCli(['mount', 'list', '--json'], env)).stdout) as Array<{ path: string; options: Record<string, string> }>;
    assert.equal(json.find((m) => m.path === '/s3')!.options['s3a.secretKey'], '***');
    // The file holds the secret encrypted (for the workers, who have the key), never in plain text.
    const table = readFileSync(join(tmp.path, 'conf', 'mount_table'), 'utf8');
    assert.ok(!table.includes(SECRET) && !table.includes(encodeURIComponent(SECRET)), 'the secret is in the mount table in plain text');
    assert.match(table, /s3a\.secretKey=enc%3Av1%3A[0-9a-f]{8}%3A/);

    r = await runCli(['mount', 'add', '--path', '/s3', '--ufs-uri', join(tmp.path, 'nas')], env);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /\/s3 already exists/);
    r = await runCli(['mount', 'add', '--path', '/a/b', '--ufs-uri', 's3://other/'], env);
    assert.match(r.stderr, /nested too deep/);
    // The under-storage is checked before anything is stored.
    r = await runCli(['mount', 'add', '--path', '/gone', '--ufs-uri', 's3://no-such-bucket/', ...s3opts], env);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /NoSuchBucket/);
    assert.ok(!(r.stdout + r.stderr).includes(SECRET));

    r = await runCli(['mount', 'remove', '--path', '/s3'], env);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual((JSON.parse((await runCli(['mount', 'list', '--json'], env)).stdout) as Array<{ path: string }>).map((m) => m.path), ['/nas']);
    r = await runCli(['mount', 'remove', '--path', '/s3'], env);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /no mount point at \/s3/);
  });
});

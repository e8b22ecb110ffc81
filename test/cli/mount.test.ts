// `alluxio mount add|list|remove` through the real CLI over a STATIC_FILE mount table.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../support/cli.js';
import { makeTempDir, type TempDir } from '../support/tmp.js';

describe('alluxio mount', () => {
  let tmp: TempDir;
  let env: Record<string, string>;
  const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';

  before(async () => {
    tmp = await makeTempDir('alluxio-mount-cli-');
    const conf = join(tmp.path, 'conf');
    mkdirSync(conf);
    writeFileSync(join(conf, 'alluxio-site.properties'), [
      'alluxio.mount.table.source=STATIC_FILE',
      `alluxio.mount.table.static.conf.file=${join(conf, 'mount_table')}`,
      '',
    ].join('\n'));
    env = { ALLUXIO_CONF_DIR: conf };
  });
  after(async () => { await tmp.cleanup(); });

  test('add, list (credentials redacted), remove', async () => {
    let r = await runCli(['mount', 'add', '--path', '/s3', '--ufs-uri', 's3://bucket/dir/', '--option', 's3a.accessKeyId=AKIDEXAMPLE', '--option', `s3a.secretKey=${SECRET}`], env);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stdout + r.stderr, new RegExp(SECRET.replace(/[+/]/g, '\\$&')));
    r = await runCli(['mount', 'add', '--path', '/nas', '--ufs-uri', join(tmp.path, 'nas')], env);
    assert.equal(r.code, 0, r.stderr);

    r = await runCli(['mount', 'list'], env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /s3:\/\/bucket\/dir\/\s+on\s+\/s3\s+properties=\{s3a\.accessKeyId=AKIDEXAMPLE, s3a\.secretKey=\*\*\*\}/);
    assert.ok(!r.stdout.includes(SECRET), 'mount list printed the secret');
    const json = JSON.parse((await runCli(['mount', 'list', '--json'], env)).stdout) as Array<{ path: string; options: Record<string, string> }>;
    assert.equal(json.find((m) => m.path === '/s3')!.options['s3a.secretKey'], '***');
    assert.ok(readFileSync(join(tmp.path, 'conf', 'mount_table'), 'utf8').includes(encodeURIComponent(SECRET)), 'the secret is stored for the workers');

    r = await runCli(['mount', 'add', '--path', '/s3', '--ufs-uri', 's3://other/'], env);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /\/s3 already exists/);
    r = await runCli(['mount', 'add', '--path', '/a/b', '--ufs-uri', 's3://other/'], env);
    assert.match(r.stderr, /nested too deep/);

    r = await runCli(['mount', 'remove', '--path', '/s3'], env);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual((JSON.parse((await runCli(['mount', 'list', '--json'], env)).stdout) as Array<{ path: string }>).map((m) => m.path), ['/nas']);
    r = await runCli(['mount', 'remove', '--path', '/s3'], env);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /no mount point at \/s3/);
  });
});

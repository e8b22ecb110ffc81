// rclone (Debian, aws-sdk-go v1 inside) against two workers with SigV4 on, configured from the
// environment: a directory tree copied in, checked, listed recursively, and copied back out. Keys
// land on both workers, so requests are proxied, and files over 2 MiB are sent with a signed
// Expect: 100-continue.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ACCESS_KEY, run, SECRET_KEY, startS3TestCluster, type S3TestCluster } from '../../support/s3-clients.js';

const TREE: Record<string, number> = {
  'top.txt': 100,
  'empty.bin': 0,
  'a/one.bin': 70_000,
  'a/b/two.bin': 3 * 1024 * 1024 + 17,
  'a/b/c/three.txt': 5,
  'space name/file +plus.txt': 1234,
  'z/deep/er/still/leaf.bin': 200_000,
};

describe('rclone', { timeout: 600_000 }, () => {
  let c: S3TestCluster;
  let env: Record<string, string>;
  let src: string;

  before(async () => {
    c = await startS3TestCluster({ workers: 2, auth: true });
    src = join(c.tmp.path, 'rclone-src');
    for (const [name, size] of Object.entries(TREE)) {
      mkdirSync(join(src, name, '..'), { recursive: true });
      writeFileSync(join(src, name), randomBytes(size));
    }
    const config = join(c.tmp.path, 'rclone.conf');
    writeFileSync(config, '');
    env = {
      RCLONE_CONFIG: config,
      RCLONE_CONFIG_ALX_TYPE: 's3',
      RCLONE_CONFIG_ALX_PROVIDER: 'Other',
      RCLONE_CONFIG_ALX_ENDPOINT: c.endpoints[0]!,
      RCLONE_CONFIG_ALX_ACCESS_KEY_ID: ACCESS_KEY,
      RCLONE_CONFIG_ALX_SECRET_ACCESS_KEY: SECRET_KEY,
      RCLONE_CONFIG_ALX_REGION: 'us-east-1',
      RCLONE_CONFIG_ALX_FORCE_PATH_STYLE: 'true',
    };
  });
  after(async () => c?.stop());

  const rclone = (args: string[]) => run('/usr/bin/rclone', [...args, '--retries', '1', '--low-level-retries', '1'], { env, timeoutMs: 300_000 });

  test('copy a tree in, check it, list it recursively, copy it back out', async () => {
    const put = await rclone(['copy', src, 'alx:bucket/tree']);
    assert.equal(put.code, 0, put.stderr);
    for (const [name] of Object.entries(TREE)) {
      assert.ok(readFileSync(join(c.ufsDir, 'bucket/tree', name)).equals(readFileSync(join(src, name))), `${name} in the UFS`);
    }
    const check = await rclone(['check', src, 'alx:bucket/tree']);
    assert.equal(check.code, 0, check.stderr);
    assert.match(check.stderr, new RegExp(`${Object.keys(TREE).length} matching files`));

    const lsf = await rclone(['lsf', '-R', 'alx:bucket/tree']);
    assert.equal(lsf.code, 0, lsf.stderr);
    const dirs = new Set<string>();
    for (const name of Object.keys(TREE)) {
      const parts = name.split('/');
      for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/') + '/');
    }
    assert.deepEqual(lsf.stdout.trim().split('\n').sort(), [...Object.keys(TREE), ...dirs].sort());

    const dst = join(c.tmp.path, 'rclone-dst');
    const get = await rclone(['copy', 'alx:bucket/tree', dst]);
    assert.equal(get.code, 0, get.stderr);
    for (const name of Object.keys(TREE)) assert.ok(readFileSync(join(dst, name)).equals(readFileSync(join(src, name))), `${name} copied out`);
    const back = await rclone(['check', src, dst]);
    assert.equal(back.code, 0, back.stderr);
  });
});

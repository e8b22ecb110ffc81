// rclone (Debian, aws-sdk-go v1 inside) against two workers with SigV4 on, configured from the
// environment: a directory tree copied in, checked, listed recursively, and copied back out. Keys
// land on both workers, so requests are proxied, and files over 2 MiB are sent with a signed
// Expect: 100-continue.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
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
  test('a multipart upload keeps the metadata rclone sets (mtime, MD5, Content-Type, user keys) and reads it back', async () => {
    const dir = join(c.tmp.path, 'rclone-mp');
    mkdirSync(dir, { recursive: true });
    const data = randomBytes(12 * 1024 * 1024 + 321);
    const file = join(dir, 'big.bin');
    writeFileSync(file, data);
    const mtime = new Date('2021-06-07T08:09:10Z');
    utimesSync(file, mtime, mtime);
    // 5 MiB parts: three parts, sent to worker 0 whichever worker owns the key.
    const put = await rclone(['copyto', file, 'alx:bucket/mp/big.bin', '--s3-upload-cutoff', '5M', '--s3-chunk-size', '5M', '-M',
      '--metadata-set', 'content-type=application/x-test', '--metadata-set', 'project=alluxio']);
    assert.equal(put.code, 0, put.stderr);
    assert.ok(readFileSync(join(c.ufsDir, 'bucket/mp/big.bin')).equals(data), 'the bytes in the UFS');
    const ls = await rclone(['lsjson', '--metadata', '--hash', 'alx:bucket/mp/big.bin']);
    assert.equal(ls.code, 0, ls.stderr);
    const [entry] = JSON.parse(ls.stdout) as Array<{ Size: number; ModTime: string; MimeType: string; Hashes?: Record<string, string>; Metadata?: Record<string, string> }>;
    assert.ok(entry, ls.stdout);
    assert.equal(entry.Size, data.length);
    assert.equal(new Date(entry.ModTime).getTime(), mtime.getTime(), `the mtime rclone stored as metadata (X-Amz-Meta-Mtime): ${ls.stdout}`);
    assert.equal(entry.MimeType, 'application/x-test', ls.stdout);
    assert.equal(entry.Metadata?.project, 'alluxio', ls.stdout);
    // A multipart ETag is not an MD5: rclone stores the MD5 as X-Amz-Meta-Md5chksum and reads it from there.
    assert.equal(entry.Hashes?.md5, createHash('md5').update(data).digest('hex'), ls.stdout);
    const check = await rclone(['check', dir, 'alx:bucket/mp']);
    assert.equal(check.code, 0, check.stderr);
    assert.match(check.stderr, /1 matching files/);
  });
});

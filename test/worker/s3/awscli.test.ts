// awscli v2 (/usr/bin/aws) against a two-worker cluster: requests land on worker 0 and keys owned
// by worker 1 are proxied, so both paths carry real client traffic. Every byte read back is compared.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomFillSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { aws, awsEnv, stagedUploads, startS3TestCluster, type S3TestCluster } from '../../support/s3-clients.js';

describe('awscli v2', { timeout: 600_000 }, () => {
  let c: S3TestCluster;
  let env: Record<string, string>;
  let ep: string;
  let local: string;

  before(async () => {
    c = await startS3TestCluster({ workers: 2, auth: true, cacheSize: '256MB', pageSize: '1MB' });
    env = awsEnv(c.tmp.path);
    ep = c.endpoints[0]!;
    local = join(c.tmp.path, 'local');
    mkdirSync(local);
  });
  after(async () => c?.stop());

  test('s3 ls lists the buckets', async () => {
    const r = await aws(ep, env, ['s3', 'ls']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /\bbucket\n/);
  });

  test('s3 cp up and down, including a multipart upload over 64 MiB; bytes equal', async () => {
    const big = Buffer.allocUnsafe(70 * 1024 * 1024);
    randomFillSync(big);
    writeFileSync(join(local, 'big.bin'), big);
    const up = await aws(ep, env, ['s3', 'cp', join(local, 'big.bin'), 's3://bucket/data/big.bin']);
    assert.equal(up.code, 0, up.stderr);
    assert.ok(readFileSync(join(c.ufsDir, 'bucket/data/big.bin')).equals(big), 'the UFS holds the uploaded bytes');
    const head = await aws(ep, env, ['s3api', 'head-object', '--bucket', 'bucket', '--key', 'data/big.bin']);
    assert.equal(JSON.parse(head.stdout).ContentLength, big.length);
    const down = await aws(ep, env, ['s3', 'cp', 's3://bucket/data/big.bin', join(local, 'big.down')]);
    assert.equal(down.code, 0, down.stderr);
    assert.ok(readFileSync(join(local, 'big.down')).equals(big), 'downloaded bytes equal');
    assert.deepEqual(stagedUploads(c), [], 'no staged parts are left');
  });

  test('s3api get-object --range returns exactly the range', async () => {
    const small = randomBytes(300_000);
    writeFileSync(join(c.ufsDir, 'bucket/data/small.bin'), small);
    const out = join(local, 'range.out');
    const r = await aws(ep, env, ['s3api', 'get-object', '--bucket', 'bucket', '--key', 'data/small.bin', '--range', 'bytes=1000-200999', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).ContentRange, 'bytes 1000-200999/300000');
    assert.ok(readFileSync(out).equals(small.subarray(1000, 201_000)));
  });

  test('s3 sync up and down, then s3 rm --recursive empties the prefix', async () => {
    const src = join(local, 'tree');
    const files: Record<string, Buffer> = {};
    for (const rel of ['a.txt', 'sub/b.bin', 'sub/deeper/c.bin', 'sp ace/d e.txt']) {
      files[rel] = randomBytes(1000 + rel.length * 777);
      mkdirSync(join(src, rel, '..'), { recursive: true });
      writeFileSync(join(src, rel), files[rel]!);
    }
    const up = await aws(ep, env, ['s3', 'sync', src, 's3://bucket/tree']);
    assert.equal(up.code, 0, up.stderr);
    for (const [rel, data] of Object.entries(files)) assert.ok(readFileSync(join(c.ufsDir, 'bucket/tree', rel)).equals(data), rel);
    const again = await aws(ep, env, ['s3', 'sync', src, 's3://bucket/tree']);
    assert.equal(again.stdout.trim(), '', 'a second sync has nothing to do');
    const dst = join(local, 'tree-down');
    const down = await aws(ep, env, ['s3', 'sync', 's3://bucket/tree', dst]);
    assert.equal(down.code, 0, down.stderr);
    for (const [rel, data] of Object.entries(files)) assert.ok(readFileSync(join(dst, rel)).equals(data), rel);
    const rm = await aws(ep, env, ['s3', 'rm', '--recursive', 's3://bucket/tree']);
    assert.equal(rm.code, 0, rm.stderr);
    assert.equal((rm.stdout.match(/^delete: /gm) ?? []).length, 4);
    assert.equal(existsSync(join(c.ufsDir, 'bucket/tree')), false);
    const ls = await aws(ep, env, ['s3', 'ls', '--recursive', 's3://bucket/tree']);
    assert.equal(ls.stdout.trim(), '');
  });

  test('a wrong secret key is refused with SignatureDoesNotMatch', async () => {
    const bad = awsEnv(join(c.tmp.path), { secretKey: 'not-the-secret' });
    const r = await aws(ep, bad, ['s3', 'ls', 's3://bucket']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /SignatureDoesNotMatch/);
  });
});

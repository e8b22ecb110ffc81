// s3cmd (Debian, SigV4, path-style via host_bucket = host_base) against a worker with signature
// verification on.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { s3cmd, s3cmdConfig, startS3TestCluster, type S3TestCluster } from '../../support/s3-clients.js';

describe('s3cmd', { timeout: 600_000 }, () => {
  let c: S3TestCluster;
  let cfg: string;
  let local: string;

  before(async () => {
    c = await startS3TestCluster({ workers: 2, auth: true });
    cfg = s3cmdConfig(c.tmp.path, c.endpoints[0]!);
    local = join(c.tmp.path, 'local');
    mkdirSync(local);
  });
  after(async () => c?.stop());

  test('ls, put, get, info, sync and del; bytes equal', async () => {
    const ls = await s3cmd(cfg, ['ls']);
    assert.equal(ls.code, 0, ls.stderr);
    assert.match(ls.stdout, /s3:\/\/bucket/);
    const data = randomBytes(200_000);
    writeFileSync(join(local, 'f.bin'), data);
    const put = await s3cmd(cfg, ['put', join(local, 'f.bin'), 's3://bucket/cmd/f.bin']);
    assert.equal(put.code, 0, put.stderr);
    assert.doesNotMatch(put.stderr, /MD5 Sums don't match/);
    assert.ok(readFileSync(join(c.ufsDir, 'bucket/cmd/f.bin')).equals(data));
    const lsb = await s3cmd(cfg, ['ls', 's3://bucket/cmd/']);
    assert.match(lsb.stdout, /200000\s+s3:\/\/bucket\/cmd\/f\.bin/);
    const get = await s3cmd(cfg, ['get', '--force', 's3://bucket/cmd/f.bin', join(local, 'f.down')]);
    assert.equal(get.code, 0, get.stderr);
    assert.ok(readFileSync(join(local, 'f.down')).equals(data));
    const info = await s3cmd(cfg, ['info', 's3://bucket/cmd/f.bin']);
    assert.equal(info.code, 0, info.stderr);
    assert.match(info.stdout, /File size:\s+200000/);

    mkdirSync(join(local, 'tree/sub'), { recursive: true });
    writeFileSync(join(local, 'tree/one'), 'one');
    writeFileSync(join(local, 'tree/sub/two'), 'two');
    const sync = await s3cmd(cfg, ['sync', join(local, 'tree') + '/', 's3://bucket/synced/']);
    assert.equal(sync.code, 0, sync.stderr);
    assert.equal(readFileSync(join(c.ufsDir, 'bucket/synced/sub/two'), 'utf8'), 'two');

    const del = await s3cmd(cfg, ['del', 's3://bucket/cmd/f.bin']);
    assert.equal(del.code, 0, del.stderr);
    assert.equal(existsSync(join(c.ufsDir, 'bucket/cmd/f.bin')), false);
    const delr = await s3cmd(cfg, ['del', '--recursive', '--force', 's3://bucket/synced/']);
    assert.equal(delr.code, 0, delr.stderr);
    assert.equal(existsSync(join(c.ufsDir, 'bucket/synced')), false);
  });

  test('a missing object is reported as such', async () => {
    const r = await s3cmd(cfg, ['get', 's3://bucket/nope/none.bin', join(local, 'none')]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /404|NoSuchKey|does not exist/i);
  });
});

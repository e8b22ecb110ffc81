// The `alluxio fs` verbs of Alluxio 3.x added for issue 17, through the real CLI against two
// in-process workers over a local UFS directory: mv, touch, test, checksum (check-cached,
// consistent-hash, ls and stat: fs-ls.test.ts; cp -R: fs-cp.test.ts).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { useCliCluster } from '../support/cli-cluster.js';

const PAGE = 64 * 1024;

function md5(b: Buffer): string {
  return createHash('md5').update(b).digest('hex');
}

describe('alluxio fs: Alluxio 3.x verbs', { timeout: 900_000 }, () => {
  const a = randomBytes(3 * PAGE + 5);
  const b = randomBytes(PAGE);
  const fx = useCliCluster('alluxio-fs-verbs-', {
    'data/a.bin': a, 'data/b.bin': b, 'data/sub/c.txt': 'c\n', 'empty/': '', 'zero.txt': '',
  });
  const { cli, json } = fx;

  test('test -d -e -f -s -z: exit status only, like test(1)', async () => {
    const cases: Array<[string, string, number]> = [
      ['-d', '/data', 0], ['-d', '/data/a.bin', 1], ['-e', '/data/a.bin', 0], ['-e', '/nope', 1],
      ['-f', '/data/a.bin', 0], ['-f', '/data', 1], ['-s', '/data', 0], ['-s', '/empty', 1],
      ['-s', '/data/a.bin', 0], ['-s', '/zero.txt', 1], ['-z', '/zero.txt', 0], ['-z', '/data/a.bin', 1], ['-z', '/nope', 1],
    ];
    // Four at a time: each is a CLI process, and a loaded machine starts them slowly.
    for (let i = 0; i < cases.length; i += 4) {
      await Promise.all(cases.slice(i, i + 4).map(async ([flag, path, code]) => {
        const r = await cli('fs', 'test', flag, path);
        assert.equal(r.code, code, `fs test ${flag} ${path}: ${r.stderr}`);
        assert.equal(r.stdout + r.stderr, '', `fs test ${flag} ${path} printed something`);
      }));
    }
    const r = await cli('fs', 'test', '/data');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /exactly one of -d -e -f -s -z/);
  });

  test('checksum prints the MD5 of the file as Alluxio does, and JSON', async () => {
    const r = await cli('fs', 'checksum', '/data/a.bin');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `md5sum: ${md5(a)}\n`);
    assert.deepEqual(await json('fs', 'checksum', '/data/b.bin'), { path: '/data/b.bin', length: b.length, md5: md5(b) });
    const d = await cli('fs', 'checksum', '/data');
    assert.equal(d.code, 1);
    assert.match(d.stderr, /\/data is a directory/);
  });

  test('touch creates an empty file; mv renames and moves into a directory', async () => {
    let r = await cli('fs', 'touch', '/t.txt');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(statSync(join(fx.ufs, 't.txt')).size, 0);
    r = await cli('fs', 'touch', '/t.txt');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /\/t\.txt already exists/);

    r = await cli('fs', 'mv', '/t.txt', '/u.txt');
    assert.equal(r.code, 0, r.stderr);
    assert.ok(!existsSync(join(fx.ufs, 't.txt')) && existsSync(join(fx.ufs, 'u.txt')));
    r = await cli('fs', 'mv', '/u.txt', '/empty');
    assert.equal(r.code, 0, r.stderr);
    assert.ok(existsSync(join(fx.ufs, 'empty', 'u.txt')), 'mv into a directory did not put the file in it');
    r = await cli('fs', 'mv', '/zero.txt', '/data/b.bin');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /\/data\/b\.bin already exists/);
    assert.deepEqual(readFileSync(join(fx.ufs, 'data', 'b.bin')), b, 'mv over an existing file replaced it');
    r = await cli('fs', 'mv', '/nope', '/x');
    assert.match(r.stderr, /Path "\/nope" does not exist/);
    r = await cli('fs', 'rm', '/empty/u.txt');
    assert.equal(r.code, 0, r.stderr);
  });
});

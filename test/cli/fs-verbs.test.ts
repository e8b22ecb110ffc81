// The `alluxio fs` verbs of Alluxio 3.x added for issue 17, through the real CLI against two
// in-process workers over a local UFS directory: mv, touch, test, checksum (check-cached,
// consistent-hash, ls and stat: fs-ls.test.ts; cp -R: fs-cp.test.ts).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../support/cli.js';
import { makeTempDir, type TempDir } from '../support/tmp.js';
import { startTestCluster, type TestCluster } from '../support/workers.js';

const PAGE = 64 * 1024;

function md5(b: Buffer): string {
  return createHash('md5').update(b).digest('hex');
}

describe('alluxio fs: Alluxio 3.x verbs', { timeout: 900_000 }, () => {
  let tmp: TempDir;
  let ufs: string;
  let cluster: TestCluster;
  let env: Record<string, string>;
  const a = randomBytes(3 * PAGE + 5);
  const b = randomBytes(PAGE);
  const cli = (...args: string[]) => runCli(args, env);
  const json = async <T>(...args: string[]): Promise<T> => {
    const r = await cli(...args, '--json');
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    return JSON.parse(r.stdout) as T;
  };

  before(async () => {
    tmp = await makeTempDir('alluxio-fs-verbs-');
    ufs = join(tmp.path, 'ufs');
    mkdirSync(join(ufs, 'data', 'sub'), { recursive: true });
    mkdirSync(join(ufs, 'empty'));
    writeFileSync(join(ufs, 'data', 'a.bin'), a);
    writeFileSync(join(ufs, 'data', 'b.bin'), b);
    writeFileSync(join(ufs, 'data', 'sub', 'c.txt'), 'c\n');
    writeFileSync(join(ufs, 'zero.txt'), '');
    // Read by no test but check-cached's (which reads cc/a.bin): the cache state is known.
    mkdirSync(join(ufs, 'cc', 'sub'), { recursive: true });
    writeFileSync(join(ufs, 'cc', 'a.bin'), a);
    writeFileSync(join(ufs, 'cc', 'b.bin'), b);
    writeFileSync(join(ufs, 'cc', 'sub', 'c.txt'), 'c\n');
    writeFileSync(join(ufs, 'cold.bin'), b);
    cluster = await startTestCluster({ dir: tmp.path, rootUfs: ufs, workers: 2 });
    env = cluster.env;
  });
  after(async () => {
    await cluster?.stop();
    await tmp?.cleanup();
  });

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
    assert.equal(statSync(join(ufs, 't.txt')).size, 0);
    r = await cli('fs', 'touch', '/t.txt');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /\/t\.txt already exists/);

    r = await cli('fs', 'mv', '/t.txt', '/u.txt');
    assert.equal(r.code, 0, r.stderr);
    assert.ok(!existsSync(join(ufs, 't.txt')) && existsSync(join(ufs, 'u.txt')));
    r = await cli('fs', 'mv', '/u.txt', '/empty');
    assert.equal(r.code, 0, r.stderr);
    assert.ok(existsSync(join(ufs, 'empty', 'u.txt')), 'mv into a directory did not put the file in it');
    r = await cli('fs', 'mv', '/zero.txt', '/data/b.bin');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /\/data\/b\.bin already exists/);
    assert.deepEqual(readFileSync(join(ufs, 'data', 'b.bin')), b, 'mv over an existing file replaced it');
    r = await cli('fs', 'mv', '/nope', '/x');
    assert.match(r.stderr, /Path "\/nope" does not exist/);
    r = await cli('fs', 'rm', '/empty/u.txt');
    assert.equal(r.code, 0, r.stderr);
  });
});

// `alluxio fs` listing verbs of issue 17 through the real CLI against two in-process workers over a
// local UFS directory: check-cached, the ls in-cache column and flags (-d -r --sort -m -p
// --timestamp), stat -f, consistent-hash agreeing with fs location, and their --json.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { useCliCluster } from '../support/cli-cluster.js';

const PAGE = 64 * 1024;

describe('alluxio fs: ls, stat, check-cached, consistent-hash', { timeout: 900_000 }, () => {
  const a = randomBytes(3 * PAGE + 5);
  const b = randomBytes(PAGE);
  const fx = useCliCluster('alluxio-fs-ls-', {
    'data/a.bin': a, 'data/b.bin': b, 'data/sub/c.txt': 'c\n',
    // Read by no test but check-cached's (which reads cc/a.bin): the cache state is known.
    'cc/a.bin': a, 'cc/b.bin': b, 'cc/sub/c.txt': 'c\n',
    'cold.bin': b, // never read: stat shows it 0% cached
  });
  const { cli, json } = fx;

  test('check-cached, ls in-cache column and consistent-hash follow what is cached and where', async () => {
    type Check = { checked: number; fullyCached: number; partiallyCached: number; notCached: number; notFullyCached: Array<{ path: string }> };
    let c = await json<Check>('fs', 'check-cached', '/cc');
    assert.deepEqual([c.checked, c.fullyCached, c.notCached], [3, 0, 3]);
    assert.equal((await cli('fs', 'cat', '/cc/a.bin')).stdoutBytes.length, a.length);
    c = await json<Check>('fs', 'check-cached', '/cc');
    assert.deepEqual([c.checked, c.fullyCached, c.notCached], [3, 1, 2]);
    assert.deepEqual(c.notFullyCached.map((f) => f.path).sort(), ['/cc/b.bin', '/cc/sub/c.txt']);
    const text = await cli('fs', 'check-cached', '/cc');
    assert.match(text.stdout, /Checked 3 file\(s\) under \/cc\nFully cached: +1\n/);
    assert.match(text.stdout, /0%\s+65536\s+\/cc\/b\.bin/);
    assert.equal((await json<Check>('fs', 'check-cached', '/cc', '--limit', '2')).checked, 2);

    const ls = await cli('fs', 'ls', '/cc');
    assert.equal(ls.code, 0, ls.stderr);
    assert.match(ls.stdout, /100% \/cc\/a\.bin\n/);
    assert.match(ls.stdout, / 0% \/cc\/b\.bin\n/);
    assert.match(ls.stdout, /DIR \/cc\/sub\n/);
    const lsj = await json<Array<{ path: string; inAlluxioPercentage: number | null; ufsPath?: string }>>('fs', 'ls', '/cc');
    assert.equal(lsj.find((e) => e.path === '/cc/a.bin')!.inAlluxioPercentage, 100);
    assert.equal(lsj.find((e) => e.path === '/cc/sub')!.inAlluxioPercentage, null);
    assert.ok(lsj.every((e) => typeof e.ufsPath === 'string'));

    type Owners = { ufsUri: string; rings: Array<{ ring: string; workers: number; owners: Array<{ rank: number; worker: string; status: string }> }> };
    const h = await json<Owners>('fs', 'consistent-hash', '/cc/a.bin');
    assert.deepEqual(h.rings.map((r) => [r.ring, r.workers, r.owners.length]), [['live', 2, 2], ['registered', 2, 2]]);
    const loc = await json<{ workers: Array<{ worker: string; cachedBytes: number }> }>('fs', 'location', '/cc/a.bin');
    assert.equal(h.rings[0]!.owners[0]!.worker, loc.workers[0]!.worker, 'consistent-hash and location disagree on the owner');
    assert.equal(loc.workers[0]!.cachedBytes, a.length, 'the owner named is not where the file was cached');
    assert.ok(h.ufsUri.endsWith('/cc/a.bin'));
    const ht = await cli('fs', 'consistent-hash', '/cc/a.bin');
    assert.match(ht.stdout, new RegExp(`Live ring \\(2 workers\\):\\nRANK\\s+WORKER\\s+ADDRESS\\s+STATUS\\n1 \\(owner\\)\\s+${h.rings[0]!.owners[0]!.worker}`));
  });

  test('ls -d -r --sort -m -p --timestamp, and stat -f', async () => {
    const paths = async (...args: string[]) => (await json<Array<{ path: string }>>('fs', 'ls', ...args)).map((e) => e.path);
    assert.deepEqual(await paths('-d', '/data'), ['/data']);
    const bySize = await json<Array<{ path: string; length: number }>>('fs', 'ls', '--sort', 'size', '/data');
    assert.deepEqual(bySize.map((e) => e.length), bySize.map((e) => e.length).sort((x, y) => x - y));
    assert.deepEqual(bySize.map((e) => e.path).slice(-2), ['/data/b.bin', '/data/a.bin']);
    assert.deepEqual(await paths('--sort', 'size', '-r', '/data'), bySize.map((e) => e.path).reverse());
    assert.deepEqual(await paths('--sort', 'name', '-r', '/data'), ['/data/sub', '/data/b.bin', '/data/a.bin']);
    assert.deepEqual(await paths('-p', '/data'), []);
    assert.ok((await json<Array<Record<string, unknown>>>('fs', 'ls', '-m', '/data')).every((e) => !('ufsPath' in e)), 'ls -m kept the UFS path');
    let r = await cli('fs', 'ls', '--sort', 'creationTime', '/data');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /--sort creationTime: alluxio-ts does not keep that time/);
    r = await cli('fs', 'ls', '--sort', 'bogus', '/data');
    assert.match(r.stderr, /--sort: unknown key 'bogus'/);
    r = await cli('fs', 'ls', '--timestamp', 'lastAccessTime', '/data');
    assert.match(r.stderr, /--timestamp lastAccessTime: alluxio-ts keeps only lastModifiedTime/);
    r = await cli('fs', 'ls', '-R', '--timestamp', 'lastModifiedTime', '/data');
    assert.match(r.stdout, /\/data\/sub\/c\.txt/);

    r = await cli('fs', 'stat', '-f', '%N %z %Y %b %%', '/data/a.bin');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `a.bin ${a.length} ${Math.floor(statSync(join(fx.ufs, 'data', 'a.bin')).mtimeMs)} 4 %\n`);
    r = await cli('fs', 'stat', '-f', '%q', '/data/a.bin');
    assert.match(r.stderr, /unknown directive '%q'/);
    const st = await json<{ path: string; length: number; inAlluxioPercentage: number }>('fs', 'stat', '/cold.bin');
    assert.deepEqual([st.path, st.length, st.inAlluxioPercentage], ['/cold.bin', b.length, 0]);

  });
});

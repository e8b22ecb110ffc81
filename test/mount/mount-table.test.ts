import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { MountTable } from '../../src/mount/mount-table.js';
import { StaticFileMountStore } from '../../src/mount/static-file-mount-store.js';
import { RootMountStore } from '../../src/mount/root-mount-store.js';
import { makeTempDir, type TempDir } from '../support/tmp.js';

describe('MountTable', () => {
  const table = new MountTable([
    { path: '/', ufsUri: '/data/root', options: {} },
    { path: '/s3', ufsUri: 's3://bucket/dir', options: { 's3a.secretKey': 'SECRET' } },
  ]);

  test('child mounts shadow the root mount; the rest falls to the root', () => {
    assert.equal(table.resolve('/s3/a/b.txt').ufsUri, 's3://bucket/dir/a/b.txt');
    assert.equal(table.resolve('/s3').ufsUri, 's3://bucket/dir/');
    assert.equal(table.resolve('/other/x').ufsUri, 'file:///data/root/other/x');
    assert.equal(table.resolve('/').ufsUri, 'file:///data/root/');
    assert.equal(table.resolve('/s3x/y').mount.path, '/', 'a name that only starts like a mount is not that mount');
  });

  test('reverse maps UFS URIs back to Alluxio paths', () => {
    assert.equal(table.reverse('s3://bucket/dir/a/b.txt'), '/s3/a/b.txt');
    assert.equal(table.reverse('file:///data/root/other/x'), '/other/x');
    assert.equal(table.reverse('s3://elsewhere/x'), undefined);
  });

  test('mounts deeper than a direct child of / are refused, naming the path', () => {
    assert.throws(() => new MountTable([{ path: '/a/b', ufsUri: '/x', options: {} }]), /'\/a\/b' is nested too deep/);
  });

  test('bad mount input is refused with a clear error', () => {
    assert.throws(() => new MountTable([{ path: '/a', ufsUri: 'no-scheme', options: {} }]), /has no scheme/);
    assert.throws(() => new MountTable([{ path: '/a/../b', ufsUri: '/x', options: {} }]), /'\.\.'/);
    assert.throws(() => new MountTable([{ path: '/a', ufsUri: 's3://b/../c', options: {} }]), /'\.\.'/);
    assert.throws(() => new MountTable([{ path: '/a', ufsUri: '/x', options: {} }, { path: '/a/', ufsUri: '/y', options: {} }]), /already exists/);
    assert.throws(() => table.resolve('/s3/../etc'), /'\.\.'/);
  });

  test('without a root mount, / has no UFS and an unknown top-level path says how to mount it', () => {
    const t = new MountTable([{ path: '/s3', ufsUri: 's3://b/', options: {} }]);
    assert.throws(() => t.resolve('/nope/x'), /alluxio mount add --path \/nope/);
  });
});

describe('StaticFileMountStore', () => {
  let tmp: TempDir;
  before(async () => { tmp = await makeTempDir('alluxio-mount-'); });
  after(async () => { await tmp.cleanup(); });

  test('add, list, remove round-trip through the file, keeping credentials out of other users\' reach', async () => {
    const file = join(tmp.path, 'mount_table');
    const store = new StaticFileMountStore(file);
    await store.add({ path: '/s3', ufsUri: 's3://bucket/dir/', options: { 's3a.accessKeyId': 'AK', 's3a.secretKey': 'S E=CRET' } });
    await store.add({ path: '/nas', ufsUri: '/mnt/nas', options: {} });
    await assert.rejects(store.add({ path: '/s3', ufsUri: 's3://other/', options: {} }), /already exists/);
    const again = await new StaticFileMountStore(file).list();
    assert.deepEqual(again.map((m) => m.path), ['/s3', '/nas']);
    assert.equal(again[0]!.options['s3a.secretKey'], 'S E=CRET', 'options survive the file round trip');
    assert.equal(statSync(file).mode & 0o077, 0, 'the mount table file is private');
    await store.remove('/nas');
    await assert.rejects(store.remove('/nas'), /no mount point at \/nas/);
    assert.doesNotMatch(readFileSync(file, 'utf8'), /\/mnt\/nas/);
  });

  test('a root mount from a property is listed, cannot be removed, and watchers see changes', async () => {
    const file = join(tmp.path, 'mount_table2');
    const store = new RootMountStore(new StaticFileMountStore(file, undefined, 50), '/data/root');
    assert.deepEqual((await store.list()).map((m) => m.path), ['/']);
    await assert.rejects(store.add({ path: '/', ufsUri: '/x', options: {} }), /set by property/);
    const seen: string[][] = [];
    const unwatch = store.watch((mounts) => seen.push(mounts.map((m) => m.path)));
    await new StaticFileMountStore(file).add({ path: '/new', ufsUri: '/x', options: {} });
    const deadline = Date.now() + 10_000; // polling under a loaded CI machine can be slow
    while (!seen.some((s) => s.includes('/new')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    unwatch();
    await store.close();
    assert.ok(seen.some((s) => s.includes('/new') && s.includes('/')), 'the watcher saw the new mount with the root mount');
  });
});

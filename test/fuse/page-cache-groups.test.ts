import { strict as assert } from 'node:assert';
import { describe, test } from 'node:test';
import { PageCacheGroups } from '../../src/fuse/page-cache-groups.js';

// The per-open page-cache choice (pure). test/fuse/fuse-fast-read-probe.test.ts shows on a real
// mount what each choice prevents: reads that mix two versions of a file.
describe('PageCacheGroups: which open files share the kernel page cache', () => {
  test('a first open drops the cached pages; one while it is open joins it (same pin, pages kept)', () => {
    const g = new PageCacheGroups(true);
    const a = g.open('/f', 1000, 10);
    assert.deepEqual([a.keepCache, a.directIo], [false, false]);
    const b = g.open('/f', 1000, 10);
    assert.deepEqual([b.keepCache, b.directIo], [true, false]);
    assert.equal(b.pin, a.pin, 'one version for the group');
  });

  test('an open of a changed file while the group is open bypasses the page cache with its own pin', () => {
    const g = new PageCacheGroups(true);
    const a = g.open('/f', 1000, 10);
    a.pin.version = 'v1';
    for (const [mtime, length] of [[2000, 10], [1000, 11]] as const) {
      const b = g.open('/f', mtime, length);
      assert.deepEqual([b.keepCache, b.directIo], [false, true]);
      assert.notEqual(b.pin, a.pin);
      assert.equal(b.pin.version, undefined);
    }
  });

  test('kernel_cache: after the last close, an unchanged file keeps its pages and is pinned to their version; a changed one does not', () => {
    const g = new PageCacheGroups(true);
    const a = g.open('/f', 1000, 10);
    a.pin.version = 'v1';
    g.release(a);
    const b = g.open('/f', 1000, 10);
    assert.deepEqual([b.keepCache, b.directIo, b.pin.version], [true, false, 'v1']);
    g.release(b);
    const c = g.open('/f', 3000, 10);
    assert.deepEqual([c.keepCache, c.directIo, c.pin.version], [false, false, undefined]);
  });

  test('without kernel_cache, or before any version was pinned, every first open drops the pages', () => {
    const off = new PageCacheGroups(false);
    const a = off.open('/f', 1000, 10);
    a.pin.version = 'v1';
    off.release(a);
    assert.equal(off.open('/f', 1000, 10).keepCache, false);
    const on = new PageCacheGroups(true);
    on.release(on.open('/g', 1000, 10)); // closed before its first read pinned a version
    assert.equal(on.open('/g', 1000, 10).keepCache, false);
  });

  test('a group whose version is gone (stale) or whose file changed through the mount takes no one new', () => {
    const g = new PageCacheGroups(true);
    const a = g.open('/f', 1000, 10);
    a.pin.version = 'v1';
    g.stale(a);
    assert.equal(g.open('/f', 1000, 10).directIo, true);
    g.release(a);
    assert.equal(g.open('/f', 1000, 10).keepCache, false, 'a stale group is not reused after close either');
    const h = new PageCacheGroups(true);
    const d = h.open('/dir/x', 1000, 10);
    d.pin.version = 'v1';
    h.release(d);
    h.changed('/dir', true);
    assert.equal(h.open('/dir/x', 1000, 10).keepCache, false);
  });
});

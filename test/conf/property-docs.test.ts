import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IGNORED_KEYS, PROPERTIES } from '../../src/conf/property-keys.js';
import { describeProperty, listProperties, renderPropertyTable } from '../../src/conf/property-docs.js';

describe('property docs', () => {
  it('describes a property by name or alias, with its accepted form', () => {
    const d = describeProperty('alluxio.worker.page.store.evictor.type')!;
    assert.equal(d.default, 'LRU');
    assert.equal(d.form, 'one of LRU, LFU, FIFO');
    assert.equal(describeProperty('alluxio.logs.dir')?.name, 'alluxio.log.dir');
    assert.equal(describeProperty('alluxio.home')?.defaultDisplay, '(current directory)');
    assert.equal(describeProperty('alluxio.nope'), undefined);
  });

  it('lists properties sorted, filtered by scope (scope `all` always included)', () => {
    const all = listProperties();
    assert.equal(all.length, PROPERTIES.length);
    assert.deepEqual(all.map((p) => p.name), [...all.map((p) => p.name)].sort((a, b) => a.localeCompare(b)));
    const fuse = listProperties('fuse');
    assert.ok(fuse.some((p) => p.name === 'alluxio.fuse.mount.point'));
    assert.ok(fuse.some((p) => p.name === 'alluxio.cluster.name'));
    assert.ok(fuse.every((p) => p.scope === 'fuse' || p.scope === 'all'));
  });

  it('renders one well-formed markdown row per property, then the ignored keys', () => {
    const table = renderPropertyTable();
    const rows = table.split('\n').filter((l) => l.startsWith('| `'));
    assert.equal(rows.length, PROPERTIES.length + IGNORED_KEYS.length);
    for (const p of PROPERTIES) assert.ok(table.includes(`| \`${p.name}\` |`), p.name);
    for (const row of rows.slice(0, PROPERTIES.length)) {
      // Five cells: unescaped pipes delimit exactly six boundaries.
      assert.equal(row.replace(/\\\|/g, '').split('|').length, 7, row);
    }
    assert.match(table, /\| `alluxio.worker.page.store.evictor.type` \| enum \(LRU, LFU, FIFO\) \| `LRU` \| worker \|/);
    assert.match(table, /`alluxio.log.dir`.*Also accepted as `alluxio.logs.dir`/);
    assert.match(table, /`s3a.secretKey`.*Redacted when printed/);
    assert.match(table, /\| `alluxio.master.hostname` \| there is no master/);
  });
});

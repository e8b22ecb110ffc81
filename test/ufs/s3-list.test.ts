import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { delimitedEntries, recursiveEntries, unquoteEtag, type S3Object } from '../../src/ufs/s3-list.js';

const obj = (key: string, lastModifiedMs = 1): S3Object => ({ key, size: key.length, lastModifiedMs });
const show = (e: { key: string }) => e.key;

describe('recursiveEntries', () => {
  const keys = ['p/', 'p/a/', 'p/a/b/c', 'p/a/d', 'p/e', 'p/f/g/h/'].map((k) => obj(k, 7));

  it('emits implied directories once, before their first key, and markers as directories', () => {
    const { entries, cut } = recursiveEntries('p/', keys, undefined, 100);
    assert.equal(cut, false);
    assert.deepEqual(entries.map(show), ['p/a/', 'p/a/b/', 'p/a/b/c', 'p/a/d', 'p/e', 'p/f/', 'p/f/g/', 'p/f/g/h/']);
    assert.equal(entries.find((e) => e.key === 'p/a/')!.lastModifiedMs, 7, 'a marker keeps its time');
    assert.equal(entries.find((e) => e.key === 'p/a/b/')!.lastModifiedMs, 0, 'an implied directory has none');
  });

  it('pages by entries, resuming after the last entry without repeating directories', () => {
    const all = recursiveEntries('p/', keys, undefined, 100).entries.map(show);
    for (let limit = 1; limit <= 4; limit++) {
      const seen: string[] = [];
      let after: string | undefined;
      for (let guard = 0; guard < 50; guard++) {
        // What the server would return after StartAfter=after.
        const rest = keys.filter((o) => after === undefined || o.key > after);
        const page = recursiveEntries('p/', rest.slice(0, limit), after, limit);
        seen.push(...page.entries.map(show));
        if (!page.cut && rest.length <= limit) break;
        after = page.cut ? page.entries.at(-1)!.key : rest[limit - 1]!.key;
      }
      assert.deepEqual(seen, all, `limit ${limit}`);
    }
  });
});

describe('delimitedEntries', () => {
  it('merges prefixes and objects in key order, leaving out the directory\'s own marker', () => {
    const e = delimitedEntries('d/', [obj('d/'), obj('d/b'), obj('d/z')], ['d/a/', 'd/c/']);
    assert.deepEqual(e.map((x) => [x.key, x.isDirectory]), [['d/a/', true], ['d/b', false], ['d/c/', true], ['d/z', false]]);
  });
});

describe('unquoteEtag', () => {
  it('strips quotes and a weak prefix', () => {
    assert.equal(unquoteEtag('"abc"'), 'abc');
    assert.equal(unquoteEtag('W/"abc-2"'), 'abc-2');
    assert.equal(unquoteEtag('abc'), 'abc');
    assert.equal(unquoteEtag(undefined), undefined);
  });
});

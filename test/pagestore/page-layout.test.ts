import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PageLayout, bucketOf, fileIdOf, isFileId, javaStringHashCode, parsePageIndex } from '../../src/pagestore/page-layout.js';

// Expected values below were produced by Java 17 (String.hashCode, Math.floorMod, SHA-256 via
// MessageDigest), i.e. by what Alluxio's PageStoreDir.getFileBucket runs.
describe('page layout', () => {
  it('javaStringHashCode matches Java String.hashCode', () => {
    assert.equal(javaStringHashCode('hello'), 99162322);
    assert.equal(javaStringHashCode('hello world'), 1794106052);
    assert.equal(javaStringHashCode('polygenelubricants'), -2147483648);
    assert.equal(javaStringHashCode('s3://my-bucket/data/part-00000.parquet'), -1688097469);
    assert.equal(javaStringHashCode('é€𝄞'), 16751501); // UTF-16 code units, surrogate pair included
    assert.equal(javaStringHashCode(''), 0);
    assert.equal(javaStringHashCode('Aa'), javaStringHashCode('BB'));
  });

  it('fileIdOf is the lowercase hex SHA-256 of the UFS URI', () => {
    assert.equal(fileIdOf('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    assert.equal(fileIdOf('s3://bucket/key'), '558ca1533e03aaea2e3fb825be29124c1648046a2893052d1a1df0059becbf4f');
    assert.ok(isFileId(fileIdOf('s3://x/y')));
    assert.ok(!isFileId('558CA1533E03AAEA2E3FB825BE29124C1648046A2893052D1A1DF0059BECBF4F'));
    assert.ok(!isFileId('abc'));
  });

  it('bucketOf is floorMod(hashCode(fileId), buckets), also for negative hash codes', () => {
    const id = fileIdOf('s3://bucket/key'); // hashCode -508450335
    assert.equal(javaStringHashCode(id), -508450335);
    assert.equal(bucketOf(id), 665);
    assert.equal(bucketOf(id, 7), 6);
    assert.equal(bucketOf(fileIdOf('hello')), 587);
    assert.equal(bucketOf(fileIdOf('hello world')), 957);
    assert.equal(bucketOf('polygenelubricants', 1000), 352); // Integer.MIN_VALUE
    for (let i = 0; i < 200; i++) {
      const b = bucketOf(fileIdOf(`s3://b/${i}`), 13);
      assert.ok(Number.isInteger(b) && b >= 0 && b < 13);
    }
  });

  it('PageLayout builds Alluxio paths', () => {
    const l = new PageLayout('/cache', 1048576, 1000);
    const id = fileIdOf('s3://bucket/key');
    assert.equal(l.pagePath(id, 3), `/cache/LOCAL/1048576/665/${id}/3`);
    assert.equal(l.tempPagePath(id, 3), `/cache/LOCAL/1048576/TEMP/${id}/3`);
    assert.equal(l.sidecarPath(id), `/cache/LOCAL/1048576/665/${id}/.meta`);
  });

  it('parsePageIndex accepts canonical non-negative integers only', () => {
    assert.equal(parsePageIndex('0'), 0);
    assert.equal(parsePageIndex('1234'), 1234);
    for (const bad of ['', '01', '-1', '1.0', '1e3', 'abc', '.meta', ' 1', '99999999999999999']) {
      assert.equal(parsePageIndex(bad), undefined, bad);
    }
  });
});

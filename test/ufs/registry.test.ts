import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InstrumentedUfs } from '../../src/ufs/instrumented-ufs.js';
import { LazyUfs } from '../../src/ufs/lazy-ufs.js';
import { LocalUfs } from '../../src/ufs/local-ufs.js';
import { createUfs, mergeUfsOptions, parseUfsUri, registerUfs, supportedUfsSchemes } from '../../src/ufs/registry.js';
import { S3Ufs } from '../../src/ufs/s3-ufs.js';
import type { UnderFileSystem } from '../../src/ufs/under-file-system.js';

const S3_OPTS = { 's3a.accessKeyId': 'AK', 's3a.secretKey': 'SK', 'alluxio.underfs.s3.endpoint': 'http://127.0.0.1:1' };

describe('parseUfsUri', () => {
  it('splits scheme, authority and path', () => {
    assert.deepEqual(parseUfsUri('s3://bucket/dir/key'), { scheme: 's3', authority: 'bucket', path: '/dir/key' });
    assert.deepEqual(parseUfsUri('S3A://bucket'), { scheme: 's3a', authority: 'bucket', path: '/' });
    assert.deepEqual(parseUfsUri('s3://bucket/dir/'), { scheme: 's3', authority: 'bucket', path: '/dir/' });
    assert.deepEqual(parseUfsUri('file:///data/x'), { scheme: 'file', authority: '', path: '/data/x' });
    assert.deepEqual(parseUfsUri('/data/x'), { scheme: 'file', authority: '', path: '/data/x' });
    assert.deepEqual(parseUfsUri('hdfs://nn:8020/a%20b'), { scheme: 'hdfs', authority: 'nn:8020', path: '/a%20b' });
  });

  it('refuses malformed URIs and credentials in the authority, without echoing them', () => {
    for (const bad of ['', 'relative/path', 's3:/bucket', 'bucket/key', '://x']) {
      assert.throws(() => parseUfsUri(bad), { code: 'ALX_ERR_INVALID_ARGUMENT' }, bad);
    }
    assert.throws(() => parseUfsUri('s3://AKID:TOPSECRET@bucket/x'), (e: Error & { code: string }) => {
      assert.equal(e.code, 'ALX_ERR_INVALID_ARGUMENT');
      assert.ok(!e.message.includes('TOPSECRET'));
      assert.match(e.message, /s3a\.secretKey/);
      return true;
    });
  });
});

describe('createUfs', () => {
  it('chooses the back end by scheme and wraps it for metrics', async () => {
    const cases: Array<[string, new (...a: never[]) => UnderFileSystem, string]> = [
      ['/tmp/some/dir', LocalUfs, 'file'],
      ['file:///tmp/some/dir', LocalUfs, 'file'],
      ['s3://bucket/prefix/', S3Ufs, 's3'],
      ['s3a://bucket/prefix/', S3Ufs, 's3a'],
    ];
    for (const [uri, cls, scheme] of cases) {
      const ufs = createUfs(uri, S3_OPTS);
      assert.ok(ufs instanceof InstrumentedUfs, uri);
      const inner = ufs.inner instanceof LazyUfs ? await ufs.inner.resolve() : ufs.inner;
      assert.ok(inner instanceof cls, uri);
      assert.equal(ufs.scheme, scheme);
      await ufs.close();
    }
  });

  it('names the supported schemes when one is unknown', () => {
    assert.throws(() => createUfs('gs://bucket/data'), (e: Error & { code: string }) => {
      assert.equal(e.code, 'ALX_ERR_INVALID_ARGUMENT');
      assert.match(e.message, /'gs'/);
      for (const s of ['file://', 's3://', 's3a://', 'hdfs://', 'webhdfs://']) assert.ok(e.message.includes(s), `${s} in ${e.message}`);
      return true;
    });
  });

  it('passes merged options (mount options win) to the back end', async () => {
    const merged = mergeUfsOptions({ 'alluxio.underfs.s3.region': 'us-west-2', 'alluxio.underfs.s3.max.error.retry': '9' }, { ...S3_OPTS, 'alluxio.underfs.s3.region': 'eu-west-1' });
    const ufs = createUfs('s3://bucket/', merged) as InstrumentedUfs;
    assert.ok(ufs.inner instanceof LazyUfs, 'the S3 SDK loads on first use');
    const s3 = (await ufs.inner.resolve()) as S3Ufs;
    assert.equal(s3.settings.region, 'eu-west-1');
    assert.equal(s3.settings.maxErrorRetry, 9);
    assert.equal(s3.settings.forcePathStyle, true, 'an endpoint forces path-style');
    assert.equal(s3.settings.staticCredentials, true);
    assert.ok(!JSON.stringify(s3.settings).includes('SK'), 'settings carry no secret');
    await ufs.close();
  });

  it('takes registered back ends', async () => {
    let seen: [string, Record<string, string>] | undefined;
    registerUfs('memtest', (root, options) => {
      seen = [root, options];
      return new LocalUfs('/tmp');
    });
    assert.ok(supportedUfsSchemes().includes('memtest'));
    const ufs = createUfs('memtest://x/y', { a: 'b' });
    assert.deepEqual(seen, ['memtest://x/y', { a: 'b' }]);
    await ufs.close();
    assert.throws(() => registerUfs('Bad Scheme', () => new LocalUfs('/tmp')), { code: 'ALX_ERR_INVALID_ARGUMENT' });
  });
});

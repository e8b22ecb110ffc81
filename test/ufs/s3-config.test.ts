import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseS3Options } from '../../src/ufs/s3-config.js';

describe('parseS3Options', () => {
  it('has Alluxio\'s defaults', () => {
    const c = parseS3Options({});
    assert.deepEqual(c, {
      region: 'us-east-1', endpoint: undefined, forcePathStyle: false, maxErrorRetry: 5,
      requestTimeoutMs: 60_000, connectTimeoutMs: 10_000, credentials: undefined,
    });
  });

  it('reads every key; s3a.* credentials win over aws.*', () => {
    const c = parseS3Options({
      's3a.accessKeyId': 'A1', 's3a.secretKey': 'S1', 'aws.accessKeyId': 'A2', 'aws.secretKey': 'S2',
      'alluxio.underfs.s3.region': 'eu-central-1', 'alluxio.underfs.s3.disable.dns.buckets': 'true',
      'alluxio.underfs.s3.max.error.retry': '2', 'alluxio.underfs.s3.request.timeout': '1.5s',
      'alluxio.underfs.s3.connect.timeout': '250ms',
    });
    assert.deepEqual(c.credentials, { accessKeyId: 'A1', secretAccessKey: 'S1' });
    assert.equal(c.region, 'eu-central-1');
    assert.equal(c.forcePathStyle, true);
    assert.equal(c.maxErrorRetry, 2);
    assert.equal(c.requestTimeoutMs, 1500);
    assert.equal(c.connectTimeoutMs, 250);
    assert.deepEqual(parseS3Options({ 'aws.accessKeyId': 'A2', 'aws.secretKey': 'S2' }).credentials, { accessKeyId: 'A2', secretAccessKey: 'S2' });
    assert.equal(parseS3Options({ 'alluxio.underfs.s3.endpoint': 'http://127.0.0.1:9000' }).forcePathStyle, true);
  });

  it('refuses bad values naming the key, and never prints a secret', () => {
    const bad: Array<[Record<string, string>, RegExp]> = [
      [{ 'alluxio.underfs.s3.max.error.retry': '-1' }, /max\.error\.retry/],
      [{ 'alluxio.underfs.s3.request.timeout': 'soon' }, /request\.timeout/],
      [{ 'alluxio.underfs.s3.disable.dns.buckets': 'yes' }, /disable\.dns\.buckets/],
      [{ 'alluxio.underfs.s3.endpoint': 'localhost:9000' }, /endpoint/],
      [{ 's3a.secretKey': 'ONLYTHESECRET' }, /s3a\.accessKeyId/],
    ];
    for (const [opts, re] of bad) {
      assert.throws(() => parseS3Options(opts), (e: Error & { code: string }) => {
        assert.equal(e.code, 'ALX_ERR_INVALID_CONF');
        assert.match(e.message, re);
        assert.ok(!e.message.includes('ONLYTHESECRET'));
        return true;
      });
    }
  });
});

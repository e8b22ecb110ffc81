import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { metrics } from '../../src/common/metrics.js';
import { UfsError } from '../../src/common/errors.js';
import { S3Ufs } from '../../src/ufs/s3-ufs.js';
import { startFaultyHttpServer, type FaultyHttpServer } from '../support/faulty-http-server.js';

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY';

function optionsFor(endpoint: string, extra: Record<string, string>): Record<string, string> {
  return {
    'alluxio.underfs.s3.endpoint': endpoint,
    's3a.accessKeyId': 'AKIDFAULTTEST',
    's3a.secretKey': SECRET,
    ...extra,
  };
}

async function counterValue(name: 'ufsErrors', labels: Record<string, string>): Promise<number> {
  const m = await metrics[name].get();
  return m.values.find((v) => Object.entries(labels).every(([k, l]) => (v.labels as Record<string, unknown>)[k] === l))?.value ?? 0;
}

describe('S3Ufs against a failing server', () => {
  describe('503 SlowDown', () => {
    let server: FaultyHttpServer;
    before(async () => { server = await startFaultyHttpServer('slowdown'); });
    after(async () => { await server.stop(); });

    it('retries exactly max.error.retry times, then throws a UfsError naming op and URI, never the secret', async () => {
      const ufs = new S3Ufs('s3://bucket/prefix/', optionsFor(server.endpoint, { 'alluxio.underfs.s3.max.error.retry': '3' }), { retryBaseDelayMs: 2, retryMaxDelayMs: 20 });
      const errorsBefore = await counterValue('ufsErrors', { op: 'openRead', ufs: 's3' });
      const before = server.requests;
      try {
        await assert.rejects(ufs.openRead('s3://bucket/prefix/data/file.bin', 0, 100), (e: unknown) => {
          assert.ok(e instanceof UfsError);
          assert.equal(e.code, 'ALX_ERR_UFS_UNAVAILABLE');
          assert.match(e.message, /openRead/);
          assert.match(e.message, /GetObject/);
          assert.ok(e.message.includes('s3://bucket/prefix/data/file.bin'), e.message);
          assert.match(e.message, /4 attempts/);
          assert.match(e.message, /SlowDown/);
          assert.ok(!e.message.includes(SECRET), 'no secret in the message');
          assert.ok(!JSON.stringify(e).includes(SECRET), 'no secret in the JSON form');
          return true;
        });
        assert.equal(server.requests - before, 4, 'one attempt plus 3 retries');
        assert.ok(server.log.slice(before).every((l) => l.startsWith('GET /bucket/prefix/data/file.bin')), 'path-style requests to the endpoint');
        assert.equal(await counterValue('ufsErrors', { op: 'openRead', ufs: 's3' }), errorsBefore + 1);
        const latency = await metrics.ufsLatency.get();
        const count = latency.values.find((v) => v.metricName === 'alluxio_ufs_latency_seconds_count' && v.labels.op === 'openRead' && v.labels.ufs === 's3');
        assert.ok((count?.value ?? 0) >= 1, 'latency recorded for the failed call');
      } finally {
        await ufs.close();
      }
    });

    it('uses the default of 5 retries, and retries HEAD (no body) too', async () => {
      const ufs = new S3Ufs('s3a://bucket/', optionsFor(server.endpoint, {}), { retryBaseDelayMs: 1, retryMaxDelayMs: 5 });
      const before = server.requests;
      try {
        await assert.rejects(ufs.getStatus('s3a://bucket/k'), (e: UfsError) => {
          assert.equal(e.code, 'ALX_ERR_UFS_UNAVAILABLE');
          assert.match(e.message, /getStatus of s3a:\/\/bucket\/k failed after 6 attempts \(HeadObject/);
          return true;
        });
        assert.equal(server.requests - before, 6);
      } finally {
        await ufs.close();
      }
    });

    it('with max.error.retry=0 makes a single attempt', async () => {
      const ufs = new S3Ufs('s3://bucket/', optionsFor(server.endpoint, { 'alluxio.underfs.s3.max.error.retry': '0' }));
      const before = server.requests;
      try {
        await assert.rejects(ufs.write('s3://bucket/w', Buffer.from('x')), { code: 'ALX_ERR_UFS_UNAVAILABLE', message: /after 1 attempt \(PutObject/ });
        assert.equal(server.requests - before, 1);
      } finally {
        await ufs.close();
      }
    });
  });

  describe('a server that never answers', () => {
    let server: FaultyHttpServer;
    before(async () => { server = await startFaultyHttpServer('hang'); });
    after(async () => { await server.stop(); });

    it('times out each attempt after the request timeout and throws ALX_ERR_UFS_TIMEOUT', async () => {
      const ufs = new S3Ufs('s3://bucket/', optionsFor(server.endpoint, {
        'alluxio.underfs.s3.request.timeout': '300ms',
        'alluxio.underfs.s3.max.error.retry': '1',
      }), { retryBaseDelayMs: 1, retryMaxDelayMs: 5 });
      const before = server.requests;
      const start = Date.now();
      try {
        await assert.rejects(ufs.getStatus('s3://bucket/slow/key'), (e: UfsError) => {
          assert.equal(e.code, 'ALX_ERR_UFS_TIMEOUT');
          assert.match(e.message, /getStatus of s3:\/\/bucket\/slow\/key failed after 2 attempts/);
          assert.match(e.message, /300 ms/);
          assert.ok(!e.message.includes(SECRET));
          return true;
        });
        const took = Date.now() - start;
        assert.ok(took >= 550, `two 300 ms attempts take at least ~600 ms, took ${took}`);
        assert.ok(took < 60_000, `gave up instead of hanging, took ${took}`); // a hang guard, not a speed bound
        assert.equal(server.requests - before, 2);
      } finally {
        await ufs.close();
      }
    });

    it('stops at once when the caller aborts', async () => {
      // The request timeout is far longer than the test's patience: only the abort can end the read.
      const ufs = new S3Ufs('s3://bucket/', optionsFor(server.endpoint, { 'alluxio.underfs.s3.request.timeout': '10min' }));
      const ac = new AbortController();
      const start = Date.now();
      setTimeout(() => ac.abort(new Error('caller gave up')), 100);
      try {
        await assert.rejects(ufs.openRead('s3://bucket/k', 0, -1, { signal: ac.signal }), /caller gave up/);
        assert.ok(Date.now() - start < 60_000, 'ended by the abort, not by the 10 min request timeout');
      } finally {
        await ufs.close();
      }
    });
  });

  it('fails a body that stops flowing with ALX_ERR_UFS_TIMEOUT on the stream', async () => {
    const s = await startFaultyHttpServer('stall-body');
    const ufs = new S3Ufs('s3://bucket/', optionsFor(s.endpoint, { 'alluxio.underfs.s3.request.timeout': '300ms' }));
    try {
      const stream = await ufs.openRead('s3://bucket/stalled', 0, 1000);
      let got = 0;
      await assert.rejects((async () => { for await (const c of stream) got += (c as Buffer).length; })(), (e: UfsError) => {
        assert.equal(e.code, 'ALX_ERR_UFS_TIMEOUT');
        assert.match(e.message, /s3:\/\/bucket\/stalled/);
        return true;
      });
      assert.equal(got, 10);
    } finally {
      await ufs.close();
      await s.stop();
    }
  });

  it('refuses a connection to a closed port as unavailable, after retries', async () => {
    const s = await startFaultyHttpServer('slowdown');
    const endpoint = s.endpoint;
    await s.stop(); // nothing listens there now
    const ufs = new S3Ufs('s3://bucket/', optionsFor(endpoint, { 'alluxio.underfs.s3.max.error.retry': '2' }), { retryBaseDelayMs: 1, retryMaxDelayMs: 5 });
    try {
      await assert.rejects(ufs.list('s3://bucket/dir'), { code: 'ALX_ERR_UFS_UNAVAILABLE', message: /list of s3:\/\/bucket\/dir failed after 3 attempts.*ECONNREFUSED/ });
    } finally {
      await ufs.close();
    }
  });
});

// A path or key too long for the under-storage is a client error (400) with a short answer, on the
// S3 API and on the REST API alike: never a 502, never a body echoing the whole path.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import { startS3TestCluster, type S3TestCluster } from '../../support/s3-clients.js';

const SHORT_BODY = 2000;

describe('too-long names', { timeout: 120_000 }, () => {
  let c: S3TestCluster;
  let s3: string;
  let rest: string;

  before(async () => {
    c = await startS3TestCluster({ workers: 1 });
    s3 = c.endpoints[0]!;
    rest = `http://127.0.0.1:${c.cluster.ports[0]!.http}`;
  });
  after(async () => {
    await c?.stop();
  });

  async function send(url: string, method = 'GET', body?: string) {
    const r = await request(url, { method: method as 'GET', body });
    return { status: r.statusCode, text: await r.body.text() };
  }

  test('S3: a 5,000-char key and a 300-char path segment get 400 with a short body', async () => {
    for (const [what, key] of [['5,000-char key', 'k'.repeat(5000)], ['300-char segment', 's'.repeat(300)], ['300-char dir', 'd'.repeat(300) + '/obj']]) {
      for (const method of ['GET', 'PUT']) {
        const r = await send(`${s3}/bucket/${key}`, method, method === 'PUT' ? 'x' : undefined);
        assert.equal(r.status, 400, `${method} ${what}: ${r.text.slice(0, 300)}`);
        assert.ok(r.text.length < SHORT_BODY, `${method} ${what}: a ${r.text.length}-char body`);
        assert.match(r.text, /<Code>(KeyTooLongError|InvalidArgument)<\/Code>/);
      }
    }
  });

  test('REST: a 5,000-char path gets 400 with a short message', async () => {
    const long = '/bucket/' + 'p'.repeat(5000);
    for (const [method, route] of [['GET', '/v1/info'], ['GET', '/v1/files'], ['PUT', '/v1/file'], ['POST', '/v1/mkdir']]) {
      const r = await send(`${rest}${route}?path=${encodeURIComponent(long)}`, method, method === 'PUT' ? 'x' : undefined);
      assert.equal(r.status, 400, `${method} ${route}: ${r.text.slice(0, 300)}`);
      assert.ok(r.text.length < SHORT_BODY, `${method} ${route}: a ${r.text.length}-char body`);
      assert.equal(JSON.parse(r.text).code, 'ALX_ERR_INVALID_PATH');
    }
  });
});

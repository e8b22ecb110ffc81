// URLs built by the protocol module (src/common/protocol/url.ts) parse back, with WHATWG URL and
// undici alike, to exactly the host, path parameters and query values they were built from.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildUrl, hostPort, httpOrigin, parseHostPort, queryString, routePath } from '../../../src/common/protocol/url.js';
import { routePattern, WORKER_REST } from '../../../src/common/protocol/routes.js';

const NASTY = ['a b', '100%', 'x#y', 'what?', 'a&b=c', 'plus+sign', 'ünïcødé/日本語 🚀', '/s3/dir with space/f%25.txt', ''];

describe('protocol URLs', () => {
  it('brackets an IPv6 host and leaves names and IPv4 alone', () => {
    assert.equal(hostPort('::1', 28080), '[::1]:28080');
    assert.equal(httpOrigin('::1', 28080), 'http://[::1]:28080');
    assert.equal(httpOrigin('fe80::1', 1), 'http://[fe80::1]:1');
    assert.equal(httpOrigin('[::1]', 28080), 'http://[::1]:28080');
    assert.equal(httpOrigin('127.0.0.1', 28080), 'http://127.0.0.1:28080');
    assert.equal(httpOrigin('worker-0.alluxio.svc', 28080, 'https'), 'https://worker-0.alluxio.svc:28080');
    const u = new URL(buildUrl(httpOrigin('::1', 28080), WORKER_REST.health));
    assert.equal(u.hostname, '[::1]');
    assert.equal(u.port, '28080');
    assert.equal(u.pathname, '/v1/health');
  });

  it('reads host:port and [ipv6]:port back (parseHostPort), and refuses anything else', () => {
    for (const [host, port] of [['::1', 28080], ['fe80::1', 1], ['127.0.0.1', 65535], ['worker-0.alluxio.svc', 30000]] as const) {
      assert.deepEqual(parseHostPort(hostPort(host, port)), { host, port });
    }
    for (const bad of ['::1:28080', '[::1]', '[::1]:', 'host', 'host:0', 'host:65536', 'host:12ab', 'a b:1', '[zz]:1', 'http://h:1']) {
      assert.equal(parseHostPort(bad), undefined, bad);
    }
  });

  it('encodes query values so they parse back unchanged', () => {
    for (const v of NASTY) {
      const u = new URL(buildUrl('http://h:1', WORKER_REST.files, { query: { path: v, recursive: true } }));
      assert.equal(u.pathname, '/v1/files', v);
      assert.equal(u.searchParams.get('path'), v, v);
      assert.equal(u.searchParams.get('recursive'), 'true');
      assert.equal(u.hash, '', v);
    }
  });

  it('leaves out undefined query values and the ? of an empty query', () => {
    assert.equal(queryString({}), '');
    assert.equal(queryString({ a: undefined }), '');
    assert.equal(queryString({ a: undefined, b: 0, c: false }), '?b=0&c=false');
    assert.equal(buildUrl('http://h:1', WORKER_REST.cache), 'http://h:1/v1/cache');
  });

  it('encodes route parameters as one path segment each', () => {
    for (const v of NASTY.filter((x) => x !== '')) {
      const path = routePath('/v1/x/{fileId}/page/{pageIndex}', { fileId: v, pageIndex: 3 });
      const u = new URL(`http://h:1${path}`);
      const segs = u.pathname.split('/');
      assert.equal(segs.length, 6, v);
      assert.equal(decodeURIComponent(segs[3]!), v);
      assert.equal(segs[5], '3');
      assert.equal(u.search, '', v);
    }
    assert.throws(() => routePath(WORKER_REST.range, {}), /no value for \{fileId\}/);
  });

  it('matches the URLs it builds with the pattern a server registers', () => {
    const id = 'ab'.repeat(32);
    const path = routePath(WORKER_REST.page, { fileId: id, pageIndex: 12 });
    const m = routePattern(WORKER_REST.page).exec(path);
    assert.deepEqual(m?.slice(1), [id, '12']);
    assert.equal(routePattern(WORKER_REST.page).test(routePath(WORKER_REST.page, { fileId: 'not-an-id', pageIndex: 1 })), false);
    assert.equal(routePattern(WORKER_REST.cache).test('/v1/cache/files'), false);
    assert.equal(routePattern(WORKER_REST.cacheFiles).test('/v1/cache/files'), true);
  });
});

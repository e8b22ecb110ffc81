// The worker REST server registers exactly the routes of common/protocol WORKER_REST: every
// template it registers is a constant, every constant is registered, and a real worker answers
// each of them (a handler's answer, never the router's "no route").
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { routePattern, WORKER_REST, WorkerRestClient, type HttpMethod } from '../../src/common/protocol/index.js';
import { restRoutes, type RestServerDeps } from '../../src/worker/rest-server.js';
import { makeTempDir, type TempDir } from '../support/tmp.js';
import { startTestCluster, type TestCluster } from '../support/workers.js';

// Building the table reads no dependency (handlers use them when called), so none is needed here.
const registered = restRoutes({} as RestServerDeps);
// The short-circuit page routes are registered on the domain socket server only (local-pages-route.ts).
const socketOnly = restRoutes({ domainSocket: true } as RestServerDeps).filter(([m, r]) => !registered.some(([m2, r2]) => m === m2 && r === r2));
const constants = new Set<string>(Object.values(WORKER_REST));

describe('worker: REST routes come from common/protocol', () => {
  let tmp: TempDir;
  let cluster: TestCluster;
  let http: WorkerRestClient;

  before(async () => {
    tmp = await makeTempDir('rest-routes-');
    cluster = await startTestCluster({ dir: tmp.path, rootUfs: tmp.path, workers: 1 });
    http = new WorkerRestClient({ timeouts: { connectMs: 15_000, headersMs: 30_000, bodyMs: 30_000 } });
  });

  after(async () => {
    await http?.close();
    await cluster?.stop();
    await tmp?.cleanup();
  });

  test('every registered route is a WORKER_REST constant, and every constant is registered', () => {
    assert.ok(socketOnly.length > 0, 'the domain socket server registers its own routes');
    const templates = new Set([...registered, ...socketOnly].map(([, route]) => route));
    for (const [method, route, name] of [...registered, ...socketOnly]) assert.ok(constants.has(route), `${method} ${route} (${name}) is not in WORKER_REST`);
    for (const c of constants) assert.ok(templates.has(c as never), `WORKER_REST has ${c} but the server does not register it`);
    // No two entries for the same method and template: the second would never match.
    const keys = registered.map(([method, route]) => `${method} ${route}`);
    assert.equal(new Set(keys).size, keys.length, `duplicate routes: ${keys.join(', ')}`);
    for (const c of constants) routePattern(c); // every template compiles
  });

  test('a real worker answers every registered route and method, and only those', async () => {
    const w = cluster.workers[0]!.info;
    const params = { fileId: createHash('sha256').update('nothing').digest('hex'), pageIndex: 0 };
    for (const [method, route, name] of registered) {
      // No query parameters: mutating handlers refuse (400) before they change anything.
      const res = await http.send(w, method as HttpMethod, route, { params });
      const text = await res.body.text();
      assert.ok(!(res.statusCode === 404 && text.includes('no route')), `${method} ${route} (${name}) answered ${res.statusCode} ${text}`);
      assert.notEqual(res.statusCode, 405, `${method} ${route} (${name}) answered 405`);
    }
    // Socket-only routes do not exist on the TCP port.
    for (const [method, route, name] of socketOnly) {
      const res = await http.send(w, method as HttpMethod, route, { params });
      assert.equal(res.statusCode, 404, `${method} ${route} (${name}) is served on TCP`);
      assert.match(await res.body.text(), /no route/);
    }
    // The router itself: an unknown path, and a registered template with a malformed parameter.
    const unknown = await http.send(w, 'GET', '/v1/nope' as never);
    assert.equal(unknown.statusCode, 404);
    assert.match(await unknown.body.text(), /no route \/v1\/nope/);
    const badId = await http.send(w, 'GET', WORKER_REST.range, { params: { fileId: 'not-a-sha256' } });
    assert.equal(badId.statusCode, 404);
    assert.match(await badId.body.text(), /no route/);
  });
});

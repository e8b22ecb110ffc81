import { createServer, type IncomingMessage, type Server } from 'node:http';
import { metrics } from '../common/metrics.js';
import { fileIdOf } from '../pagestore/index.js';
import type { WorkerInfo } from '../hashring/worker-info.js';
import type { FileService } from './file-service.js';
import { applyTimeouts, timeoutServerOptions, type HttpTimeouts } from '../common/http-timeouts.js';
import type { LoadService } from './load-service.js';
import type { JobTaskService } from './job-task-service.js';
import type { PageStore } from '../pagestore/page-store.js';
import { serveCacheDigest } from './peer-cache-digest.js';
import { servePeerPages } from './peer-page-source.js';
import { sendError, sendJson, sendRefusal } from '../common/http.js';
import type { RestGuard } from './rest-auth.js';
import { alluxioJson, boolParam, pathParam, PARAM, routePattern, WORKER_REST as R, type CacheIndexEntryJson } from '../common/protocol/index.js';
import { streamRange, type Route } from './rest-codec.js';
import { alluxiofsRoutes } from './alluxiofs-routes.js';
import { listPageRoute } from './list-page-route.js';
import { localPageRoutes } from './local-pages-route.js';

export interface RestServerDeps {
  files: FileService;
  store: PageStore;
  self: () => WorkerInfo;
  /** Workers that own a UFS URI, in ring order. */
  owners: (ufsUri: string, count: number) => WorkerInfo[];
  load: LoadService;
  /** The worker side of the coordinator's load and free jobs. */
  jobTasks: JobTaskService;
  /** alluxio.worker.http.server.{request.header,request.body,idle}.timeout */
  timeouts: HttpTimeouts;
  /** Checks credentials and read-only mode before any handler (rest-auth.ts); null: nothing to check. */
  guard: RestGuard | null;
  /** Why the worker cannot serve now, or undefined (see worker-health.ts). */
  health: () => Promise<string | undefined>;
  /** The server listens on the domain socket: it also serves the short-circuit page routes (local-pages-route.ts). */
  domainSocket?: boolean;
}

/** Every route of the REST API, in matching order; templates from common/protocol WORKER_REST. */
export function restRoutes(d: RestServerDeps): Route[] {
  return [
    // The routes of the alluxiofs Python client (alluxiofs-routes.ts), then ours.
    ...alluxiofsRoutes(d),
    ['GET', R.health, 'health', async (_req, res) => {
      const problem = await d.health();
      if (problem === undefined) sendJson(res, 200, { status: 'ok', worker: d.self().identity });
      else sendJson(res, 503, { status: 'unhealthy', code: 'ALX_ERR_WORKER_UNAVAILABLE', message: problem, worker: d.self().identity });
    }],
    ['GET', R.files, 'files', async (_req, res, q) => {
      const entries = await d.files.list(pathParam(q), boolParam(q, PARAM.recursive, false));
      sendJson(res, 200, entries.map(alluxioJson));
    }],
    listPageRoute(d.files),
    ['GET', R.read, 'read', async (_r, res, q) => streamRange(d.files, res, pathParam(q), q)],
    ['PUT', R.file, 'write', async (req, res, q) => {
      const len = req.headers['content-length'];
      const entry = await d.files.write(pathParam(q), req, { length: len ? Number(len) : undefined, contentMd5: header(req, 'content-md5') });
      sendJson(res, 200, alluxioJson(entry));
    }],
    ['DELETE', R.file, 'delete', async (_r, res, q) => {
      await d.files.delete(pathParam(q), boolParam(q, PARAM.recursive, false));
      sendJson(res, 200, { success: true });
    }],
    ['POST', R.mkdir, 'mkdir', async (_r, res, q) => sendJson(res, 200, alluxioJson(await d.files.mkdir(pathParam(q))))],
    ['GET', R.cache, 'cache', (_r, res) => sendJson(res, 200, { worker: d.self(), ...d.store.stats() })],
    ['GET', R.cacheFile, 'cache-file', async (_r, res, q) => {
      const r = d.files.resolve(pathParam(q));
      const info = d.store.fileInfo(fileIdOf(r.ufsUri));
      sendJson(res, 200, { ufsPath: r.ufsUri, fileId: fileIdOf(r.ufsUri), cachedPages: info?.pages.length ?? 0, cachedBytes: info?.bytes ?? 0, version: info?.version ?? null });
    }],
    // The cache index (every cached file and its bytes), for `alluxio ring plan`.
    ['GET', R.cacheFiles, 'cache-files', (_r, res) => {
      const out: CacheIndexEntryJson[] = [];
      for (const f of d.store.files()) out.push({ ufsUri: f.ufsUri, bytes: f.bytes, pages: f.pages.length });
      sendJson(res, 200, out);
    }],
    // Cache-only page reads for a worker that took over a key after a ring change (peer-page-source.ts).
    ['GET', R.cachePages, 'peer-pages', (_r, res, q, m) => servePeerPages(d.store, m[1]!, q, res)],
    ['GET', R.cacheDigest, 'peer-digest', (_r, res) => serveCacheDigest(d.store, res)],
    ['GET', R.load, 'load', (req, res, q) => d.load.handle(req, res, q)],
    ['POST', R.load, 'load', (req, res, q) => d.load.handle(req, res, q)],
    ['POST', R.jobLoad, 'job-load', (req, res) => d.jobTasks.handleLoad(req, res)],
    ['POST', R.jobFree, 'job-free', (req, res) => d.jobTasks.handleFree(req, res)],
    // Never on the TCP port: page file paths are for clients on this host only.
    ...(d.domainSocket === true ? localPageRoutes(d.files, d.store) : []),
  ];
}

/**
 * The worker's REST API on `alluxio.worker.http.server.port` (28080): the API of the Python
 * alluxiofs client (DESIGN.md §8) plus a few routes of ours (write, delete, cache status).
 */
export function createRestServer(d: RestServerDeps): Server {
  // Patterns compiled once, matched in order.
  const routes = restRoutes(d).map(([method, route, name, handler]) => [method, routePattern(route), name, handler] as const);
  const guard = d.guard;

  const server = createServer(timeoutServerOptions(d.timeouts), (req, res) => {
    const url = new URL(req.url ?? '/', 'http://worker');
    let route = 'unknown';
    res.on('finish', () => metrics.restRequests.inc({ route, status: String(res.statusCode) }));
    for (const [method, re, name, handler] of routes) {
      const m = re.exec(url.pathname);
      if (!m) continue;
      if (method !== req.method) continue;
      route = name;
      if (guard !== null) {
        const refused = guard(req, url);
        if (refused !== null) return sendRefusal(req, res, refused);
      }
      // A handler that throws before its first await (a bad parameter) is answered the same way.
      new Promise<void>((resolve) => resolve(handler(req, res, url.searchParams, m))).catch((err) => sendError(res, err));
      return;
    }
    const known = routes.some(([, re]) => re.test(url.pathname));
    sendJson(res, known ? 405 : 404, { code: 'ALX_ERR_NOT_FOUND', message: `${known ? 'method ' + req.method + ' not allowed on' : 'no route'} ${url.pathname}` });
  });
  applyTimeouts(server, d.timeouts);
  return server;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { AlluxioError, InvalidArgumentError } from '../common/errors.js';
import { metrics, registry } from '../common/metrics.js';
import { workerName } from '../hashring/worker-info.js';
import type { MembershipManager } from '../membership/membership-manager.js';
import { handleLogLevel } from '../common/log-level-route.js';
import { readBody, sendError, sendJson, sendRefusal, type RequestGuard } from '../common/http.js';
import { COORDINATOR_REST as C, routePattern, WEB_ROUTES } from '../common/protocol/index.js';
import { clusterReport, workerAddress } from './cluster-stats.js';
import type { MountAdmin } from './mount-admin.js';
import { wantsConsole } from '../console/console-routes.js';
import type { ConsoleGate } from '../console/console-gate.js';

export type CoordinatorHandler = (req: IncomingMessage, res: ServerResponse, q: URLSearchParams, m: RegExpExecArray) => Promise<void> | void;

/** A route of the coordinator's REST API; the jobs code adds its own through startCoordinator's `routes`. */
export interface CoordinatorRoute {
  method: string;
  path: RegExp;
  name: string;
  handler: CoordinatorHandler;
}

export interface CoordinatorServerDeps {
  membership: MembershipManager;
  mounts: MountAdmin;
  clusterName: string;
  info: () => Record<string, unknown>;
  /** Per-worker timeout of the /api/v1/cluster fan-out. */
  workerTimeoutMs: number;
  /** Sent to workers by the /api/v1/cluster fan-out (alluxio.user.auth.token.file), for workers whose reads need credentials. */
  workerAuthorization?: string;
  /** Extra routes, matched before the built-in ones (the jobs issue registers /api/v1/load here). */
  routes?: CoordinatorRoute[];
  /** Checks credentials before any handler (worker/rest-auth.ts coordinatorRestGuard); null: open. */
  guard: RequestGuard | null;
  /** The web console (console/): `/` for a browser, /console, /api/v1/console/*. */
  console?: ConsoleGate;
}

/** Job endpoints answer 501 until the jobs code registers real handlers for them. */
const JOB_PATH = /^\/api\/v1\/(load|free)$/;

/**
 * The coordinator's web port (19999): REST API under /api/v1, Prometheus /metrics, and the job
 * endpoints. Errors leave as `{code, message}` with the status of the error table.
 */
export function createCoordinatorServer(d: CoordinatorServerDeps): Server {
  const builtIn: CoordinatorRoute[] = [
    { method: 'GET', path: routePattern(C.health), name: 'health', handler: (_r, res) => sendJson(res, 200, { status: 'ok', ...d.info() }) },
    { method: 'GET', path: /^\/(api\/v1\/info)?$/, name: 'info', handler: (_r, res) => sendJson(res, 200, d.info()) },
    { method: 'GET', path: routePattern(WEB_ROUTES.metrics), name: 'metrics', handler: async (_r, res) => {
      const text = await registry.metrics();
      res.writeHead(200, { 'content-type': registry.contentType });
      res.end(text);
    } },
    ...['GET', 'POST'].map((method): CoordinatorRoute => ({ method, path: routePattern(WEB_ROUTES.log), name: 'log-level', handler: (req, res, q) => handleLogLevel(req, res, q) })),
    { method: 'GET', path: routePattern(C.workers), name: 'workers', handler: async (_r, res) => {
      const all = await d.membership.allWorkers();
      sendJson(res, 200, all.map((s) => ({
        workerId: workerName(s.worker.identity), address: workerAddress(s.worker), status: s.status,
        identity: s.worker.identity, netAddress: s.worker.address, capacityBytes: s.worker.capacityBytes ?? null,
      })));
    } },
    { method: 'GET', path: routePattern(C.cluster), name: 'cluster', handler: async (_r, res) => {
      sendJson(res, 200, await clusterReport(d.membership, d.clusterName, d.workerTimeoutMs, d.workerAuthorization));
    } },
    { method: 'GET', path: routePattern(C.mount), name: 'mount-list', handler: async (_r, res) => sendJson(res, 200, await d.mounts.list()) },
    { method: 'POST', path: routePattern(C.mount), name: 'mount-add', handler: async (req, res) => {
      sendJson(res, 200, await d.mounts.add(parseJson(await readBody(req))));
    } },
    { method: 'DELETE', path: routePattern(C.mount), name: 'mount-remove', handler: async (_r, res, q) => {
      const path = q.get('path');
      await d.mounts.remove(path ?? '');
      sendJson(res, 200, { success: true, path });
    } },
    ...['GET', 'POST', 'DELETE'].map((method): CoordinatorRoute => ({
      method, path: JOB_PATH, name: 'job', handler: (_r, _res, _q, m) => {
        throw new AlluxioError('ALX_ERR_NOT_IMPLEMENTED', `the ${m[1]} job API is not available in this build yet`);
      },
    })),
  ];
  const routes = [...(d.routes ?? []), ...builtIn];
  const guard = d.guard;

  return createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
    const url = new URL(req.url ?? '/', 'http://coordinator');
    let route = 'unknown';
    res.on('finish', () => metrics.restRequests.inc({ route: `coordinator-${route}`, status: String(res.statusCode) }));
    if (d.console !== undefined && wantsConsole(req, url.pathname)) {
      route = 'console';
      return d.console.handle(req, res, url);
    }
    let pathKnown = false;
    for (const r of routes) {
      const m = r.path.exec(url.pathname);
      if (!m) continue;
      pathKnown = true;
      if (r.method !== req.method) continue;
      route = r.name;
      if (guard !== null) {
        const refused = guard(req, url);
        if (refused !== null) return sendRefusal(req, res, refused);
      }
      Promise.resolve().then(() => r.handler(req, res, url.searchParams, m)).catch((err) => sendError(res, err));
      return;
    }
    sendJson(res, pathKnown ? 405 : 404, {
      code: pathKnown ? 'ALX_ERR_INVALID_ARGUMENT' : 'ALX_ERR_NOT_FOUND',
      message: pathKnown ? `method ${req.method} not allowed on ${url.pathname}` : `no route ${url.pathname}`,
    });
  });
}

function parseJson(body: Buffer): unknown {
  if (body.length === 0) throw new InvalidArgumentError('request body is empty: expected JSON such as {"path":"/s3","ufs":"s3://bucket/dir/"}');
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new InvalidArgumentError('request body is not valid JSON');
  }
}

import { createServer, type Server } from 'node:http';
import { registry } from '../common/metrics.js';
import { sendError, sendJson, sendRefusal, type RequestGuard } from '../common/http.js';
import { handleLogLevel } from '../common/log-level-route.js';
import { WEB_ROUTES } from '../common/protocol/index.js';
import { wantsConsole } from '../console/console-routes.js';
import type { ConsoleGate } from '../console/console-gate.js';

/**
 * A process's web port: Prometheus metrics at /metrics, a JSON summary at /api/v1/info, a
 * health answer at /health (503 when `health` names a problem), and the logger levels at
 * /api/v1/conf/log (POST changes them; `guard` checks its credentials). Shared by worker and fuse.
 * With a `consoleGate`, a browser asking for `/` gets the web console (console/), the rest stays JSON.
 */
export function createWebServer(info: () => Record<string, unknown>, health: () => Promise<string | undefined> = async () => undefined,
  guard: RequestGuard | null = null, consoleGate?: ConsoleGate): Server {
  return createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://web');
    const path = url.pathname;
    if (consoleGate !== undefined && wantsConsole(req, path)) return consoleGate.handle(req, res, url);
    if (path === WEB_ROUTES.log && (req.method === 'GET' || req.method === 'POST')) {
      const refused = guard?.(req, url) ?? null;
      if (refused !== null) return sendRefusal(req, res, refused);
      try {
        return handleLogLevel(req, res, url.searchParams);
      } catch (err) {
        return sendError(res, err);
      }
    }
    if (req.method !== 'GET') return sendJson(res, 405, { code: 'ALX_ERR_INVALID_ARGUMENT', message: `method ${req.method} not allowed` });
    if (path === WEB_ROUTES.metrics) {
      registry.metrics().then((text) => {
        res.writeHead(200, { 'content-type': registry.contentType });
        res.end(text);
      }, (err) => sendError(res, err));
      return;
    }
    if (path === WEB_ROUTES.health) {
      health().then((problem) => {
        if (problem === undefined) sendJson(res, 200, { status: 'ok' });
        else sendJson(res, 503, { status: 'unhealthy', code: 'ALX_ERR_WORKER_UNAVAILABLE', message: problem });
      }, (err) => sendError(res, err));
      return;
    }
    if (path === WEB_ROUTES.info || path === '/') return sendJson(res, 200, info());
    sendJson(res, 404, { code: 'ALX_ERR_NOT_FOUND', message: `no route ${path}` });
  });
}

import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from './http.js';
import { loggerLevels, setLogLevel } from './logging.js';

// GET/POST /api/v1/conf/log on every process's web port (worker, coordinator, FUSE): the logger
// levels, and a change of level at run time (`alluxio conf log`, `alluxio logLevel`). Auth is the
// caller's: a POST is a mutating call, so the process's REST guard applies to it.

/** Answers `{loggers: [{name, level}]}`; POST takes `level` and optionally `name` from the query. */
export function handleLogLevel(req: IncomingMessage, res: ServerResponse, q: URLSearchParams): void {
  const name = q.get('name') ?? undefined;
  if (req.method === 'POST') {
    const level = q.get('level');
    if (level === null || level === '') return sendJson(res, 400, { code: 'ALX_ERR_INVALID_ARGUMENT', message: 'level is required: POST /api/v1/conf/log?level=debug[&name=worker]' });
    sendJson(res, 200, { loggers: setLogLevel(level, name) });
    return;
  }
  sendJson(res, 200, { loggers: loggerLevels(name) });
}

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { sendStream } from './send-stream.js';
import { AlluxioError, InvalidArgumentError } from '../common/errors.js';
import { formatSize } from '../common/sizes.js';
import { metrics } from '../common/metrics.js';
import { fileIdOf } from '../pagestore/index.js';
import type { WorkerInfo } from '../hashring/worker-info.js';
import type { FileEntry, FileService } from './file-service.js';
import { applyTimeouts, timeoutServerOptions, type HttpTimeouts } from '../common/http-timeouts.js';
import type { LoadService } from './load-service.js';
import type { PageStore } from '../pagestore/page-store.js';
import { servePeerPages } from './peer-page-source.js';
import { UFS_VERSION_HEADER, VERSION_PARAM } from '../client/worker-http.js';
import { intParam, requiredParam, sendError, sendJson, sendRefusal } from '../common/http.js';
import type { RestGuard } from './rest-auth.js';

export interface RestServerDeps {
  files: FileService;
  store: PageStore;
  self: () => WorkerInfo;
  /** Workers that own a UFS URI, in ring order. */
  owners: (ufsUri: string, count: number) => WorkerInfo[];
  load: LoadService;
  /** alluxio.worker.http.server.{request.header,request.body,idle}.timeout */
  timeouts: HttpTimeouts;
  /** Checks credentials and read-only mode before any handler (rest-auth.ts); null: nothing to check. */
  guard: RestGuard | null;
  /** Why the worker cannot serve now, or undefined (see worker-health.ts). */
  health: () => Promise<string | undefined>;
}

type Handler = (req: IncomingMessage, res: ServerResponse, q: URLSearchParams, m: RegExpExecArray) => Promise<void> | void;

/**
 * The worker's REST API on `alluxio.worker.http.server.port` (28080): the API of the Python
 * alluxiofs client (DESIGN.md §8) plus a few routes of ours (write, delete, cache status).
 */
export function createRestServer(d: RestServerDeps): Server {
  const routes: Array<[string, RegExp, string, Handler]> = [
    ['GET', /^\/v1\/health$/, 'health', async (_req, res) => {
      const problem = await d.health();
      if (problem === undefined) sendJson(res, 200, { status: 'ok', worker: d.self().identity });
      else sendJson(res, 503, { status: 'unhealthy', code: 'ALX_ERR_WORKER_UNAVAILABLE', message: problem, worker: d.self().identity });
    }],
    ['GET', /^\/v1\/files$/, 'files', async (_req, res, q) => {
      const entries = await d.files.list(pathParam(q), q.get('recursive') === 'true');
      sendJson(res, 200, entries.map(alluxioJson));
    }],
    ['GET', /^\/v1\/info$/, 'info', async (_r, res, q) => sendJson(res, 200, alluxioJson(await d.files.stat(pathParam(q))))],
    ['GET', /^\/v1\/file\/([0-9a-f]{64})\/page\/(\d+)$/, 'page', async (_r, res, q, m) => {
      const f = await d.files.open(checkedUfsPath(q, m[1]!), versionParam(q));
      const page = await d.files.data.readPage(f, Number(m[2]));
      const off = intParam(q, 'offset', 0);
      const len = intParam(q, 'length', page.length - off);
      if (off < 0 || len < 0 || off > page.length) throw new AlluxioError('ALX_ERR_INVALID_RANGE', `offset ${off} length ${len} is outside page ${m[2]} (${page.length} bytes)`);
      const body = page.subarray(off, Math.min(off + len, page.length));
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length, [UFS_VERSION_HEADER]: encodeURIComponent(f.version) });
      res.end(body);
    }],
    ['GET', /^\/v1\/range\/([0-9a-f]{64})$/, 'range', async (_r, res, q, m) => {
      await streamRange(d, res, checkedUfsPath(q, m[1]!), q);
    }],
    ['GET', /^\/v1\/read$/, 'read', async (_r, res, q) => streamRange(d, res, pathParam(q), q)],
    ['PUT', /^\/v1\/file$/, 'write', async (req, res, q) => {
      const len = req.headers['content-length'];
      const entry = await d.files.write(pathParam(q), req, { length: len ? Number(len) : undefined, contentMd5: header(req, 'content-md5') });
      sendJson(res, 200, alluxioJson(entry));
    }],
    ['DELETE', /^\/v1\/file$/, 'delete', async (_r, res, q) => {
      await d.files.delete(pathParam(q), q.get('recursive') === 'true');
      sendJson(res, 200, { success: true });
    }],
    ['POST', /^\/v1\/rm\/([0-9a-f]{64})$/, 'rm', async (_r, res, q, m) => {
      await d.files.delete(checkedUfsPath(q, m[1]!), q.get('recursive') === 'true');
      sendJson(res, 200, { success: true });
    }],
    ['POST', /^\/v1\/mkdir$/, 'mkdir', async (_r, res, q) => sendJson(res, 200, alluxioJson(await d.files.mkdir(pathParam(q))))],
    ['POST', /^\/v1\/mkdir\/([0-9a-f]{64})$/, 'mkdir', async (_r, res, q, m) => sendJson(res, 200, alluxioJson(await d.files.mkdir(checkedUfsPath(q, m[1]!))))],
    ['POST', /^\/v1\/mv(?:\/[0-9a-f]{64})?$/, 'mv', async (_r, res, q) => {
      await d.files.rename(requiredParam(q, 'srcPath'), requiredParam(q, 'dstPath'));
      sendJson(res, 200, { success: true });
    }],
    ['GET', /^\/v1\/node$/, 'node', (_r, res, q) => {
      const r = d.files.resolve(pathParam(q));
      const owners = d.owners(r.ufsUri, intParam(q, 'count', 1));
      sendJson(res, 200, owners.map((w) => ({ ...w.address, Identity: w.identity })));
    }],
    ['GET', /^\/v1\/cache$/, 'cache', (_r, res) => sendJson(res, 200, { worker: d.self(), ...d.store.stats() })],
    ['GET', /^\/v1\/cache\/file$/, 'cache-file', async (_r, res, q) => {
      const r = d.files.resolve(pathParam(q));
      const info = d.store.fileInfo(fileIdOf(r.ufsUri));
      sendJson(res, 200, { ufsPath: r.ufsUri, fileId: fileIdOf(r.ufsUri), cachedPages: info?.pages.length ?? 0, cachedBytes: info?.bytes ?? 0, version: info?.version ?? null });
    }],
    // The cache index (every cached file and its bytes), for `alluxio ring plan`.
    ['GET', /^\/v1\/cache\/files$/, 'cache-files', (_r, res) => {
      const out: Array<{ ufsUri: string; bytes: number; pages: number }> = [];
      for (const f of d.store.files()) out.push({ ufsUri: f.ufsUri, bytes: f.bytes, pages: f.pages.length });
      sendJson(res, 200, out);
    }],
    // Cache-only page reads for a worker that took over a key after a ring change (peer-page-source.ts).
    ['GET', /^\/v1\/cache\/pages\/([0-9a-f]{64})$/, 'peer-pages', (_r, res, q, m) => servePeerPages(d.store, m[1]!, q, res)],
    ['GET', /^\/v1\/load$/, 'load', (req, res, q) => d.load.handle(req, res, q)],
    ['POST', /^\/v1\/load$/, 'load', (req, res, q) => d.load.handle(req, res, q)],
  ];
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
      Promise.resolve(handler(req, res, url.searchParams, m)).catch((err) => sendError(res, err));
      return;
    }
    const known = routes.some(([, re]) => re.test(url.pathname));
    sendJson(res, known ? 405 : 404, { code: 'ALX_ERR_NOT_FOUND', message: `${known ? 'method ' + req.method + ' not allowed on' : 'no route'} ${url.pathname}` });
  });
  applyTimeouts(server, d.timeouts);
  return server;
}

/**
 * A range of one version of a file. The answer names the version it serves; a request naming a
 * version (`version=`, from an earlier answer) gets that one or ALX_ERR_STALE (409).
 */
async function streamRange(d: RestServerDeps, res: ServerResponse, pathOrUri: string, q: URLSearchParams): Promise<void> {
  const data = d.files.data;
  const f = await d.files.open(pathOrUri, versionParam(q));
  const { length, stream } = data.stream(f, intParam(q, 'offset', 0), intParam(q, 'length', -1));
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': length, [UFS_VERSION_HEADER]: encodeURIComponent(f.version) });
  await sendStream(stream, res, (chunk) => data.release(chunk));
}

/** The version a read pins (`version=`, as the x-alluxio-ufs-version header of an earlier answer gave it). */
function versionParam(q: URLSearchParams): string | undefined {
  const v = q.get(VERSION_PARAM);
  if (v === '') throw new InvalidArgumentError(`query parameter ${VERSION_PARAM} is empty: pass the ${UFS_VERSION_HEADER} of an earlier answer, or leave it out`);
  return v ?? undefined;
}

function pathParam(q: URLSearchParams): string {
  const p = q.get('path') ?? q.get('ufsFullPath');
  if (!p) throw new InvalidArgumentError("missing query parameter 'path'");
  return p;
}

/** The ufsFullPath of a request whose URL also names the file by id; the two must agree. */
function checkedUfsPath(q: URLSearchParams, fileId: string): string {
  const uri = requiredParam(q, 'ufsFullPath');
  if (fileIdOf(uri) !== fileId) throw new InvalidArgumentError(`file id ${fileId} is not the SHA-256 of ufsFullPath ${uri}`);
  return uri;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** The JSON shape Alluxio's worker REST API (and alluxiofs) uses for a file. */
export function alluxioJson(e: FileEntry): Record<string, unknown> {
  return {
    mType: e.type,
    mName: e.name,
    mPath: e.path,
    mUfsPath: e.ufsPath,
    mLastModificationTimeMs: e.lastModifiedMs,
    mLength: e.length,
    mHumanReadableFileSize: formatSize(e.length),
  };
}

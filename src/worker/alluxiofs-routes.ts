import { AlluxioError } from '../common/errors.js';
import { intParam, readBody, requiredParam, sendJson } from '../common/http.js';
import { UFS_VERSION_HEADER } from '../client/worker-http.js';
import { alluxioJson, boolParam, checkedId, checkedUfsPath, pathParam, streamRange, versionParam, type Route } from './rest-codec.js';
import type { RestServerDeps } from './rest-server.js';

/** A file id in a URL: the SHA-256 of the full UFS path, as alluxiofs computes it. */
const ID = '([0-9a-f]{64})';
const route = (path: string): RegExp => new RegExp(`^/v1/${path}$`);

/**
 * The routes of the Python alluxiofs client (fsspec/alluxiofs, `alluxiofs/client/const.py`), in
 * the shapes its `core.py` reads. Reads go through `d.files` (the data path: one UFS version per
 * answer), writes through FileService (written through to the UFS, cache dropped). A missing path
 * answers 404, which the client turns into FileNotFoundError (and `exists()` into False).
 */
export function alluxiofsRoutes(d: RestServerDeps): Route[] {
  const files = d.files;
  return [
    // The owner of a path, as one object: the client reads data["Host"] and data["HttpServerPort"].
    // `count=` (ours) asks for the first n owners in ring order, as a list.
    ['GET', route('node'), 'node', (_r, res, q) => {
      const r = files.resolve(pathParam(q));
      const count = q.get('count');
      const owners = d.owners(r.ufsUri, count === null ? 1 : intParam(q, 'count', 1)).map((w) => ({ ...w.address, Identity: w.identity }));
      if (owners.length === 0) throw new AlluxioError('ALX_ERR_WORKER_UNAVAILABLE', `no worker owns ${r.ufsUri}: the hash ring is empty`);
      sendJson(res, 200, count === null ? owners[0] : owners);
    }],
    // A one-element list: every alluxiofs version reads `json.loads(body)[0]`.
    ['GET', route('info'), 'info', async (_r, res, q) => sendJson(res, 200, [alluxioJson(await files.stat(pathParam(q)))])],
    // The mount table as `{ufsUri: {alluxio_path}}`, for the client's UFS fallback and its
    // UFS-path → Alluxio-path mapping. Mount options are never included: they may hold credentials,
    // and the client then falls back with its own.
    ['GET', route('ufsInfo'), 'ufs-info', (_r, res) => {
      const out: Record<string, { alluxio_path: string }> = {};
      for (const m of files.ns.mounts.list()) out[m.ufsUri] = { alluxio_path: m.path };
      sendJson(res, 200, out);
    }],
    ['GET', route(`file/${ID}/page/(\\d+)`), 'page', async (_r, res, q, m) => {
      const f = await files.open(checkedUfsPath(q, m[1]!), versionParam(q));
      const page = await files.data.readPage(f, Number(m[2]));
      const off = intParam(q, 'offset', 0);
      const len = intParam(q, 'length', page.length - off);
      if (off < 0 || len < 0 || off > page.length) throw new AlluxioError('ALX_ERR_INVALID_RANGE', `offset ${off} length ${len} is outside page ${m[2]} (${page.length} bytes)`);
      const body = page.subarray(off, Math.min(off + len, page.length));
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length, [UFS_VERSION_HEADER]: encodeURIComponent(f.version) });
      res.end(body);
    }],
    ['POST', route(`file/${ID}/page/(\\d+)`), 'write-page', async (req, res, q, m) => {
      const page = await readBody(req, files.data.pageSize);
      sendJson(res, 200, alluxioJson(await files.writePage(checkedUfsPath(q, m[1]!), Number(m[2]), page)));
    }],
    ['GET', route(`range/${ID}`), 'range', async (_r, res, q, m) => streamRange(files, res, checkedUfsPath(q, m[1]!), q)],
    // The whole file (read_chunked); chunkSize only shapes the client's own buffering.
    ['GET', route(`chunk/${ID}`), 'chunk', async (_r, res, q, m) => streamRange(files, res, checkedUfsPath(q, m[1]!), q, 0, -1)],
    // A whole file in one streamed body (pipe_file / write_chunked).
    ['POST', route(`chunk/${ID}`), 'write-chunk', async (req, res, q, m) => {
      const len = req.headers['content-length'];
      sendJson(res, 200, alluxioJson(await files.write(checkedUfsPath(q, m[1]!), req, { length: len ? Number(len) : undefined })));
    }],
    ['GET', route(`head/${ID}`), 'head', async (_r, res, q, m) => streamRange(files, res, checkedUfsPath(q, m[1]!), q, 0, bytesParam(q))],
    ['GET', route(`tail/${ID}`), 'tail', async (_r, res, q, m) => {
      const uri = checkedUfsPath(q, m[1]!);
      const n = bytesParam(q);
      const f = await files.open(uri, versionParam(q));
      // Pin the version just opened, so the length and the bytes are of the same file.
      const pinned = new URLSearchParams(q);
      pinned.set('version', f.version);
      await streamRange(files, res, uri, pinned, Math.max(0, f.length - n), n);
    }],
    ['POST', route(`touch/${ID}`), 'touch', async (_r, res, q, m) => sendJson(res, 200, alluxioJson(await files.touch(checkedUfsPath(q, m[1]!))))],
    ['POST', route(`mkdir/${ID}`), 'mkdir', async (_r, res, q, m) => sendJson(res, 200, alluxioJson(await files.mkdir(checkedUfsPath(q, m[1]!))))],
    ['POST', route(`mv(?:/${ID})?`), 'mv', async (_r, res, q, m) => {
      const src = requiredParam(q, 'srcPath');
      if (m[1] !== undefined) checkedId(src, m[1]);
      await files.rename(src, requiredParam(q, 'dstPath'));
      sendJson(res, 200, { success: true });
    }],
    ['POST', route(`copy/${ID}`), 'copy', async (_r, res, q, m) => {
      const src = checkedId(requiredParam(q, 'srcPath'), m[1]!);
      sendJson(res, 200, alluxioJson(await files.copy(src, requiredParam(q, 'dstPath'))));
    }],
    // RMOption.remove_alluxio_only (true by default in the client, as in Alluxio): drop the cached
    // data and leave the UFS alone; false deletes in the UFS too.
    ['POST', route(`rm/${ID}`), 'rm', async (_r, res, q, m) => {
      const uri = checkedUfsPath(q, m[1]!);
      const recursive = boolParam(q, 'recursive', false) || boolParam(q, 'recursiveAlias', false);
      if (boolParam(q, 'remove_alluxio_only', false)) await files.free(uri, recursive);
      else await files.delete(uri, recursive);
      sendJson(res, 200, { success: true });
    }],
  ];
}

/** `numOfBytes` of head/tail: a byte count, 1024 when missing (the client's default). */
function bytesParam(q: URLSearchParams): number {
  const n = intParam(q, 'numOfBytes', 1024);
  if (n < 0) throw new AlluxioError('ALX_ERR_INVALID_ARGUMENT', `numOfBytes=${n} is negative`);
  return n;
}

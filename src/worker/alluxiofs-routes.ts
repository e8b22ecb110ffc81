import { AlluxioError } from '../common/errors.js';
import { intParam, readBody, requiredParam, sendJson } from '../common/http.js';
import { alluxioJson, boolParam, pathParam, PARAM, UFS_VERSION_HEADER, versionParam, WORKER_REST as R } from '../common/protocol/index.js';
import { checkedId, checkedUfsPath, streamRange, type Route } from './rest-codec.js';
import type { RestServerDeps } from './rest-server.js';

/**
 * The routes of the Python alluxiofs client (fsspec/alluxiofs, `alluxiofs/client/const.py`), in
 * the shapes its `core.py` reads. Reads go through `d.files` (the data path: one UFS version per
 * answer), writes through FileService (written through to the UFS, cache dropped). A missing path
 * answers 404, which the client turns into FileNotFoundError (and `exists()` into False).
 */
export function alluxiofsRoutes(d: RestServerDeps): Route[] {
  const files = d.files;
  // `mv` with or without the file id of srcPath in the URL (clients send both forms).
  const move: Route[3] = async (_r, res, q, m) => {
    const src = requiredParam(q, PARAM.srcPath);
    if (m[1] !== undefined) checkedId(src, m[1]);
    await files.rename(src, requiredParam(q, PARAM.dstPath));
    sendJson(res, 200, { success: true });
  };
  return [
    // The owner of a path, as one object: the client reads data["Host"] and data["HttpServerPort"].
    // `count=` (ours) asks for the first n owners in ring order, as a list.
    ['GET', R.node, 'node', (_r, res, q) => {
      const r = files.resolve(pathParam(q));
      const count = q.get(PARAM.count);
      const owners = d.owners(r.ufsUri, count === null ? 1 : intParam(q, PARAM.count, 1)).map((w) => ({ ...w.address, Identity: w.identity }));
      if (owners.length === 0) throw new AlluxioError('ALX_ERR_WORKER_UNAVAILABLE', `no worker owns ${r.ufsUri}: the hash ring is empty`);
      sendJson(res, 200, count === null ? owners[0] : owners);
    }],
    // A one-element list: every alluxiofs version reads `json.loads(body)[0]`.
    ['GET', R.info, 'info', async (_r, res, q) => sendJson(res, 200, [alluxioJson(await files.stat(pathParam(q)))])],
    // The mount table as `{ufsUri: {alluxio_path}}`, for the client's UFS fallback and its
    // UFS-path → Alluxio-path mapping. Mount options are never included: they may hold credentials,
    // and the client then falls back with its own.
    ['GET', R.ufsInfo, 'ufs-info', (_r, res) => {
      const out: Record<string, { alluxio_path: string }> = {};
      for (const m of files.ns.mounts.list()) out[m.ufsUri] = { alluxio_path: m.path };
      sendJson(res, 200, out);
    }],
    ['GET', R.page, 'page', async (_r, res, q, m) => {
      const f = await files.open(checkedUfsPath(q, m[1]!), versionParam(q));
      const page = await files.data.readPage(f, Number(m[2]));
      const off = intParam(q, PARAM.offset, 0);
      const len = intParam(q, PARAM.length, page.length - off);
      if (off < 0 || len < 0 || off > page.length) throw new AlluxioError('ALX_ERR_INVALID_RANGE', `offset ${off} length ${len} is outside page ${m[2]} (${page.length} bytes)`);
      const body = page.subarray(off, Math.min(off + len, page.length));
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length, [UFS_VERSION_HEADER]: encodeURIComponent(f.version) });
      res.end(body);
    }],
    ['POST', R.page, 'write-page', async (req, res, q, m) => {
      const page = await readBody(req, files.data.pageSize);
      sendJson(res, 200, alluxioJson(await files.writePage(checkedUfsPath(q, m[1]!), Number(m[2]), page)));
    }],
    ['GET', R.range, 'range', async (_r, res, q, m) => streamRange(files, res, checkedUfsPath(q, m[1]!), q)],
    // The whole file (read_chunked); chunkSize only shapes the client's own buffering.
    ['GET', R.chunk, 'chunk', async (_r, res, q, m) => streamRange(files, res, checkedUfsPath(q, m[1]!), q, 0, -1)],
    // A whole file in one streamed body (pipe_file / write_chunked).
    ['POST', R.chunk, 'write-chunk', async (req, res, q, m) => {
      const len = req.headers['content-length'];
      sendJson(res, 200, alluxioJson(await files.write(checkedUfsPath(q, m[1]!), req, { length: len ? Number(len) : undefined })));
    }],
    ['GET', R.head, 'head', async (_r, res, q, m) => streamRange(files, res, checkedUfsPath(q, m[1]!), q, 0, bytesParam(q))],
    ['GET', R.tail, 'tail', async (_r, res, q, m) => {
      const uri = checkedUfsPath(q, m[1]!);
      const n = bytesParam(q);
      const f = await files.open(uri, versionParam(q));
      // Pin the version just opened, so the length and the bytes are of the same file.
      const pinned = new URLSearchParams(q);
      pinned.set(PARAM.version, f.version);
      await streamRange(files, res, uri, pinned, Math.max(0, f.length - n), n);
    }],
    ['POST', R.touch, 'touch', async (_r, res, q, m) => sendJson(res, 200, alluxioJson(await files.touch(checkedUfsPath(q, m[1]!))))],
    ['POST', R.mkdirById, 'mkdir', async (_r, res, q, m) => sendJson(res, 200, alluxioJson(await files.mkdir(checkedUfsPath(q, m[1]!))))],
    ['POST', R.mv, 'mv', move],
    ['POST', R.mvById, 'mv', move],
    ['POST', R.copy, 'copy', async (_r, res, q, m) => {
      const src = checkedId(requiredParam(q, PARAM.srcPath), m[1]!);
      sendJson(res, 200, alluxioJson(await files.copy(src, requiredParam(q, PARAM.dstPath))));
    }],
    // RMOption.remove_alluxio_only (true by default in the client, as in Alluxio): drop the cached
    // data and leave the UFS alone; false deletes in the UFS too.
    ['POST', R.rm, 'rm', async (_r, res, q, m) => {
      const uri = checkedUfsPath(q, m[1]!);
      const recursive = boolParam(q, PARAM.recursive, false) || boolParam(q, PARAM.recursiveAlias, false);
      if (boolParam(q, PARAM.removeAlluxioOnly, false)) await files.free(uri, recursive);
      else await files.delete(uri, recursive);
      sendJson(res, 200, { success: true });
    }],
  ];
}

/** `numOfBytes` of head/tail: a byte count, 1024 when missing (the client's default). */
function bytesParam(q: URLSearchParams): number {
  const n = intParam(q, PARAM.numOfBytes, 1024);
  if (n < 0) throw new AlluxioError('ALX_ERR_INVALID_ARGUMENT', `numOfBytes=${n} is negative`);
  return n;
}

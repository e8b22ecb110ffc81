import { AlluxioError } from '../common/errors.js';
import { intParam, sendJson } from '../common/http.js';
import { joinPath, normalizePath } from '../common/paths.js';
import { toEntry, type FileService } from './file-service.js';
import { alluxioJson, PARAM, pathParam, WORKER_REST } from '../common/protocol/index.js';
import type { Route } from './rest-codec.js';

/** Most entries one page may carry, whatever `limit` asks. */
const MAX_PAGE = 10_000;

/**
 * `GET /v1/files/page?path=&limit=&token=` (ours): one page of a directory's children and the
 * token of the next page, `{entries: [...Alluxio JSON], nextToken?}`. The token is the UFS's own
 * continuation token, passed back as it came. A FUSE readdir of 100,000 entries walks the pages
 * instead of asking `/v1/files` for one giant answer. `/` (mount points mixed in) and a file
 * answer in one page.
 */
export function listPageRoute(files: FileService): Route {
  return ['GET', WORKER_REST.filesPage, 'files-page', async (_r, res, q) => {
    const limit = Math.min(intParam(q, PARAM.limit, 1000), MAX_PAGE);
    if (limit < 1) throw new AlluxioError('ALX_ERR_INVALID_ARGUMENT', `limit=${limit} must be at least 1`);
    const path = pathParam(q);
    const token = q.get(PARAM.token) || undefined;
    if (normalizePath(path) === '/') return sendJson(res, 200, { entries: (await files.list('/')).map(alluxioJson) });
    const r = files.resolve(path);
    if (token === undefined) {
      const s = await r.ufs.getStatus(r.ufsUri);
      if (!s.isDirectory) return sendJson(res, 200, { entries: [alluxioJson(toEntry(r.path, s))] });
    }
    const base = r.ufsUri.endsWith('/') ? r.ufsUri : r.ufsUri + '/';
    const page = await r.ufs.list(r.ufsUri, { token, limit });
    const entries = [];
    for (const s of page.entries) {
      const rel = s.uri.startsWith(base) ? s.uri.slice(base.length).replace(/\/$/, '') : s.name;
      if (rel) entries.push(alluxioJson(toEntry(joinPath(r.path, rel), s)));
    }
    sendJson(res, 200, { entries, ...(page.nextToken ? { nextToken: page.nextToken } : {}) });
  }];
}

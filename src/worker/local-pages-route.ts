// Short-circuit page reads, the worker's side (issue 16; Alluxio 2.x's "open a local block"): a
// client on this host asks, over the domain socket, where the page files of a file are, reads
// them itself, and reports the pages it read. These routes are registered only on the domain
// socket server: the TCP port answers 404 for them, so page paths never reach a remote caller.
import { InvalidArgumentError } from '../common/errors.js';
import { intParam, readBody, sendJson } from '../common/http.js';
import { metrics } from '../common/metrics.js';
import { isFileId } from '../pagestore/page-layout.js';
import { LocalPageStore } from '../pagestore/local-page-store.js';
import type { PageStore } from '../pagestore/page-store.js';
import { TieredPageStore } from '../pagestore/tiered-page-store.js';
import { PARAM, pathParam, versionParam, WORKER_REST as R, type LocalPagesJson, type LocalPagesReadJson } from '../common/protocol/index.js';
import type { FileService } from './file-service.js';
import type { Route } from './rest-codec.js';

/** A read report bigger than this is refused (a 1 GiB file at 1 MiB pages is ~5 KiB of JSON). */
const MAX_REPORT_BYTES = 1 << 20;

/** The page-file directories and bucket count of a store (none for MEM: its pages are in this process). */
export function pageFileLayout(store: PageStore): { dirs: string[]; buckets: number } {
  if (store instanceof LocalPageStore) return { dirs: store.dirs.map((d) => d.layout.dir), buckets: store.buckets };
  if (store instanceof TieredPageStore) {
    const dirs: string[] = [];
    let buckets = 0;
    // Upper levels first: a promoted page's copy there is the one being read through the worker too.
    for (const t of store.levels) {
      const l = pageFileLayout(t.store);
      if (l.dirs.length === 0) continue;
      if (buckets !== 0 && l.buckets !== buckets) continue; // one bucket count per answer (they share the property)
      buckets = l.buckets;
      dirs.push(...l.dirs);
    }
    return { dirs, buckets };
  }
  return { dirs: [], buckets: 0 };
}

export function localPageRoutes(files: FileService, store: PageStore): Route[] {
  const layout = pageFileLayout(store);
  return [
    ['GET', R.localPages, 'local-pages', async (_req, res, q) => {
      const f = await files.open(pathParam(q), versionParam(q));
      const offset = intParam(q, PARAM.offset, 0);
      const length = intParam(q, PARAM.length, -1);
      const ps = store.pageSize;
      const first = Math.floor(offset / ps);
      const end = length < 0 ? f.length : Math.min(f.length, offset + length);
      const last = Math.ceil(end / ps) - 1;
      const cached: Array<[number, number]> = [];
      if (layout.dirs.length > 0) {
        for (let p = first; p <= last; p++) {
          if (!store.has(f.fileId, p, f.version)) continue;
          const run = cached[cached.length - 1];
          if (run !== undefined && run[1] === p - 1) run[1] = p;
          else cached.push([p, p]);
        }
      }
      const body: LocalPagesJson = { path: f.path, ufsUri: f.ufsUri, fileId: f.fileId, version: f.version, length: f.length, pageSize: ps, buckets: layout.buckets, dirs: layout.dirs, cached };
      sendJson(res, 200, body);
    }],
    ['POST', R.localPagesRead, 'local-pages-read', async (req, res) => {
      const r = parseReport((await readBody(req, MAX_REPORT_BYTES)).toString('utf8'));
      let touched = 0;
      for (const p of r.pages) if (store.touch(r.fileId, p, r.version)) touched++;
      // Bytes: every page is full but the file's last, whose size the index knows.
      const info = touched > 0 ? store.fileInfo(r.fileId) : undefined;
      if (info !== undefined && info.pages.length > 0) {
        const lastPage = info.pages[info.pages.length - 1]!;
        const lastBytes = info.bytes - (info.pages.length - 1) * store.pageSize;
        let bytes = 0;
        for (const p of r.pages) if (store.has(r.fileId, p, r.version)) bytes += p === lastPage ? lastBytes : store.pageSize;
        metrics.shortCircuitPageBytes.inc(bytes);
      }
      sendJson(res, 200, { touched });
    }],
  ];
}

function parseReport(text: string): LocalPagesReadJson {
  let v: Partial<LocalPagesReadJson>;
  try {
    v = JSON.parse(text) as Partial<LocalPagesReadJson>;
  } catch {
    throw new InvalidArgumentError(`${R.localPagesRead}: the body is not JSON`);
  }
  if (typeof v.fileId !== 'string' || !isFileId(v.fileId)) throw new InvalidArgumentError(`${R.localPagesRead}: fileId must be 64 lowercase hex digits`);
  if (typeof v.version !== 'string' || v.version === '') throw new InvalidArgumentError(`${R.localPagesRead}: version must be a non-empty string`);
  if (!Array.isArray(v.pages) || !v.pages.every((p) => Number.isSafeInteger(p) && p >= 0)) throw new InvalidArgumentError(`${R.localPagesRead}: pages must be a list of page numbers`);
  return { fileId: v.fileId, version: v.version, pages: v.pages };
}

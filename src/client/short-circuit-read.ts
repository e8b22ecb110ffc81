import { Readable } from 'node:stream';
import { AlluxioError } from '../common/errors.js';
import type { Logger } from '../common/logging.js';
import { lazyMetrics } from '../common/metrics-lazy.js';
import type { WorkerInfo } from '../hashring/worker-info.js';
import { PARAM, WORKER_REST, type LocalPagesJson, type LocalPagesReadJson, type WorkerRestClient } from '../common/protocol/index.js';
import type { DirectFile, DirectPages } from './direct-pages.js';
import { sendPageReadReport } from './page-read-report.js';

/** Page reads kept in flight ahead of the reader (each one pread of a page file on the thread pool). */
const READ_AHEAD_PAGES = 4;
/** Pages read directly are reported to the worker in batches of this many (and at the end of a read). */
const REPORT_BATCH_PAGES = 64;

/** A range of the file read through the worker (with failover), of the pinned version. */
export type RemoteRange = (offset: number, length: number) => Promise<Readable>;

/**
 * Short-circuit reads of a co-located client (Alluxio 2.x's: ask the local worker over its domain
 * socket to open a block, then read the block file itself), for pages. The client asks the worker
 * over the socket for the file at one version and where its page files are (the worker's
 * `/v1/local/pages`, served on the socket only), reads each cached page from its page file (checked
 * against the sidecar's version and the page's CRC by DirectFile: a page of another version, a
 * corrupt or half-written one is never served), and reads every other page through the worker.
 * The pages it read itself are reported back (`/v1/local/pages/read`), so the worker's evictor
 * sees them used.
 */
export class ShortCircuitReader {
  /** Page files per worker layout (dirs, page size, buckets); null: none of the dirs is on this host. */
  private readonly direct = new Map<string, DirectPages | null>();
  private count: ((n: number) => void) | undefined;

  constructor(private readonly http: WorkerRestClient, private readonly log?: Logger) {}

  /**
   * The file opened by `w` over its domain socket at its current version (or `version`), when the
   * client reaches `w` over one and can read its page files; undefined otherwise (read as usual).
   */
  async open(w: WorkerInfo, path: string, offset: number, length: number, version?: string): Promise<{ file: LocalPagesJson; pages: DirectFile } | undefined> {
    let file: LocalPagesJson | undefined;
    try {
      file = await this.http.overSocket<LocalPagesJson>(w, 'GET', WORKER_REST.localPages, { query: { [PARAM.path]: path, [PARAM.offset]: offset, [PARAM.length]: length, [PARAM.version]: version } });
    } catch (err) {
      // A worker without the route, a file that is not there, a stale version: the usual read says so.
      this.log?.debug({ path, err: (err as Error).message }, 'short-circuit open failed: reading through the worker');
      return undefined;
    }
    if (file === undefined || file.dirs.length === 0 || file.cached.length === 0) return undefined;
    const pages = await this.pagesOf(file);
    return pages === undefined ? undefined : { file, pages: pages.forFile(file.ufsUri, file.length) };
  }

  /**
   * [offset, offset+n) of the opened file: runs of cached pages from the page files (a few reads
   * ahead), everything else (a page not cached, or failing its check) through `remote`.
   */
  stream(w: WorkerInfo, opened: { file: LocalPagesJson; pages: DirectFile }, offset: number, n: number, remote: RemoteRange): Readable {
    const { file, pages } = opened;
    const ps = file.pageSize;
    const end = offset + n;
    const cached = new Set<number>();
    for (const [a, b] of file.cached) for (let p = a; p <= b; p++) cached.add(p);
    const lastPage = Math.ceil(end / ps) - 1;
    const read: number[] = [];
    const report = (): void => {
      if (read.length === 0) return;
      const body: LocalPagesReadJson = { fileId: file.fileId, version: file.version, pages: read.splice(0) };
      sendPageReadReport(this.http, w, body)
        .catch((err: Error) => this.log?.debug({ err: err.message }, 'short-circuit read report failed'));
    };
    /** Page p's bytes in the range from its page file, or null (read it through the worker). */
    const ahead = new Map<number, Promise<Buffer | null>>();
    const start = (p: number): void => {
      if (p > lastPage || !cached.has(p) || ahead.has(p)) return;
      const from = Math.max(offset, p * ps);
      const to = Math.min(end, (p + 1) * ps);
      const buf = Buffer.allocUnsafe(to - from);
      ahead.set(p, pages.readInto(file.version, p, from - p * ps, to - p * ps, buf, 0).then((ok) => (ok ? buf : null), () => null));
    };
    async function* gen(): AsyncGenerator<Buffer> {
      let pos = offset;
      try {
        while (pos < end) {
          const p = Math.floor(pos / ps);
          if (cached.has(p)) {
            for (let q = p; q < p + READ_AHEAD_PAGES; q++) start(q);
            const got = await ahead.get(p)!;
            ahead.delete(p);
            if (got !== null) {
              pos += got.length;
              read.push(p);
              if (read.length >= REPORT_BATCH_PAGES) report();
              yield got;
              continue;
            }
          }
          // Up to the next cached page (or this one page, when its direct read failed).
          let q = p + 1;
          while (q <= lastPage && !cached.has(q)) q++;
          const to = Math.min(end, q * ps);
          const body = await remote(pos, to - pos);
          for await (const chunk of body as AsyncIterable<Buffer>) {
            pos += chunk.length;
            yield chunk;
          }
          if (pos !== to) throw new AlluxioError('ALX_ERR_INTERNAL', `the worker ended the range at byte ${pos}, expected ${to}`);
        }
      } finally {
        pages.close();
        report();
      }
    }
    return Readable.from(gen(), { objectMode: false });
  }

  /** Closes the page files kept open (the client is closing). */
  close(): void {
    for (const d of this.direct.values()) d?.close();
    this.direct.clear();
  }

  private async pagesOf(file: LocalPagesJson): Promise<DirectPages | undefined> {
    const key = `${file.pageSize}:${file.buckets}:${file.dirs.join('\n')}`;
    let d = this.direct.get(key);
    if (d === undefined) {
      // Loaded at the first short-circuit read: a one-shot CLI call that reads nothing pays nothing.
      const [m, { DirectPages }] = await Promise.all([lazyMetrics(), import('./direct-pages.js')]);
      this.count ??= (n) => m.clientShortCircuitBytes.inc(n);
      d = DirectPages.existing(file.dirs, file.pageSize, file.buckets, this.count) ?? null;
      this.direct.set(key, d);
    }
    return d ?? undefined;
  }
}

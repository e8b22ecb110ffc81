// Pages a process on the worker's host read from the worker's page files itself, reported to the
// worker (`POST /v1/local/pages/read`, served on its domain socket only), so its evictor sees them
// used: the short-circuit client sends one report per read (short-circuit-read.ts), the FUSE
// process batches its direct reads, in JS and in the binding's C path (PageReadReports).
import type { Logger } from '../common/logging.js';
import { WORKER_REST, type LocalPagesReadJson, type WorkerRestClient } from '../common/protocol/index.js';
import type { WorkerInfo } from '../hashring/worker-info.js';
import type { FileId } from '../pagestore/page-store.js';
import type { PageReadListener } from './direct-pages.js';

/** Distinct pages one batch holds; reads of further pages until the next send are not reported (their next read is). */
export const MAX_REPORT_PAGES = 4096;

const JSON_HEADERS = { 'content-type': 'application/json' };

/**
 * Sends one report to `w` over its domain socket. False when this process does not reach `w` over
 * one (no socket advertised, not on this host, or short-circuit off): nothing was sent. Rejects
 * when the socket fails. The body names a file id, a version and page numbers: never a path.
 */
export async function sendPageReadReport(http: WorkerRestClient, w: WorkerInfo, report: LocalPagesReadJson): Promise<boolean> {
  const r = await http.overSocket(w, 'POST', WORKER_REST.localPagesRead, { body: Buffer.from(JSON.stringify(report)), headers: JSON_HEADERS });
  return r !== undefined;
}

/**
 * The pages the FUSE process read directly, collected (each distinct page of a file's version
 * once, at most MAX_REPORT_PAGES) and sent by `send()` (every second, fuse-process.ts) to the
 * workers it reaches over a domain socket on this host. The page store dirs the FUSE process reads
 * are its host's worker's (one worker per host sharing its page store with the FUSE DaemonSet); with
 * several such workers each gets the report, and a worker touches only pages it holds of that
 * version. A report never blocks a read: `note` only adds to a set; a failed send is dropped with
 * one debug log per worker.
 */
export class PageReadReports implements PageReadListener {
  private pending = new Map<FileId, Map<string, Set<number>>>();
  private count = 0;
  private sending = false;

  /** `workers`: the live workers (the client's ring). */
  constructor(private readonly http: WorkerRestClient, private readonly workers: () => readonly WorkerInfo[], private readonly log?: Logger) {}

  note(fileId: FileId, version: string, page: number): void {
    if (this.count >= MAX_REPORT_PAGES) return;
    let versions = this.pending.get(fileId);
    if (versions === undefined) this.pending.set(fileId, versions = new Map());
    let pages = versions.get(version);
    if (pages === undefined) versions.set(version, pages = new Set());
    if (pages.has(page)) return;
    pages.add(page);
    this.count++;
  }

  /** Pages noted and not sent yet. */
  get pendingPages(): number {
    return this.count;
  }

  /** Sends what was noted (one request per file version and worker); a send still running makes this one wait for the next. */
  async send(): Promise<void> {
    if (this.sending || this.count === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    this.count = 0;
    const reports: LocalPagesReadJson[] = [];
    for (const [fileId, versions] of batch) for (const [version, pages] of versions) reports.push({ fileId, version, pages: [...pages] });
    this.sending = true;
    try {
      await Promise.all(this.workers().filter((w) => w.address.DomainSocketPath).map((w) => this.sendTo(w, reports)));
    } finally {
      this.sending = false;
    }
  }

  private async sendTo(w: WorkerInfo, reports: LocalPagesReadJson[]): Promise<void> {
    try {
      for (const r of reports) if (!(await sendPageReadReport(this.http, w, r))) return;
    } catch (err) {
      this.log?.debug({ socket: w.address.DomainSocketPath, err: (err as Error).message }, 'page read report failed: dropped');
    }
  }
}

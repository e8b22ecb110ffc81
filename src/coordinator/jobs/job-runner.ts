import { toAlluxioError } from '../../common/errors.js';
import type { Logger } from '../../common/logging.js';
import { metrics } from '../../common/metrics.js';
import { joinPath } from '../../common/paths.js';
import { identityKey, type WorkerInfo } from '../../hashring/worker-info.js';
import type { Namespace } from '../../mount/namespace.js';
import { ufsVersion, type UnderFileSystem } from '../../ufs/under-file-system.js';
import type { WorkerRing } from '../../client/worker-ring.js';
import type { WorkerSelectionPolicy } from '../../hashring/worker-selection-policy.js';
import type { JobStore } from './job-store.js';
import { MAX_FAILED_LISTED, addCounters, zeroCounters, type FailedFile, type JobCounters, type JobRecord } from './job-types.js';
import { sendTask, TaskRefusedError, type TaskFileResult } from './task-client.js';

export interface JobRunnerDeps {
  store: JobStore;
  ring: WorkerRing;
  namespace: Namespace;
  log: Logger;
  /** alluxio.job.max.tasks.per.worker */
  maxTasksPerWorker: number;
  /** alluxio.job.retries */
  retries: number;
  /** alluxio.job.failure.percent.threshold */
  failurePercent: number;
  /** alluxio.job.worker.unreachable.timeout */
  unreachableMs: number;
  /** Headers that authenticate a task to a worker (its job routes are mutations when authentication is on). */
  authorize?: (method: string, url: URL) => Record<string, string>;
}

/** Entries per UFS listing call; the runner keeps about two such pages of files in memory. */
const LIST_PAGE = 1000;
/**
 * The first listing call of a run asks for this many entries, each next one for twice as many up
 * to LIST_PAGE: the workers get their first files after a short listing instead of waiting for a
 * full page (an S3-compatible store may take seconds to list 1,000 keys).
 */
const FIRST_LIST_PAGE = 100;
const FLUSH_MS = 500;
const BACKOFF_BASE_MS = 200;
const BACKOFF_MAX_MS = 5000;
const TRANSPORT_RETRY_MS = 1000;
/** With --bandwidth, a task holds about this many seconds of reading at its share of the rate. */
const TASK_SECONDS_CAPPED = 4;

/** A listing page: committed (cursor moves past it) once every file of it is done or failed. */
interface Page {
  /** A page of a reconcile pass: its files were counted by the first pass. */
  reconcile: boolean;
  /** The listing token after this page (undefined: the listing ended with it). */
  token: string | undefined;
  remaining: number;
  counters: JobCounters;
  failed: FailedFile[];
}

interface Item {
  uri: string;
  path: string;
  length: number;
  /** The UFS version the listing saw (the worker may take it instead of a status call). */
  version: string;
  /** Which of the file's owners (replicas) this item caches it on. */
  replica: number;
  attempts: number;
  notBefore: number;
  /** When the worker tasks of this item first failed to answer (0: never). */
  unreachableSince: number;
  lastError: string;
  page: Page;
  /**
   * The owner this item's replica maps to under `policy` (the ring's policy object, replaced at
   * every ring refresh): dispatch runs each time a task ends and looks at every waiting file, so
   * the owner is hashed once per ring, not once per look.
   */
  owner?: { policy: WorkerSelectionPolicy; worker: WorkerInfo | undefined; key: string };
}

/**
 * Runs one job on this coordinator, holding its etcd lock: lists the path page by page from the
 * checkpoint, cuts the files into tasks per owning worker (ring order, read at each dispatch so a
 * dead worker's files go to the new owner), at most maxTasksPerWorker tasks per worker at once,
 * retries failed files with exponential backoff, and checkpoints after each listing page whose
 * files are all done. A restart redoes at most the pages after the checkpoint, whose files are
 * then found cached (no UFS bytes for a finished file).
 */
export class JobRunner {
  private readonly pages: Page[] = [];
  private pending: Item[] = [];
  private readonly inflight = new Map<string, number>();
  private inflightTasks = 0;
  private listToken: string | undefined;
  private listingDone: boolean;
  /** A listing call is in flight (fill). */
  private listing = false;
  /** Why the background listing failed: the job fails with it. */
  private listError: unknown;
  /** The run is over: a listing call still in flight hands out no more tasks. */
  private ended = false;
  private listLimit = FIRST_LIST_PAGE;
  /** Whether the job's path is a directory, once the first listing page found out (one status call per run, not per page). */
  private rootIsDirectory: boolean | undefined;
  private stopping = false;
  private stopCheckedAt = 0;
  /** The tasks in flight, aborted when the job is stopped. */
  private readonly tasks = new Set<AbortController>();
  private lostLock = false;
  private dirty = false;
  private wake: (() => void) | undefined;
  private readonly filter: RegExp | undefined;
  private ufs!: UnderFileSystem;

  constructor(private readonly d: JobRunnerDeps, private readonly r: JobRecord) {
    this.listToken = r.cursor;
    this.listingDone = r.listingDone;
    this.filter = r.options.fileFilterRegex ? new RegExp(r.options.fileFilterRegex) : undefined;
    // A resumed job starts again from its checkpoint: the live figures go back to it.
    r.live = { ...r.committed };
    r.liveFailed = [];
  }

  /** Runs to a final state; resolves when the record says so (or when the lock was lost). */
  async run(): Promise<void> {
    metrics.activeJobs.inc({ type: this.r.type });
    const flusher = setInterval(() => void this.flush(), FLUSH_MS);
    try {
      this.ufs = this.d.namespace.resolveUfsUri(this.r.ufsUri).ufs;
      this.r.passRing ??= this.ringSignature();
      await this.loop();
    } catch (err) {
      this.r.error = toAlluxioError(err).message;
      this.r.state = 'FAILED';
      this.d.log.warn({ job: this.r.jobId, err: this.r.error }, 'job failed');
    } finally {
      this.ended = true;
      clearInterval(flusher);
      metrics.activeJobs.dec({ type: this.r.type });
    }
    if (this.lostLock) return;
    this.r.endTimeMs = Date.now();
    metrics.jobDuration.observe({ type: this.r.type, state: this.r.state }, (this.r.endTimeMs - this.r.startTimeMs) / 1000);
    await this.flush(true);
    await this.d.store.release(this.r.jobId).catch(() => {});
    this.d.log.info({ job: this.r.jobId, state: this.r.state, files: this.r.live.filesDone, failed: this.r.live.filesFailed }, 'job finished');
  }

  private async loop(): Promise<void> {
    for (;;) {
      if (this.lostLock) return;
      if (!this.stopping && Date.now() - this.stopCheckedAt >= FLUSH_MS) {
        this.stopCheckedAt = Date.now();
        if (await this.d.store.stopRequested(this.r.jobId)) {
          this.stopping = true;
          for (const t of this.tasks) t.abort(new Error('the job was stopped'));
        }
      }
      if (this.stopping && this.inflightTasks === 0) {
        this.r.state = 'STOPPED';
        return;
      }
      if (this.listError !== undefined) throw this.listError;
      if (!this.stopping) {
        this.fill();
        this.dispatch();
      }
      if (this.listingDone && this.pages.length === 0 && this.inflightTasks === 0 && this.r.type === 'load' && this.r.passRing !== this.ringSignature()) {
        // The ring changed during the pass: files done on a worker that left are owned elsewhere now.
        this.r.pass = (this.r.pass ?? 0) + 1;
        this.r.passRing = this.ringSignature();
        this.r.cursor = undefined;
        this.r.listingDone = false;
        this.listToken = undefined;
        this.listingDone = false;
        this.d.log.info({ job: this.r.jobId, pass: this.r.pass }, 'the ring changed during the job: another pass caches what the new owners miss');
        continue;
      }
      if (this.listingDone && this.pages.length === 0 && this.inflightTasks === 0) {
        const total = this.r.live.filesDone + this.r.live.filesFailed;
        this.r.state = total > 0 && (this.r.live.filesFailed * 100) / total > this.d.failurePercent ? 'FAILED' : 'SUCCEEDED';
        if (this.r.state === 'FAILED') this.r.error = `${this.r.live.filesFailed} of ${total} files failed (more than alluxio.job.failure.percent.threshold=${this.d.failurePercent}%)`;
        return;
      }
      await this.sleep(this.nextWakeMs());
    }
  }

  /**
   * Lists the next pages in the background while fewer than two pages of files wait, handing each
   * page's files to the workers as soon as it is listed: a listing call may take seconds on an
   * S3-compatible store, and workers must not wait for the listing of files they do not get yet.
   */
  private fill(): void {
    if (this.listing || this.listingDone || this.listError !== undefined) return;
    this.listing = true;
    void (async () => {
      try {
        while (!this.listingDone && !this.stopping && !this.ended && this.pending.length + this.inflightTasks * this.r.options.batchSize < 2 * LIST_PAGE) {
          await this.listPage();
          if (!this.stopping && !this.ended) this.dispatch();
        }
      } catch (err) {
        this.listError = err;
      } finally {
        this.listing = false;
        this.wake?.();
      }
    })();
  }

  private async listPage(): Promise<void> {
    const page: Page = { reconcile: (this.r.pass ?? 0) > 0, token: undefined, remaining: 0, counters: zeroCounters(), failed: [] };
    let entries: Array<{ uri: string; path: string; length: number; version: string }>;
    let next: string | undefined;
    const root = this.rootIsDirectory === true ? undefined : await this.ufs.getStatus(this.r.ufsUri);
    if (root !== undefined && !root.isDirectory) {
      entries = [{ uri: root.uri, path: this.r.path, length: root.length, version: ufsVersion(root) }];
    } else {
      this.rootIsDirectory = true;
      const res = await this.ufs.list(this.r.ufsUri, { recursive: true, limit: this.listLimit, ...(this.listToken !== undefined ? { token: this.listToken } : {}) });
      this.listLimit = Math.min(LIST_PAGE, this.listLimit * 2);
      const base = this.r.ufsUri.endsWith('/') ? this.r.ufsUri : this.r.ufsUri + '/';
      entries = res.entries.filter((s) => !s.isDirectory).map((s) => ({
        uri: s.uri, length: s.length, version: ufsVersion(s), path: joinPath(this.r.path, s.uri.startsWith(base) ? s.uri.slice(base.length) : s.name),
      }));
      next = res.nextToken;
    }
    page.token = next;
    const replicas = this.r.type === 'load' ? this.r.options.replicas : 1;
    for (const e of entries) {
      if (this.filter && !this.filter.test(e.path)) continue;
      for (let replica = 0; replica < replicas; replica++) {
        this.pending.push({ ...e, replica, attempts: 0, notBefore: 0, unreachableSince: 0, lastError: '', page });
        page.remaining++;
        page.counters.filesListed++;
        page.counters.bytesListed += e.length;
      }
    }
    if (page.reconcile) page.counters = zeroCounters();
    else {
      this.r.live.filesListed += page.counters.filesListed;
      this.r.live.bytesListed += page.counters.bytesListed;
    }
    this.pages.push(page);
    this.listToken = next;
    if (next === undefined) this.listingDone = true;
    this.commitPages();
    this.dirty = true;
  }

  /**
   * Hands each worker with free slots the ready files it owns, split evenly over its slots (at most
   * batchSize a task), so a few large files still keep every slot of a worker busy.
   */
  private dispatch(): void {
    const now = Date.now();
    const ready = new Map<string, { worker: WorkerInfo; items: Item[] }>();
    const keep: Item[] = [];
    const policy = this.d.ring.policyInUse;
    for (const it of this.pending) {
      if (it.notBefore > now) { keep.push(it); continue; }
      if (it.owner?.policy !== policy) {
        let worker: WorkerInfo | undefined;
        try {
          worker = this.d.ring.owners(it.uri, it.replica + 1)[it.replica];
        } catch {
          keep.push(it); // no live worker right now: wait for one
          continue;
        }
        it.owner = { policy, worker, key: worker === undefined ? '' : identityKey(worker.identity) };
      }
      const { worker: owner, key } = it.owner;
      if (owner === undefined) {
        // Fewer workers than replicas: this replica has nowhere to go; the file counts once.
        this.finish(it, { ufsUri: it.uri, bytes: it.length, skipped: true });
        continue;
      }
      if ((this.inflight.get(key) ?? 0) >= this.d.maxTasksPerWorker) { keep.push(it); continue; }
      let g = ready.get(key);
      if (!g) ready.set(key, (g = { worker: owner, items: [] }));
      g.items.push(it);
    }
    const bandwidth = this.r.options.bandwidth;
    // --bandwidth: tasks of about TASK_SECONDS_CAPPED at a slot's share of the rate, so the shares
    // are dealt again often (when one worker runs out of files, the others' next tasks read faster).
    const slotShare = bandwidth / Math.max(1, this.d.ring.liveWorkers.length * this.d.maxTasksPerWorker);
    const planned: Array<{ key: string; worker: WorkerInfo; items: Item[] }> = [];
    for (const [key, g] of ready) {
      const free = this.d.maxTasksPerWorker - (this.inflight.get(key) ?? 0);
      const per = Math.min(this.r.options.batchSize, Math.ceil(g.items.length / this.d.maxTasksPerWorker));
      let i = 0;
      for (let t = 0; t < free && i < g.items.length; t++) {
        let n = per;
        if (bandwidth > 0) {
          let bytes = 0;
          n = 0;
          while (n < per && i + n < g.items.length && (n === 0 || bytes + g.items[i + n]!.length <= slotShare * TASK_SECONDS_CAPPED)) bytes += g.items[i + n++]!.length;
        }
        planned.push({ key, worker: g.worker, items: g.items.slice(i, i + n) });
        i += n;
      }
      for (; i < g.items.length; i++) keep.push(g.items[i]!);
    }
    this.pending = keep;
    // Each new task's share: the job's rate over every task in flight once these start, so the
    // job never reads faster than asked, and reads at the full rate while any worker has work.
    const bytesPerSec = bandwidth > 0 ? bandwidth / (this.inflightTasks + planned.length) : 0;
    for (const p of planned) this.startTask(p.key, p.worker, p.items, bytesPerSec);
  }

  private startTask(key: string, worker: WorkerInfo, items: Item[], bytesPerSec: number): void {
    this.inflight.set(key, (this.inflight.get(key) ?? 0) + 1);
    this.inflightTasks++;
    const o = this.r.options;
    // A free goes to every live worker, not only the owner: after a ring change (or a load with
    // --replicas) other workers hold pages of the file too. A file is done when all have answered.
    const targets = this.r.type === 'free' ? this.freeTargets(worker) : [worker];
    const done = new Set<Item>();
    const partial = new Map<Item, { answers: number; error?: string }>();
    const byUri = new Map(items.map((i) => [i.uri, i]));
    const onResult = (res: TaskFileResult): void => {
      const it = byUri.get(res.ufsUri);
      if (it === undefined || done.has(it)) return;
      let p = partial.get(it);
      if (targets.length > 1) {
        if (!p) partial.set(it, (p = { answers: 0 }));
        p.answers++;
        if (res.error) p.error ??= `${res.error.message} (${res.error.code})`;
        if (p.answers < targets.length) return;
        partial.delete(it);
      }
      done.add(it);
      const error = p?.error ?? (res.error ? `${res.error.message} (${res.error.code})` : undefined);
      if (error !== undefined) this.retryOrFail(it, error);
      else this.finish(it, res);
      this.dirty = true;
    };
    const abort = new AbortController();
    this.tasks.add(abort);
    // A retried file goes without its listed version: the file may have changed since the listing.
    const listed = this.r.type === 'load' ? items.map((i) => (i.attempts === 0 ? { length: i.length, version: i.version } : null)) : undefined;
    const body = { files: items.map((i) => i.uri), ...(listed !== undefined ? { listed } : {}), verify: o.verify, skipIfExists: o.skipIfExists || (this.r.pass ?? 0) > 0, bytesPerSec };
    void Promise.allSettled(targets.map((w) => sendTask(w, this.r.type, body, onResult, this.d.authorize, abort.signal)))
      .then((settled) => {
        const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
        if (failed === undefined) {
          // A file the worker did not get to (it stopped early): back to the queue, no attempt spent.
          for (const it of items) if (!done.has(it)) this.requeue(it, 0, 'not processed by the worker');
          return;
        }
        if (failed.reason instanceof TaskRefusedError) {
          // The worker refused the task (bad request, credentials refused): no retry can help.
          const why = `${failed.reason.message} (${failed.reason.code})`;
          for (const it of items) if (!done.has(it)) this.fail(it, why);
          return;
        }
        // A worker did not answer: its files wait for membership to drop it (the ring then names
        // the new owner), without spending attempts, up to alluxio.job.worker.unreachable.timeout.
        const silent = targets[settled.indexOf(failed)]!;
        const msg = `worker ${identityKey(silent.identity)} did not answer: ${(failed.reason as Error).message}`;
        void this.d.ring.refresh().catch(() => {});
        const now = Date.now();
        for (const it of items) {
          if (done.has(it)) continue;
          if (it.unreachableSince === 0) it.unreachableSince = now;
          if (now - it.unreachableSince > this.d.unreachableMs) this.fail(it, msg);
          else this.requeue(it, TRANSPORT_RETRY_MS, msg);
        }
      })
      .finally(() => {
        this.tasks.delete(abort);
        this.inflight.set(key, (this.inflight.get(key) ?? 1) - 1);
        this.inflightTasks--;
        this.commitPages();
        this.dirty = true;
        this.wake?.();
      });
  }

  /** The workers a free task goes to: the owner first, then every other live worker. */
  private freeTargets(owner: WorkerInfo): WorkerInfo[] {
    const k = identityKey(owner.identity);
    return [owner, ...this.d.ring.liveWorkers.filter((w) => identityKey(w.identity) !== k)];
  }

  private requeue(it: Item, delayMs: number, why: string): void {
    it.notBefore = Date.now() + delayMs;
    it.lastError = why;
    this.pending.push(it);
  }

  private retryOrFail(it: Item, error: string): void {
    it.unreachableSince = 0;
    it.attempts++;
    if (it.attempts > this.d.retries) return this.fail(it, error);
    this.requeue(it, Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** (it.attempts - 1)), error);
  }

  private finish(it: Item, res: TaskFileResult): void {
    it.page.remaining--;
    if (it.page.reconcile) return;
    const c = it.page.counters;
    c.filesDone++;
    c.bytesDone += it.length;
    this.r.live.filesDone++;
    this.r.live.bytesDone += it.length;
    if (res.skipped) { c.filesSkipped++; this.r.live.filesSkipped++; }
    metrics.jobFiles.inc({ type: this.r.type, result: res.skipped ? 'skipped' : 'ok' });
    metrics.jobBytes.inc({ type: this.r.type }, it.length);
  }

  private fail(it: Item, error: string): void {
    const f: FailedFile = { path: it.path, error, attempts: it.attempts };
    it.page.counters.filesFailed++;
    this.r.live.filesFailed++;
    if (it.page.failed.length < MAX_FAILED_LISTED) it.page.failed.push(f);
    if (this.r.liveFailed.length < MAX_FAILED_LISTED) this.r.liveFailed.push(f);
    metrics.jobFiles.inc({ type: this.r.type, result: 'failed' });
    this.d.log.warn({ job: this.r.jobId, path: it.path, err: error, attempts: it.attempts }, 'job file failed');
    it.page.remaining--;
  }

  /** Moves the checkpoint past the leading pages whose files are all done. */
  private commitPages(): void {
    while (this.pages.length > 0 && this.pages[0]!.remaining === 0 && (this.pages.length > 1 || this.pages[0]!.token !== undefined || this.listingDone)) {
      const p = this.pages.shift()!;
      this.r.committed = addCounters(this.r.committed, p.counters);
      const room = MAX_FAILED_LISTED - this.r.committedFailed.length;
      if (room > 0) this.r.committedFailed.push(...p.failed.slice(0, room));
      const failedSet = new Set(p.failed);
      this.r.liveFailed = this.r.liveFailed.filter((f) => !failedSet.has(f));
      this.r.cursor = p.token;
      this.r.listingDone = p.token === undefined && this.listingDone;
      this.dirty = true;
    }
  }

  /** Writes the record when it changed (or when forced): false means another coordinator took the job. */
  private async flush(force = false): Promise<void> {
    if (!force && !this.dirty) return;
    this.dirty = false;
    this.r.updatedMs = Date.now();
    // The live failed list shows the committed ones first; the record keeps them apart for resume.
    const ok = await this.d.store.write(this.r).catch((err) => {
      this.d.log.warn({ job: this.r.jobId, err: (err as Error).message }, 'job checkpoint not written (etcd): retrying');
      this.dirty = true;
      return true;
    });
    if (!ok && !this.lostLock) {
      this.lostLock = true;
      for (const t of this.tasks) t.abort(new Error('the job lock was lost'));
      this.d.log.warn({ job: this.r.jobId }, 'job lock lost: another coordinator resumes this job');
      this.wake?.();
    }
  }

  private ringSignature(): string {
    return this.d.ring.liveWorkers.map((w) => identityKey(w.identity)).sort().join(',');
  }

  private nextWakeMs(): number {
    let soonest = 1000;
    const now = Date.now();
    for (const it of this.pending) soonest = Math.min(soonest, Math.max(10, it.notBefore - now));
    return soonest;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      const self = this;
      function done(): void {
        clearTimeout(t);
        self.wake = undefined;
        resolve();
      }
      this.wake = done;
    });
  }

  /** Ends the run at the next turn without touching the record (this coordinator is closing). */
  abandon(): void {
    this.lostLock = true;
    for (const t of this.tasks) t.abort(new Error('the coordinator is closing'));
    this.wake?.();
  }
}

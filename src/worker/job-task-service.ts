import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { AlluxioError, InvalidArgumentError, toAlluxioError } from '../common/errors.js';
import { readBody, sendJson } from '../common/http.js';
import type { Logger } from '../common/logging.js';
import { metrics } from '../common/metrics.js';
import { fileIdOf } from '../pagestore/index.js';
import { ufsVersion, type UnderFileSystem } from '../ufs/under-file-system.js';
import type { PageStore } from '../pagestore/page-store.js';
import type { ReadTarget } from './cached-reader.js';
import type { FileService } from './file-service.js';

/** Worker routes of the coordinator's job tasks (plain constants until the protocol module takes them). */

/** One task: files (UFS URIs) this worker owns, with the job's options. */
export interface JobTaskRequest {
  files: string[];
  /**
   * load: each file's length and UFS version as the coordinator's listing saw them (parallel to
   * files; null: unknown). Saves a status call per file once the task's first file shows that the
   * listing's versions are the ones a status call gives (not so on a versioned S3 bucket, where a
   * listing has no VersionId).
   */
  listed?: Array<{ length: number; version: string } | null>;
  verify?: boolean;
  skipIfExists?: boolean;
  /** The share of the job's --bandwidth this task may read from the UFS, bytes/s (0: unlimited). */
  bytesPerSec?: number;
}

export interface JobTaskFileResult {
  ufsUri: string;
  /** File length (load) or bytes dropped from the cache (free). */
  bytes: number;
  /** true: skipped (--skip-if-exists found every page cached). */
  skipped?: boolean;
  error?: { code: string; message: string };
}

const MAX_FILES_PER_TASK = 10_000;
/** A blank line this often keeps a task whose file takes long (a big file at a capped rate) from looking idle. */
const HEARTBEAT_MS = 20_000;
/** Files of one task loaded at once (each task is one of alluxio.job.max.tasks.per.worker on its worker). */
const FILES_AT_ONCE = 8;
/** A file this large is read as segments of this size, LOAD_STREAMS at once (parallel ranged UFS reads). */
const SEGMENT_BYTES = 32 << 20;
const LOAD_STREAMS = 4;
/** How long a loaded file waits for its page writes before it is reported. */
const WRITE_WAIT_MS = 30_000;
/**
 * How long a task's finding that the listing's versions are the ones a status call gives holds
 * for the later tasks of the same under-storage on this worker (a bucket's versioning changes
 * rarely): each task's first file then skips its status call, which the task's other files waited for.
 */
const TRUST_TTL_MS = 60_000;

/**
 * The worker side of load and free jobs (DESIGN.md §9): the coordinator sends each worker a task
 * of files it owns; the worker caches (or drops) them and reports per file. Loads read through the
 * cached reader with purpose 'load', so their bytes are counted as job bytes, not as missed reads.
 */
export class JobTaskService {
  /** Until when each under-storage's listed versions are trusted (ListingTrust). */
  private readonly trusted = new WeakMap<UnderFileSystem, number>();

  constructor(private readonly files: FileService, private readonly store: PageStore, private readonly log?: Logger) {}

  /** Answers one JSON line per file as it is done, so the coordinator sees progress and a long task never looks idle. */
  async handleLoad(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const task = await readTask(req);
    const bucket = new RateLimiter(task.bytesPerSec ?? 0);
    const trust = new ListingTrust(this.trusted);
    await this.answerPerFile(req, res, task, (uri, i, readDone) => this.loadOne(uri, task.listed?.[i] ?? null, trust, task, bucket, readDone));
  }

  async handleFree(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const task = await readTask(req);
    await this.answerPerFile(req, res, task, async (uri) => {
      try {
        const r = this.files.resolve(uri);
        const info = this.store.fileInfo(fileIdOf(r.ufsUri));
        await this.files.reader.invalidate(r.ufsUri);
        metrics.jobTaskFiles.inc({ type: 'free', result: 'ok' });
        return { ufsUri: uri, bytes: info?.bytes ?? 0 };
      } catch (err) {
        metrics.jobTaskFiles.inc({ type: 'free', result: 'failed' });
        return { ufsUri: uri, bytes: 0, error: errorOf(err) };
      }
    });
  }

  private async answerPerFile(req: IncomingMessage, res: ServerResponse, task: JobTaskRequest, one: (uri: string, index: number, readDone: () => void) => Promise<JobTaskFileResult>): Promise<void> {
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    res.flushHeaders();
    const heartbeat = setInterval(() => res.write('\n'), HEARTBEAT_MS);
    try {
      // A few files at once: a small file costs a UFS round trip or two and little else, so one at
      // a time would leave the link idle. A file holds its slot while it reads the UFS; waiting for
      // its pages to reach the disk does not (the pending-write limit throttles the reads instead).
      const slots = new Slots(FILES_AT_ONCE);
      const files: Promise<void>[] = [];
      for (let i = 0; i < task.files.length; i++) {
        await slots.acquire();
        // The coordinator hung up (it was stopped or restarted): the rest of the task is its to redo.
        if (req.socket.destroyed || res.destroyed) {
          slots.release();
          break;
        }
        let held = true;
        const free = () => { if (held) { held = false; slots.release(); } };
        files.push(one(task.files[i]!, i, free).then((result) => {
          if (!res.destroyed) res.write(JSON.stringify(result) + '\n');
        }).finally(free));
      }
      await Promise.all(files);
    } finally {
      clearInterval(heartbeat);
      res.end();
    }
  }

  private async loadOne(uri: string, listed: { length: number; version: string } | null, trust: ListingTrust, task: JobTaskRequest, bucket: RateLimiter, readDone: () => void): Promise<JobTaskFileResult> {
    const reader = this.files.reader;
    try {
      const r = this.files.resolve(uri);
      const s = await trust.status(listed, r.ufs, async () => {
        const st = await reader.refreshStatus(r.ufs, r.ufsUri);
        if (st.isDirectory) throw new AlluxioError('ALX_ERR_IS_A_DIRECTORY', `${r.path} is a directory`);
        return { length: st.length, version: ufsVersion(st) };
      });
      const t: ReadTarget = { ufs: r.ufs, ufsUri: r.ufsUri, fileId: fileIdOf(r.ufsUri), version: s.version, length: s.length, purpose: 'load' };
      const lastPage = Math.max(0, Math.ceil(s.length / reader.pageSize) - 1);
      if (task.skipIfExists && s.length > 0 && reader.allCached(t, 0, lastPage)) {
        metrics.jobTaskFiles.inc({ type: 'load', result: 'skipped' });
        return { ufsUri: uri, bytes: s.length, skipped: true };
      }
      if (s.length > 0) {
        // A large file: several ranged UFS reads at once (segments on page boundaries, so no page
        // is read twice), as one stream per file leaves most of a fast link idle.
        const seg = Math.max(reader.pageSize, Math.floor(SEGMENT_BYTES / reader.pageSize) * reader.pageSize);
        let nextStart = 0;
        await Promise.all(Array.from({ length: Math.min(LOAD_STREAMS, Math.ceil(s.length / seg)) }, async () => {
          while (nextStart < s.length) {
            const start = nextStart;
            nextStart = Math.min(s.length, start + seg);
            for await (const chunk of reader.openRange(t, start, nextStart, false)) {
              const n = (chunk as Buffer).length;
              reader.release(chunk as Buffer);
              await bucket.take(n);
              // A load must not outrun the cache disk: past half the pending-write limit pages would be
              // served uncached (fine for a reader, useless for a load), so wait for the writes.
              while (reader.pendingWrites.bytes > reader.pendingWrites.limit / 2) await sleep(5);
            }
          }
        }));
        readDone();
        await waitForWrites(reader, t, lastPage);
        if (task.verify && !reader.allCached(t, 0, lastPage)) {
          throw new AlluxioError('ALX_ERR_INTERNAL', `verify: ${r.path} is not fully cached after its load (cache full or page writes failing)`);
        }
      }
      metrics.jobTaskFiles.inc({ type: 'load', result: 'ok' });
      return { ufsUri: uri, bytes: s.length };
    } catch (err) {
      metrics.jobTaskFiles.inc({ type: 'load', result: 'failed' });
      this.log?.debug({ uri, err: (err as Error).message }, 'job load of a file failed');
      return { ufsUri: uri, bytes: 0, error: errorOf(err) };
    }
  }
}

/** Waits (30 s at most; --verify then finds what is missing) until the file's pages are stored. */
async function waitForWrites(reader: FileService['reader'], t: ReadTarget, lastPage: number): Promise<void> {
  const pages: Promise<void>[] = [];
  for (let p = 0; p <= lastPage; p++) pages.push(reader.pageSettled(t, p));
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([Promise.all(pages), new Promise<void>((resolve) => { timer = setTimeout(resolve, WRITE_WAIT_MS); })]);
  clearTimeout(timer);
}

async function readTask(req: IncomingMessage): Promise<JobTaskRequest> {
  let body: unknown;
  try {
    body = JSON.parse((await readBody(req, 8 << 20)).toString('utf8'));
  } catch {
    throw new InvalidArgumentError('job task body is not valid JSON: expected {"files":["s3://bucket/key", ...]}');
  }
  const t = body as Partial<JobTaskRequest> | null;
  if (!t || !Array.isArray(t.files) || !t.files.every((f) => typeof f === 'string' && f !== '')) {
    throw new InvalidArgumentError('job task needs "files": a list of UFS URIs');
  }
  if (t.files.length > MAX_FILES_PER_TASK) throw new InvalidArgumentError(`job task has ${t.files.length} files, more than ${MAX_FILES_PER_TASK}`);
  if (t.bytesPerSec !== undefined && (typeof t.bytesPerSec !== 'number' || !(t.bytesPerSec >= 0))) throw new InvalidArgumentError('job task "bytesPerSec" must be a non-negative number');
  if (t.listed !== undefined && (!Array.isArray(t.listed) || t.listed.length !== t.files.length || !t.listed.every(isListedEntry))) {
    throw new InvalidArgumentError('job task "listed" must be a list parallel to "files" of null or {"length": <bytes>, "version": "<ufs version>"}');
  }
  return { files: t.files, verify: t.verify === true, skipIfExists: t.skipIfExists === true, bytesPerSec: t.bytesPerSec ?? 0, ...(t.listed !== undefined ? { listed: t.listed } : {}) };
}

function isListedEntry(e: unknown): boolean {
  if (e === null) return true;
  const l = e as { length?: unknown; version?: unknown };
  return typeof l === 'object' && Number.isSafeInteger(l.length) && (l.length as number) >= 0 && typeof l.version === 'string';
}

/** A counting semaphore: at most `n` holders; acquire() waits for a release. */
class Slots {
  private readonly waiting: Array<() => void> = [];

  constructor(private free: number) {}

  acquire(): Promise<void> {
    if (this.free > 0) {
      this.free--;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.free++;
  }
}

/**
 * Whether a task may take the coordinator's listed length and version for a file instead of a
 * status call: decided by the first file that has them (one status call, compared with its listed
 * version); until then, and when they differ, every file makes its own status call. A match is
 * remembered per under-storage for TRUST_TTL_MS, so the worker's next tasks start at once.
 */
class ListingTrust {
  private probe: Promise<boolean> | undefined;

  constructor(private readonly trusted: WeakMap<UnderFileSystem, number>) {}

  async status(listed: { length: number; version: string } | null, ufs: UnderFileSystem, fetch: () => Promise<{ length: number; version: string }>): Promise<{ length: number; version: string }> {
    if (listed === null || listed.version === '') return fetch();
    if (this.probe === undefined && (this.trusted.get(ufs) ?? 0) > Date.now()) return listed;
    if (this.probe === undefined) {
      const own = fetch();
      this.probe = own.then((s) => {
        const same = s.version === listed.version && s.length === listed.length;
        if (same) this.trusted.set(ufs, Date.now() + TRUST_TTL_MS);
        return same;
      }, () => false);
      return own;
    }
    return (await this.probe) ? listed : fetch();
  }
}

function errorOf(err: unknown): { code: string; message: string } {
  const e = toAlluxioError(err);
  return { code: e.code, message: e.message };
}

/**
 * Paces a task's UFS reads at bytesPerSec (0: no limit): after n bytes at time t the task may have
 * read rate * t bytes, and sleeps off any excess. Bursts are at most one chunk.
 */
class RateLimiter {
  private readonly start = Date.now();
  private taken = 0;

  constructor(private readonly bytesPerSec: number) {}

  async take(n: number): Promise<void> {
    if (this.bytesPerSec <= 0) return;
    this.taken += n;
    const due = (this.taken / this.bytesPerSec) * 1000 - (Date.now() - this.start);
    if (due > 1) await sleep(due);
  }
}

import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { AlluxioError, InvalidArgumentError, toAlluxioError } from '../common/errors.js';
import { readBody, sendJson } from '../common/http.js';
import type { Logger } from '../common/logging.js';
import { metrics } from '../common/metrics.js';
import { fileIdOf } from '../pagestore/index.js';
import { ufsVersion } from '../ufs/under-file-system.js';
import type { PageStore } from '../pagestore/page-store.js';
import type { ReadTarget } from './cached-reader.js';
import type { FileService } from './file-service.js';

/** Worker routes of the coordinator's job tasks (plain constants until the protocol module takes them). */

/** One task: files (UFS URIs) this worker owns, with the job's options. */
export interface JobTaskRequest {
  files: string[];
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

/**
 * The worker side of load and free jobs (DESIGN.md §9): the coordinator sends each worker a task
 * of files it owns; the worker caches (or drops) them and reports per file. Loads read through the
 * cached reader with purpose 'load', so their bytes are counted as job bytes, not as missed reads.
 */
export class JobTaskService {
  constructor(private readonly files: FileService, private readonly store: PageStore, private readonly log?: Logger) {}

  /** Answers one JSON line per file as it is done, so the coordinator sees progress and a long task never looks idle. */
  async handleLoad(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const task = await readTask(req);
    const bucket = new RateLimiter(task.bytesPerSec ?? 0);
    await this.answerPerFile(req, res, task, (uri) => this.loadOne(uri, task, bucket));
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

  private async answerPerFile(req: IncomingMessage, res: ServerResponse, task: JobTaskRequest, one: (uri: string) => Promise<JobTaskFileResult>): Promise<void> {
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    res.flushHeaders();
    const heartbeat = setInterval(() => res.write('\n'), HEARTBEAT_MS);
    try {
      // A few files at once: a small file costs two UFS round trips (status, read) and little else,
      // so one at a time would leave the link idle.
      let next = 0;
      await Promise.all(Array.from({ length: Math.min(FILES_AT_ONCE, task.files.length) }, async () => {
        while (next < task.files.length) {
          // The coordinator hung up (it was stopped or restarted): the rest of the task is its to redo.
          if (req.socket.destroyed || res.destroyed) return;
          const result = await one(task.files[next++]!);
          if (!res.destroyed) res.write(JSON.stringify(result) + '\n');
        }
      }));
    } finally {
      clearInterval(heartbeat);
      res.end();
    }
  }

  private async loadOne(uri: string, task: JobTaskRequest, bucket: RateLimiter): Promise<JobTaskFileResult> {
    const reader = this.files.reader;
    try {
      const r = this.files.resolve(uri);
      const s = await reader.refreshStatus(r.ufs, r.ufsUri);
      if (s.isDirectory) throw new AlluxioError('ALX_ERR_IS_A_DIRECTORY', `${r.path} is a directory`);
      const t: ReadTarget = { ufs: r.ufs, ufsUri: r.ufsUri, fileId: fileIdOf(r.ufsUri), version: ufsVersion(s), length: s.length, purpose: 'load' };
      const lastPage = Math.max(0, Math.ceil(s.length / reader.pageSize) - 1);
      if (task.skipIfExists && s.length > 0 && reader.allCached(t, 0, lastPage)) {
        metrics.jobTaskFiles.inc({ type: 'load', result: 'skipped' });
        return { ufsUri: uri, bytes: s.length, skipped: true };
      }
      if (s.length > 0) {
        for await (const chunk of reader.openRange(t, 0, s.length, false)) {
          const n = (chunk as Buffer).length;
          reader.release(chunk as Buffer);
          await bucket.take(n);
          // A load must not outrun the cache disk: past half the pending-write limit pages would be
          // served uncached (fine for a reader, useless for a load), so wait for the writes.
          while (reader.pendingWrites.bytes > reader.pendingWrites.limit / 2) await sleep(5);
        }
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

async function waitForWrites(reader: FileService['reader'], t: ReadTarget, lastPage: number): Promise<void> {
  for (let p = 0; p <= lastPage; p++) {
    const deadline = Date.now() + 30_000;
    while (reader.pageInFlight(t, p) && Date.now() < deadline) await sleep(2);
  }
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
  return { files: t.files, verify: t.verify === true, skipIfExists: t.skipIfExists === true, bytesPerSec: t.bytesPerSec ?? 0 };
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

import type { IncomingMessage, ServerResponse } from 'node:http';
import { request, type Agent, type Dispatcher } from 'undici';
import { AlluxioError, InvalidArgumentError } from '../common/errors.js';
import type { Logger } from '../common/logging.js';
import { buildUrl, COORDINATOR_REST, PARAM, restDispatcher } from '../common/protocol/index.js';
import type { FileEntry, FileService } from './file-service.js';
import { sendJson } from '../common/http.js';

/** Where the cluster's job service runs, and how this worker calls it. */
export interface CoordinatorTarget {
  /** `http://host:port` of the coordinator's REST API (httpOrigin: an IPv6 host bracketed). */
  origin: string;
  authorization?: string;
  timeoutMs: number;
}

export type LoadState = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'STOPPED';

interface LoadJob {
  path: string;
  jobState: LoadState;
  files: number;
  filesLoaded: number;
  bytesTotal: number;
  bytesLoaded: number;
  failedFiles: Array<{ path: string; error: string }>;
  startTimeMs: number;
  endTimeMs?: number;
  stop: boolean;
}

/** Loads one file into the cluster cache (through its owning worker). */
export type FileLoader = (entry: FileEntry) => Promise<void>;

/**
 * `GET|POST /v1/load?path=&opType=submit|progress|stop`, the load API the alluxiofs client calls on a
 * worker. The coordinator runs cluster-wide jobs (DESIGN.md §9); this is the per-request form: it
 * walks the path and reads every file through its owner, a few at a time.
 */
export class LoadService {
  private readonly jobs = new Map<string, LoadJob>();
  /** Keep-alive connections to the coordinator (alluxiofs polls progress several times a second). */
  private readonly http: Agent | undefined;

  /**
   * `coordinator`: where the cluster's job service runs (a cluster with etcd has one). Given, every
   * call is forwarded there, so any worker answers the same for a path; without it (STATIC
   * membership, no coordinator) this worker runs the load itself and only it knows the progress.
   */
  constructor(private readonly files: FileService, private readonly loadFile: FileLoader, private readonly concurrency = 4, private readonly log?: Logger,
    private readonly coordinator?: CoordinatorTarget) {
    this.http = coordinator && restDispatcher({ timeouts: { connectMs: coordinator.timeoutMs, headersMs: coordinator.timeoutMs, bodyMs: coordinator.timeoutMs } });
  }

  async close(): Promise<void> {
    await this.http?.close();
  }

  async handle(_req: IncomingMessage, res: ServerResponse, q: URLSearchParams): Promise<void> {
    const path = q.get('path');
    if (!path) throw new InvalidArgumentError("missing query parameter 'path'");
    const op = q.get('opType') ?? 'progress';
    if (this.coordinator) return this.forward(res, path, op, this.coordinator, this.http!);
    const key = this.files.resolve(path).ufsUri;
    const job = this.jobs.get(key);
    switch (op) {
      case 'submit':
        if (job?.jobState === 'RUNNING') return sendJson(res, 200, { success: true, alreadyRunning: true, ...view(job) });
        this.start(key, path);
        return sendJson(res, 200, { success: true });
      case 'progress':
        if (!job) return sendJson(res, 404, { code: 'ALX_ERR_NOT_FOUND', message: `no load job for ${path}` });
        return sendJson(res, 200, view(job));
      case 'stop':
        if (!job) return sendJson(res, 404, { code: 'ALX_ERR_NOT_FOUND', message: `no load job for ${path}` });
        job.stop = true;
        return sendJson(res, 200, { success: true });
      default:
        throw new InvalidArgumentError(`opType '${op}' is not one of submit|progress|stop`);
    }
  }

  /** The alluxiofs shapes over the coordinator's load job API (COORDINATOR_REST.load, DESIGN.md §9). */
  private async forward(res: ServerResponse, path: string, op: string, c: CoordinatorTarget, http: Dispatcher): Promise<void> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (c.authorization !== undefined) headers.authorization = c.authorization;
    const call = async (method: Dispatcher.HttpMethod, withPath: boolean, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> => {
      const url = buildUrl(c.origin, COORDINATOR_REST.load, { query: { [PARAM.path]: withPath ? path : undefined } });
      try {
        const r = await request(url, { method, headers, dispatcher: http, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
        const json = await r.body.json().catch(() => ({})) as Record<string, unknown>;
        return { status: r.statusCode, json };
      } catch (err) {
        throw new AlluxioError('ALX_ERR_WORKER_UNAVAILABLE', `the coordinator at ${c.origin} does not answer (${(err as Error).message}): load jobs run there`);
      }
    };
    switch (op) {
      case 'submit': {
        const r = await call('POST', false, { path });
        // A job already running for the path is what the caller wants: alluxiofs then polls progress.
        if (r.status === 200 || r.status === 409) return sendJson(res, 200, { success: true, ...(r.status === 409 ? { alreadyRunning: true } : {}), ...(r.json.jobId ? { jobId: r.json.jobId } : {}) });
        return sendJson(res, r.status, r.json);
      }
      case 'progress': {
        const r = await call('GET', true);
        if (r.status !== 200) return sendJson(res, r.status, r.json);
        // The field names this API had when each worker ran its own loads, beside the job's own.
        const j = r.json;
        return sendJson(res, 200, { ...j, files: j.filesListed, filesLoaded: j.filesDone, bytesTotal: j.bytesListed, bytesLoaded: j.bytesDone });
      }
      case 'stop': {
        const r = await call('DELETE', true);
        return sendJson(res, r.status, r.status === 200 ? { success: true } : r.json);
      }
      default:
        throw new InvalidArgumentError(`opType '${op}' is not one of submit|progress|stop`);
    }
  }

  private start(key: string, path: string): void {
    const job: LoadJob = { path, jobState: 'RUNNING', files: 0, filesLoaded: 0, bytesTotal: 0, bytesLoaded: 0, failedFiles: [], startTimeMs: Date.now(), stop: false };
    this.jobs.set(key, job);
    void this.run(job).catch((err) => {
      job.jobState = 'FAILED';
      job.failedFiles.push({ path, error: (err as Error).message });
      job.endTimeMs = Date.now();
    });
  }

  private async run(job: LoadJob): Promise<void> {
    const entries = (await this.files.list(job.path, true)).filter((e) => e.type === 'file');
    job.files = entries.length;
    job.bytesTotal = entries.reduce((n, e) => n + e.length, 0);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (!job.stop && next < entries.length) {
        const e = entries[next++]!;
        try {
          await this.loadFile(e);
          job.filesLoaded++;
          job.bytesLoaded += e.length;
        } catch (err) {
          job.failedFiles.push({ path: e.path, error: (err as Error).message });
          this.log?.warn({ path: e.path, err: (err as Error).message }, 'load failed');
        }
      }
    };
    await Promise.all(Array.from({ length: this.concurrency }, worker));
    job.jobState = job.stop ? 'STOPPED' : job.failedFiles.length ? 'FAILED' : 'SUCCEEDED';
    job.endTimeMs = Date.now();
  }
}

function view(j: LoadJob): Record<string, unknown> {
  const { stop: _stop, ...rest } = j;
  return rest;
}

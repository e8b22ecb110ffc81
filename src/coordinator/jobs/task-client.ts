import { WORKER_REST } from '../../common/protocol/index.js';
import { AlluxioError } from '../../common/errors.js';
import type { WorkerInfo } from '../../hashring/worker-info.js';
import type { JobType } from './job-types.js';

/** The worker routes of job tasks (src/worker/job-task-service.ts); plain constants until the protocol module takes them. */
const TASK_ROUTE: Record<JobType, string> = { load: WORKER_REST.jobLoad, free: WORKER_REST.jobFree };

export interface TaskFileResult {
  ufsUri: string;
  bytes: number;
  skipped?: boolean;
  error?: { code: string; message: string };
}

/** A task may load 200 files of 256 MiB at a capped rate: hours, so no overall deadline, only a connect one. */
const CONNECT_TIMEOUT_MS = 10_000;

/**
 * Sends one task to a worker; the worker answers with one JSON line per file as it goes (and blank
 * heartbeat lines), handed to onResult. Throws when the worker does not answer, answers with an
 * error status or stops mid-answer: the files without a result are then the caller's to requeue.
 */
export async function sendTask(worker: WorkerInfo, type: JobType, body: { files: string[]; listed?: Array<{ length: number; version: string } | null>; verify: boolean; skipIfExists: boolean; bytesPerSec: number },
  onResult: (r: TaskFileResult) => void, authorize: ((method: string, url: URL) => Record<string, string>) | undefined, signal: AbortSignal): Promise<void> {
  const url = `http://${worker.address.Host}:${worker.address.HttpServerPort}${TASK_ROUTE[type]}`;
  const headers: Record<string, string> = { 'content-type': 'application/json', ...authorize?.('POST', new URL(url)) };
  const connect = new AbortController();
  const timer = setTimeout(() => connect.abort(new Error(`no answer from ${url} within ${CONNECT_TIMEOUT_MS} ms`)), CONNECT_TIMEOUT_MS);
  let res: Response;
  try {
    // Aborting (the job is stopped) closes the connection: the worker ends the task after its current file.
    res = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body), signal: AbortSignal.any([connect.signal, signal]) });
  } finally {
    clearTimeout(timer);
  }
  if (res.status !== 200 || !res.body) throw new AlluxioError('ALX_ERR_WORKER_UNAVAILABLE', `${url} answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
  const decoder = new TextDecoder();
  let buf = '';
  for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
    buf += decoder.decode(chunk, { stream: true });
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl).trim();
      buf = buf.slice(nl + 1);
      if (line !== '') onResult(JSON.parse(line) as TaskFileResult);
    }
  }
}

import { request, type Dispatcher } from 'undici';
import { buildUrl, restDispatcher, WORKER_REST, workerOrigin } from '../../common/protocol/index.js';
import { AlluxioError, ERROR_TABLE, type ErrorCode } from '../../common/errors.js';
import type { WorkerInfo } from '../../hashring/worker-info.js';
import type { JobType } from './job-types.js';

/** The worker routes of job tasks (src/worker/job-task-service.ts). */
const TASK_ROUTE = { load: WORKER_REST.jobLoad, free: WORKER_REST.jobFree } as const satisfies Record<JobType, string>;

export interface TaskFileResult {
  ufsUri: string;
  bytes: number;
  skipped?: boolean;
  error?: { code: string; message: string };
}

/**
 * The worker refused the task itself: a 4xx other than 408 (timeout) and 429 (busy), such as a
 * request it cannot take or credentials it does not accept. Sending it again cannot help, so its
 * files fail at once with this reason instead of waiting as if the worker were unreachable.
 */
export class TaskRefusedError extends AlluxioError {
  constructor(code: ErrorCode, message: string) {
    super(code, message);
    this.name = 'TaskRefusedError';
  }
}

/**
 * A task may load 200 files of 256 MiB at a capped rate: hours, so no overall deadline. The worker
 * answers at once and then writes a result line per file and a blank heartbeat line every 20 s
 * (job-task-service.ts): a worker silent for much longer than that is gone.
 */
const CONNECT_TIMEOUT_MS = 10_000;
const SILENT_TIMEOUT_MS = 300_000;

/**
 * Job tasks go through the protocol module's HTTP setup. A task is long, so its connection is
 * closed after it (reset) rather than kept idle: an idle one would hold the process open.
 */
const tasks = restDispatcher({ timeouts: { connectMs: CONNECT_TIMEOUT_MS, headersMs: CONNECT_TIMEOUT_MS, bodyMs: SILENT_TIMEOUT_MS } });

/**
 * Sends one task to a worker; the worker answers with one JSON line per file as it goes (and blank
 * heartbeat lines), handed to onResult. Throws when the worker does not answer, answers with an
 * error status or stops mid-answer: the files without a result are then the caller's to requeue.
 */
export async function sendTask(worker: WorkerInfo, type: JobType, body: { files: string[]; listed?: Array<{ length: number; version: string } | null>; verify: boolean; skipIfExists: boolean; bytesPerSec: number },
  onResult: (r: TaskFileResult) => void, authorize: ((method: string, url: URL) => Record<string, string>) | undefined, signal: AbortSignal): Promise<void> {
  const url = buildUrl(workerOrigin(worker), TASK_ROUTE[type]);
  const headers: Record<string, string> = { 'content-type': 'application/json', ...authorize?.('POST', new URL(url)) };
  let res: Dispatcher.ResponseData;
  try {
    // Aborting (the job is stopped) closes the connection: the worker ends the task after its current file.
    res = await request(url, { method: 'POST', headers, body: JSON.stringify(body), dispatcher: tasks, reset: true, signal });
  } catch (err) {
    throw new AlluxioError('ALX_ERR_WORKER_UNAVAILABLE', `no answer from ${url}: ${(err as Error).message}`, { cause: err });
  }
  if (res.statusCode !== 200) {
    const text = (await res.body.text()).slice(0, 300);
    if (res.statusCode >= 400 && res.statusCode < 500 && res.statusCode !== 408 && res.statusCode !== 429) {
      const code = workerErrorCode(text);
      throw new TaskRefusedError(code ?? 'ALX_ERR_INVALID_ARGUMENT', `worker ${worker.address.Host}:${worker.address.HttpServerPort} refused the ${type} task (HTTP ${res.statusCode}): ${text}`);
    }
    throw new AlluxioError('ALX_ERR_WORKER_UNAVAILABLE', `${url} answered ${res.statusCode}: ${text}`);
  }
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

/** The error code of a worker's `{code, message}` answer, when it is one of ours. */
function workerErrorCode(text: string): ErrorCode | undefined {
  try {
    const code = (JSON.parse(text) as { code?: unknown }).code;
    return typeof code === 'string' && code in ERROR_TABLE ? code as ErrorCode : undefined;
  } catch {
    return undefined;
  }
}

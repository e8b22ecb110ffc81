// The coordinator's load job REST API (POST/GET/DELETE /api/v1/load, DESIGN.md §9), behind an
// interface like MountClient. Submit and stop need the operator's bearer token when
// authentication is on; progress reads do not, but the token is sent anyway (harmless).
import { buildUrl, COORDINATOR_REST } from '../../common/protocol/index.js';
import { call, headers, type CoordinatorTarget } from './coordinator-client.js';

/** The load options the coordinator takes (job-options.ts parseSubmission), only those set. */
export interface LoadJobOptions {
  verify?: boolean;
  bandwidth?: string;
  skipIfExists?: boolean;
  fileFilterRegex?: string;
  replicas?: number;
  partialListing?: boolean;
  metadataOnly?: boolean;
}

/** The fields of the coordinator's job view (job-types.ts jobView) the operator mirrors. */
export interface LoadJobView {
  jobId: string;
  path: string;
  jobState: 'RUNNING' | 'STOPPED' | 'SUCCEEDED' | 'FAILED';
  listingDone: boolean;
  filesListed: number;
  bytesListed: number;
  filesDone: number;
  filesFailed: number;
  bytesDone: number;
  startTimeMs: number;
  endTimeMs?: number;
  errorMessage?: string;
  failedFiles: Array<{ path: string; error: string }>;
}

export interface LoadJobClient {
  submit(to: CoordinatorTarget, path: string, options: LoadJobOptions): Promise<{ jobId: string }>;
  get(to: CoordinatorTarget, jobId: string): Promise<LoadJobView>;
  stop(to: CoordinatorTarget, jobId: string): Promise<void>;
}

export class HttpLoadJobClient implements LoadJobClient {
  constructor(private readonly timeoutMs = 30_000) {}

  async submit(to: CoordinatorTarget, path: string, options: LoadJobOptions): Promise<{ jobId: string }> {
    const body = await call(buildUrl(to.url, COORDINATOR_REST.load), {
      method: 'POST', headers: headers(to, { 'content-type': 'application/json' }), body: JSON.stringify({ path, options }),
    }, this.timeoutMs);
    return { jobId: String((body as { jobId?: unknown } | undefined)?.jobId ?? '') };
  }

  async get(to: CoordinatorTarget, jobId: string): Promise<LoadJobView> {
    return await call(buildUrl(to.url, COORDINATOR_REST.load, { query: { id: jobId } }), { method: 'GET', headers: headers(to) }, this.timeoutMs) as LoadJobView;
  }

  async stop(to: CoordinatorTarget, jobId: string): Promise<void> {
    await call(buildUrl(to.url, COORDINATOR_REST.load, { query: { id: jobId } }), { method: 'DELETE', headers: headers(to) }, this.timeoutMs);
  }
}

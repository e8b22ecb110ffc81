import { createHash, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Etcd3 } from 'etcd3';
import { AlluxioError, AlreadyExistsError, InvalidArgumentError, NotFoundError } from '../../common/errors.js';
import { readBody, sendJson } from '../../common/http.js';
import type { Logger } from '../../common/logging.js';
import { normalizePath } from '../../common/paths.js';
import { COORDINATOR_REST } from '../../common/protocol/index.js';
import type { WorkerRing } from '../../client/worker-ring.js';
import type { Namespace } from '../../mount/namespace.js';
import type { CoordinatorRoute } from '../coordinator-server.js';
import { JobRunner, type JobRunnerDeps } from './job-runner.js';
import { parseSubmission } from './job-options.js';
import { JobStore } from './job-store.js';
import { jobView, zeroCounters, type JobRecord, type JobType } from './job-types.js';

/** The coordinator's job routes, one per job type. */
export const JOB_ROUTES = { load: COORDINATOR_REST.load, free: COORDINATOR_REST.free } as const satisfies Record<JobType, string>;

export interface JobServiceOptions {
  etcd: Etcd3;
  clusterName: string;
  ring: WorkerRing;
  namespace: Namespace;
  log: Logger;
  leaseTtlSeconds: number;
  batchSize: number;
  runner: Omit<JobRunnerDeps, 'store' | 'ring' | 'namespace' | 'log'>;
}

/** How often a coordinator looks for running jobs no coordinator holds (a killed one's). */
const CLAIM_INTERVAL_MS = 2000;

/**
 * Load and free jobs (DESIGN.md §9): the REST API over the job records in etcd, and the runners of
 * the jobs this coordinator holds. Any coordinator answers for any job (the records are in etcd);
 * each running job is run by the one coordinator holding its lock, and a coordinator picks up
 * running jobs whose lock is free (their coordinator died or stopped), resuming at the checkpoint.
 */
export class JobService {
  private readonly store: JobStore;
  private readonly running = new Map<string, JobRunner>();
  private readonly claimTimer: NodeJS.Timeout;
  private claiming = false;
  private closed = false;

  constructor(private readonly o: JobServiceOptions) {
    this.store = new JobStore(o.etcd, o.clusterName, `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`, o.leaseTtlSeconds, o.log);
    this.claimTimer = setInterval(() => void this.claim(), CLAIM_INTERVAL_MS);
    this.claimTimer.unref();
    void this.claim();
  }

  routes(): CoordinatorRoute[] {
    const out: CoordinatorRoute[] = [];
    for (const type of ['load', 'free'] as const) {
      const path = new RegExp(`^${JOB_ROUTES[type]}$`);
      out.push(
        { method: 'GET', path, name: `${type}-get`, handler: async (_req, res, q) => {
          const id = q.get('id') ?? q.get('jobId');
          const p = q.get('path');
          const verbose = q.get('verbose') === 'true';
          if (id === null && p === null) return sendJson(res, 200, { jobs: (await this.store.list()).filter((r) => r.type === type).map((r) => jobView(r, false)) });
          sendJson(res, 200, jobView(await this.find(type, id, p), verbose));
        } },
        { method: 'POST', path, name: `${type}-submit`, handler: async (req, res) => {
          const body = await readBody(req);
          let json: unknown;
          try {
            json = body.length === 0 ? undefined : JSON.parse(body.toString('utf8'));
          } catch {
            throw new InvalidArgumentError('request body is not valid JSON');
          }
          const r = await this.submit(type, json);
          sendJson(res, 200, { success: true, jobId: r.jobId, path: r.path, ufsPath: r.ufsUri });
        } },
        { method: 'DELETE', path, name: `${type}-stop`, handler: async (_req, res, q) => {
          const r = await this.stop(type, q.get('id') ?? q.get('jobId'), q.get('path'));
          sendJson(res, 200, { success: true, jobId: r.jobId });
        } },
      );
    }
    out.push({ method: 'GET', path: /^\/api\/v1\/jobs$/, name: 'jobs-list', handler: async (_req, res) => {
      sendJson(res, 200, { jobs: (await this.store.list()).map((r) => jobView(r, false)) });
    } });
    return out;
  }

  /** Every load and free job, as GET /api/v1/jobs answers them (the web console's jobs view). */
  async list(): Promise<Record<string, unknown>[]> {
    return (await this.store.list()).map((r) => jobView(r, false));
  }

  async submit(type: JobType, body: unknown): Promise<JobRecord> {
    const s = parseSubmission(type, body, this.o.batchSize);
    const resolved = this.resolve(s.path);
    // The path must exist: a typo fails here, not as an empty SUCCEEDED job.
    await resolved.ufs.getStatus(resolved.ufsUri);
    const jobId = jobIdOf(type, resolved.ufsUri);
    const existing = await this.store.get(jobId);
    if (existing?.record.state === 'RUNNING') {
      throw new AlreadyExistsError(`a ${type} job for ${existing.record.path} is already running (job ${jobId}): watch it with 'alluxio job ${type} --path ${existing.record.path} --progress' or stop it with --stop`);
    }
    const now = Date.now();
    const r: JobRecord = {
      jobId, type, path: resolved.path, ufsUri: resolved.ufsUri, options: s.options, state: 'RUNNING', startTimeMs: now,
      listingDone: false, committed: zeroCounters(), committedFailed: [], live: zeroCounters(), liveFailed: [], updatedMs: now,
    };
    if (!(await this.store.create(r, existing?.modRevision ?? '0'))) {
      throw new AlreadyExistsError(`a ${type} job for ${resolved.path} was submitted at the same moment by another caller (job ${jobId})`);
    }
    this.o.log.info({ job: jobId, type, path: r.path, options: r.options }, 'job submitted');
    void this.claim();
    return r;
  }

  async stop(type: JobType, id: string | null, path: string | null): Promise<JobRecord> {
    const r = await this.find(type, id, path);
    if (r.state !== 'RUNNING') throw new AlluxioError('ALX_ERR_INVALID_ARGUMENT', `the ${type} job ${r.jobId} for ${r.path} is not running (it is ${r.state})`);
    await this.store.requestStop(r.jobId);
    // No coordinator runs it (none is up to hold it): take it and mark it stopped here.
    if (!this.running.has(r.jobId) && !(await this.store.locked(r.jobId)) && (await this.store.acquire(r.jobId))) {
      const fresh = (await this.store.get(r.jobId))?.record ?? r;
      await this.store.write({ ...fresh, state: 'STOPPED', endTimeMs: Date.now(), updatedMs: Date.now() });
      await this.store.release(r.jobId);
    }
    return r;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.claimTimer);
    for (const runner of this.running.values()) runner.abandon();
    this.running.clear();
    await this.store.close();
  }

  private async find(type: JobType, id: string | null, path: string | null): Promise<JobRecord> {
    let jobId = id;
    if (jobId === null) {
      if (path === null || path === '') throw new InvalidArgumentError("give the job's 'id' or its 'path'");
      jobId = jobIdOf(type, this.resolve(path).ufsUri);
    }
    const found = await this.store.get(jobId);
    if (!found || found.record.type !== type) throw new NotFoundError(`no ${type} job ${id !== null ? `with id ${id}` : `for ${path}`}: list jobs with 'alluxio job list'`);
    return found.record;
  }

  private resolve(path: string): { path: string; ufsUri: string; ufs: ReturnType<Namespace['resolve']>['ufs'] } {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(path)) {
      const r = this.o.namespace.resolveUfsUri(path);
      return { path: this.o.namespace.alluxioPath(r.ufsUri) ?? path, ufsUri: r.ufsUri, ufs: r.ufs };
    }
    const p = normalizePath(path);
    const r = this.o.namespace.resolve(p);
    return { path: p, ufsUri: r.ufsUri, ufs: r.ufs };
  }

  /** Starts runners for running jobs whose lock is free. */
  private async claim(): Promise<void> {
    if (this.claiming || this.closed) return;
    this.claiming = true;
    try {
      for (const r of await this.store.list()) {
        if (r.state !== 'RUNNING' || this.running.has(r.jobId) || this.closed) continue;
        if (!(await this.store.acquire(r.jobId))) continue;
        // Re-read under the lock: the record the list returned may predate the last checkpoint.
        const fresh = (await this.store.get(r.jobId))?.record;
        if (!fresh || fresh.state !== 'RUNNING') {
          await this.store.release(r.jobId);
          continue;
        }
        const runner = new JobRunner({ ...this.o.runner, store: this.store, ring: this.o.ring, namespace: this.o.namespace, log: this.o.log }, { ...fresh, runner: this.store.ownerId });
        this.running.set(r.jobId, runner);
        if (fresh.updatedMs !== fresh.startTimeMs) this.o.log.info({ job: r.jobId, cursor: fresh.cursor ?? null, done: fresh.committed.filesDone }, 'resuming job from its checkpoint');
        void runner.run().finally(() => this.running.delete(r.jobId));
      }
    } catch (err) {
      this.o.log.warn({ err: (err as Error).message }, 'looking for jobs to run failed (etcd): retrying');
    } finally {
      this.claiming = false;
    }
  }
}

/** One job id per type and UFS path: a path has at most one running job of each type. */
export function jobIdOf(type: JobType, ufsUri: string): string {
  return `${type}-${createHash('sha256').update(ufsUri).digest('hex').slice(0, 16)}`;
}

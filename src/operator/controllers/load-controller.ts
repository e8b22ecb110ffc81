import { API_VERSION, CONDITION, FIELD_MANAGER, FINALIZER, REASON } from '../constants.js';
import type { Condition } from '../api/common.js';
import { LOAD_FAILED_FILES_SHOWN, type Load, type LoadPhase, type LoadSpec } from '../api/load.js';
import { parseLoad } from '../api/validate.js';
import { isConflict, refOf, type KubeApi, type KubeObject, type ObjectRef } from '../kube/types.js';
import type { Clock } from './clock.js';
import { conditionOf, mergeConditions } from './conditions.js';
import { coordinatorMessage, isUnreachable, toCoordinatorError, type CoordinatorTarget } from './coordinator-client.js';
import { coordinatorTarget, type CoordinatorUrlOf } from './coordinator-target.js';
import { recordEvent } from './events.js';
import type { LoadJobClient, LoadJobOptions, LoadJobView } from './job-client.js';
import { latestTick, nextTick, scheduleProblem } from './load-schedule.js';
import type { ReconcileResult, Reconciler } from './reconciler.js';

// Load → a load job on the cluster's coordinator. Steps: 1 fetch · 2 deletion: stop a running
// job, then drop the finalizer · 3 ensure the finalizer · 4 validate (schema, cron) · 5 follow
// the running job: its progress into status, polled with backoff · 6 is a run due (never run
// for this spec, or a schedule tick passed)? · 7 find the cluster · 8 submit · 9 status, written
// only when it changed · requeue: the next poll, the next tick, or a slow retry, never a hot loop.

/** Polls of a running job: a tenth of its age, from 1 s to 30 s (a long job is polled rarely). */
export const LOAD_POLL_MIN_MS = 1_000;
export const LOAD_POLL_MAX_MS = 30_000;
/** Retry of what the user or another controller must fix (missing cluster, refused path...). */
export const LOAD_RETRY_MS = 60_000;
/** Waiting for a cluster that is coming up, or a coordinator that does not answer. */
export const LOAD_WAIT_MS = 15_000;
/** Longest wait for a schedule tick before looking again (resync). */
export const LOAD_MAX_WAIT_MS = 3_600_000;
/** A deleted Load whose coordinator does not answer this long is let go without stopping its job. */
export const LOAD_STOP_GIVE_UP_MS = 300_000;
const READY_CLUSTER_PHASES = new Set(['Ready', 'WaitingForReady', 'Updating']);

const PHASE_OF: Record<LoadJobView['jobState'], LoadPhase> = { RUNNING: 'Running', SUCCEEDED: 'Succeeded', FAILED: 'Failed', STOPPED: 'Stopped' };
const REASON_OF: Record<LoadJobView['jobState'], string> = {
  RUNNING: REASON.JobRunning, SUCCEEDED: REASON.JobSucceeded, FAILED: REASON.JobFailed, STOPPED: REASON.JobStopped,
};

export interface LoadReconcilerDeps {
  api: KubeApi;
  clock: Clock;
  jobs: LoadJobClient;
  coordinatorUrl?: CoordinatorUrlOf;
  log?: { warn: (o: object, m?: string) => void };
}

/** Status fields the reconciler owns; null clears a field (merge patch). */
type StatusDraft = Record<string, unknown>;
interface Verdict { reason: string; message: string }

export class LoadReconciler implements Reconciler {
  readonly apiVersion = API_VERSION;
  readonly kind = 'Load';
  constructor(private readonly deps: LoadReconcilerDeps) {}

  async reconcile(ref: ObjectRef): Promise<ReconcileResult> {
    const { api, clock } = this.deps;
    // 1. fetch
    const raw = await api.get(ref);
    if (!raw) return {};
    const clusterName = raw.spec?.clusterRef as string | undefined;
    const cluster = clusterName
      ? await api.get({ apiVersion: API_VERSION, kind: 'AlluxioCluster', namespace: raw.metadata.namespace, name: clusterName })
      : undefined;

    // 2. deletion
    if (raw.metadata.deletionTimestamp) {
      if (!raw.metadata.finalizers?.includes(FINALIZER)) return {};
      await this.stopRun(raw, cluster);
      await this.setFinalizer(raw, false);
      return {};
    }

    // 3. finalizer
    if (!raw.metadata.finalizers?.includes(FINALIZER)) await this.setFinalizer(raw, true);

    const now = clock.now();
    const prev = (raw.status ?? {}) as NonNullable<Load['status']>;
    const draft: StatusDraft = {};

    // 4. validate (the API server checked the schema; an older CRD or a bad cron gets here)
    const parsed = parseLoad(raw);
    if (!parsed.value) return this.finish(raw, draft, 'Failed', { reason: REASON.InvalidSpec, message: parsed.errors.join('; ') }, {});
    const load = parsed.value;
    const schedule = load.spec.schedule;
    const badCron = schedule !== undefined ? scheduleProblem(schedule) : undefined;
    if (badCron) return this.finish(raw, { nextScheduleTime: null }, 'Failed', { reason: REASON.InvalidSchedule, message: badCron }, {});

    // 5. follow the running job
    let phase: LoadPhase = prev.phase ?? 'Pending';
    let verdict: Verdict | undefined = currentVerdict(prev.conditions);
    if (prev.phase === 'Running' && prev.jobId) {
      if (!cluster) {
        return this.finish(raw, draft, 'Failed', { reason: REASON.ClusterNotFound,
          message: `AlluxioCluster '${load.spec.clusterRef}' not found in namespace ${raw.metadata.namespace} while job ${prev.jobId} was running` }, { requeueAfterMs: LOAD_RETRY_MS });
      }
      const followed = await this.follow(cluster, prev.jobId, draft);
      if (followed.retryMs !== undefined) return this.finish(raw, draft, 'Running', followed.verdict, { requeueAfterMs: followed.retryMs });
      phase = followed.phase;
      verdict = followed.verdict;
      if (phase === 'Running') {
        const age = now.getTime() - Date.parse(prev.startTime ?? now.toISOString());
        return this.finish(raw, draft, phase, verdict, { requeueAfterMs: pollDelay(age) });
      }
    }

    // 6. is a run due?
    let tick: Date | undefined;
    if (schedule !== undefined) {
      const from = prev.lastScheduleTime ?? raw.metadata.creationTimestamp ?? now.toISOString();
      const next = nextTick(schedule, new Date(from));
      if (now < next) {
        draft.nextScheduleTime = next.toISOString();
        // Before the first tick there is no run to tell about; after it, the last run's verdict stays.
        const shown = prev.lastScheduleTime && verdict ? verdict
          : { reason: REASON.WaitingForSchedule, message: `the first run starts at ${next.toISOString()} (schedule '${schedule}', UTC)` };
        return this.finish(raw, draft, phase, shown, { requeueAfterMs: Math.min(next.getTime() - now.getTime(), LOAD_MAX_WAIT_MS) });
      }
      tick = latestTick(schedule, now);
    } else if (prev.runGeneration === raw.metadata.generation && prev.jobId) {
      // Ran once for this spec: done until the spec changes.
      return this.finish(raw, draft, phase, verdict ?? { reason: REASON.JobSucceeded, message: 'done' }, {});
    }

    // 7. cluster
    if (!cluster) {
      return this.finish(raw, draft, 'Pending', { reason: REASON.ClusterNotFound,
        message: `AlluxioCluster '${load.spec.clusterRef}' not found in namespace ${raw.metadata.namespace}` }, { requeueAfterMs: LOAD_RETRY_MS });
    }
    const clusterPhase = cluster.status?.phase as string | undefined;
    if (!clusterPhase || !READY_CLUSTER_PHASES.has(clusterPhase)) {
      return this.finish(raw, draft, 'Pending', { reason: REASON.ClusterNotReady,
        message: `waiting for AlluxioCluster '${cluster.metadata.name}' (phase ${clusterPhase ?? 'unknown'})` }, { requeueAfterMs: LOAD_WAIT_MS });
    }

    // 8. submit
    let jobId: string;
    try {
      jobId = (await this.deps.jobs.submit(await this.target(cluster), load.spec.path, jobOptions(load.spec))).jobId;
    } catch (err) {
      // Pending: a run is due and not started yet.
      const e = toCoordinatorError(err);
      if (e.status === 409) {
        return this.finish(raw, draft, 'Pending', { reason: REASON.JobAlreadyRunning,
          message: `a load of ${load.spec.path} is already running on the coordinator (started elsewhere): this Load runs once it ends. ${e.message}` }, { requeueAfterMs: LOAD_RETRY_MS });
      }
      if (isUnreachable(e)) {
        return this.finish(raw, draft, 'Pending', { reason: REASON.CoordinatorUnreachable, message: coordinatorMessage('submit the load', e) }, { requeueAfterMs: LOAD_WAIT_MS });
      }
      // The coordinator refused the job (a path outside every mount, a missing file, an option
      // it does not support): Failed with its words; tried again slowly, as a mount may appear.
      return this.finish(raw, { ...draft, jobId: null }, 'Failed', { reason: REASON.SubmitRejected, message: coordinatorMessage(`load ${load.spec.path}`, e) },
        { requeueAfterMs: LOAD_RETRY_MS });
    }

    // 9. status of the new run
    Object.assign(draft, {
      jobId, runGeneration: raw.metadata.generation, startTime: now.toISOString(), completionTime: null,
      filesLoaded: 0, filesTotal: 0, bytesLoaded: 0, bytesTotal: 0, failures: null, errorMessage: null,
      ...(tick ? { lastScheduleTime: tick.toISOString(), nextScheduleTime: nextTick(schedule!, tick).toISOString() } : {}),
    });
    return this.finish(raw, draft, 'Running', { reason: REASON.JobRunning, message: `job ${jobId} submitted to the coordinator` },
      { requeueAfterMs: LOAD_POLL_MIN_MS });
  }

  private target(cluster: KubeObject): Promise<CoordinatorTarget> {
    return coordinatorTarget(this.deps.api, cluster, this.deps.coordinatorUrl);
  }

  /** Reads the job's progress into `draft`; retryMs when the coordinator did not answer. */
  private async follow(cluster: KubeObject, jobId: string, draft: StatusDraft): Promise<{ phase: LoadPhase; verdict: Verdict; retryMs?: number }> {
    let view: LoadJobView;
    try {
      view = await this.deps.jobs.get(await this.target(cluster), jobId);
    } catch (err) {
      const e = toCoordinatorError(err);
      if (e.status === 404) {
        draft.completionTime = this.deps.clock.now().toISOString();
        return { phase: 'Failed', verdict: { reason: REASON.JobLost, message: `the coordinator has no job ${jobId} any more (was its etcd state lost?): ${e.message}` } };
      }
      return { phase: 'Running', verdict: { reason: REASON.CoordinatorUnreachable, message: coordinatorMessage(`read the progress of job ${jobId}`, e) }, retryMs: LOAD_WAIT_MS };
    }
    Object.assign(draft, progressOf(view));
    const phase = PHASE_OF[view.jobState];
    return { phase, verdict: { reason: REASON_OF[view.jobState], message: verdictMessage(view) } };
  }

  /** Stops the job of a Load being deleted, if it still runs; gives up on a coordinator gone for good. */
  private async stopRun(raw: KubeObject, cluster: KubeObject | undefined): Promise<void> {
    const jobId = raw.status?.jobId as string | undefined;
    // A cluster that is gone (or going) took its coordinator and jobs with it.
    if (raw.status?.phase !== 'Running' || !jobId || !cluster || cluster.metadata.deletionTimestamp) return;
    try {
      const to = await this.target(cluster);
      const view = await this.deps.jobs.get(to, jobId);
      if (view.jobState === 'RUNNING') await this.deps.jobs.stop(to, jobId);
    } catch (err) {
      const e = toCoordinatorError(err);
      if (e.status === 404) return;
      const since = Date.parse(raw.metadata.deletionTimestamp!);
      if (this.deps.clock.now().getTime() - since > LOAD_STOP_GIVE_UP_MS) {
        this.deps.log?.warn({ load: raw.metadata.name, job: jobId, err: e.message }, 'could not stop the job of a deleted Load; letting the Load go');
        return;
      }
      throw err;
    }
  }

  private async setFinalizer(raw: KubeObject, present: boolean): Promise<void> {
    const fins = (raw.metadata.finalizers ?? []).filter((f) => f !== FINALIZER);
    if (present) fins.push(FINALIZER);
    raw.metadata.finalizers = fins;
    try {
      const updated = await this.deps.api.update(raw, { fieldManager: FIELD_MANAGER });
      raw.metadata = updated.metadata;
    } catch (err) {
      if (isConflict(err)) throw new Error(`Load ${raw.metadata.name} changed while updating finalizers; retrying`);
      throw err;
    }
  }

  /** Writes status when anything in it changed; returns the requeue. */
  private async finish(raw: KubeObject, draft: StatusDraft, phase: LoadPhase, verdict: Verdict, result: ReconcileResult): Promise<ReconcileResult> {
    const prev = (raw.status ?? {}) as Record<string, unknown>;
    const conditions = mergeConditions(prev.conditions as Condition[] | undefined,
      [{ type: CONDITION.Loaded, ok: phase === 'Succeeded', reason: verdict.reason, message: verdict.message }], raw.metadata.generation, this.deps.clock);
    const status: StatusDraft = {
      ...draft, phase, conditions, observedGeneration: raw.metadata.generation,
      // Failed, or due and not started: the verdict says why; otherwise the job's own error, if any.
      errorMessage: phase === 'Failed' || (phase === 'Pending' && verdict.reason !== REASON.WaitingForSchedule) ? verdict.message
        : draft.errorMessage ?? null,
    };
    const changed = Object.entries(status).some(([k, v]) => JSON.stringify(v ?? null) !== JSON.stringify(prev[k] ?? null));
    if (changed) await this.deps.api.patchStatus(refOf(raw), status, { fieldManager: FIELD_MANAGER });
    // One Event per turn (`kubectl describe load`): a new phase or a new reason, never per progress poll.
    if (prev.phase !== phase || conditionOf(prev.conditions as Condition[] | undefined, CONDITION.Loaded)?.reason !== verdict.reason) {
      await recordEvent(this.deps.api, this.deps.clock, raw, phase === 'Failed' ? 'Warning' : 'Normal', verdict.reason, verdict.message, this.deps.log);
    }
    return result;
  }
}

/** The request the CLI's `alluxio job load` flags make (job.ts submissionBody), from the spec. */
export function jobOptions(s: LoadSpec): LoadJobOptions {
  const o: LoadJobOptions = {};
  if (s.verify) o.verify = true;
  if (s.bandwidth !== undefined) o.bandwidth = s.bandwidth;
  if (s.skipIfExists) o.skipIfExists = true;
  if (s.fileFilterRegx !== undefined) o.fileFilterRegex = s.fileFilterRegx;
  if (s.replicas !== undefined) o.replicas = s.replicas;
  if (s.partialListing) o.partialListing = true;
  if (s.metadataOnly) o.metadataOnly = true;
  return o;
}

/** The job's counters as status fields. */
export function progressOf(v: LoadJobView): StatusDraft {
  return {
    filesLoaded: v.filesDone, filesTotal: v.filesListed, bytesLoaded: v.bytesDone, bytesTotal: v.bytesListed,
    failures: v.filesFailed > 0 || v.failedFiles.length > 0
      ? { count: v.filesFailed, files: v.failedFiles.slice(0, LOAD_FAILED_FILES_SHOWN).map((f) => ({ path: f.path, error: f.error })) }
      : null,
    completionTime: v.endTimeMs !== undefined ? new Date(v.endTimeMs).toISOString() : null,
    errorMessage: v.errorMessage ?? null,
  };
}

function verdictMessage(v: LoadJobView): string {
  const files = `${v.filesDone}/${v.filesListed}${v.listingDone ? '' : '+'} files`;
  const failed = v.filesFailed > 0 ? `, ${v.filesFailed} failed${v.failedFiles[0] ? ` (first: ${v.failedFiles[0].path}: ${v.failedFiles[0].error})` : ''}` : '';
  switch (v.jobState) {
    case 'RUNNING': return `job ${v.jobId}: ${files}, ${v.bytesDone} bytes${failed}`;
    case 'SUCCEEDED': return `job ${v.jobId} loaded ${files}, ${v.bytesDone} bytes${failed}`;
    case 'STOPPED': return `job ${v.jobId} was stopped after ${files}`;
    case 'FAILED': return `job ${v.jobId} failed${v.errorMessage ? `: ${v.errorMessage}` : ''} (${files}${failed})`;
  }
}

export function pollDelay(ageMs: number): number {
  return Math.min(LOAD_POLL_MAX_MS, Math.max(LOAD_POLL_MIN_MS, Math.round(ageMs / 10)));
}

function currentVerdict(conditions: Condition[] | undefined): Verdict | undefined {
  const c = conditions?.find((x) => x.type === CONDITION.Loaded);
  return c ? { reason: c.reason, message: c.message } : undefined;
}

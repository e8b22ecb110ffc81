/** Load and free jobs (DESIGN.md §9): what a job is, as stored in etcd and shown by the REST API. */

export type JobType = 'load' | 'free';

/** Alluxio's job states (alluxiofs reads `jobState`). */
export type JobState = 'RUNNING' | 'STOPPED' | 'SUCCEEDED' | 'FAILED';

export interface JobOptions {
  /** load: re-check after each file that every page is cached. */
  verify: boolean;
  /** load: the job's UFS read rate across the cluster, bytes/s (0: unlimited). */
  bandwidth: number;
  /** load: leave files whose every page is cached alone. */
  skipIfExists: boolean;
  /** Only files whose Alluxio path matches (JavaScript regular expression); '' = all. */
  fileFilterRegex: string;
  /** load: cache each file on its first N owners. */
  replicas: number;
  /** Files per task (alluxio.job.batch.size by default). */
  batchSize: number;
}

export interface JobCounters {
  /** Files (times replicas) listed so far. */
  filesListed: number;
  bytesListed: number;
  /** Files done: loaded (or freed) or skipped. */
  filesDone: number;
  filesSkipped: number;
  filesFailed: number;
  /** Bytes of the files done. */
  bytesDone: number;
}

export interface FailedFile {
  path: string;
  error: string;
  attempts: number;
}

/**
 * One job in etcd (`/alluxio/jobs/<cluster>/job/<jobId>`). `committed*` is the checkpoint a
 * restarted coordinator resumes from: every file listed before `cursor` is done; `live` adds the
 * files done since (shown by --progress, redone after a restart).
 */
export interface JobRecord {
  jobId: string;
  type: JobType;
  path: string;
  ufsUri: string;
  options: JobOptions;
  state: JobState;
  startTimeMs: number;
  endTimeMs?: number;
  /** Listing token after the last committed listing page (undefined: from the start). */
  cursor?: string;
  listingDone: boolean;
  committed: JobCounters;
  /** The committed pages' failed files (at most MAX_FAILED_LISTED). */
  committedFailed: FailedFile[];
  live: JobCounters;
  liveFailed: FailedFile[];
  /**
   * 0: the first pass over the files. A load whose ring changed during a pass (a worker died or
   * joined) runs another pass with skip-if-exists, so every file ends cached on its current owner.
   */
  pass?: number;
  /** The ring (sorted worker identities) the current pass started with. */
  passRing?: string;
  /** Why the job as a whole failed (listing error, lost its path...). */
  error?: string;
  /** Which coordinator ran it last (for operators reading etcd). */
  runner?: string;
  updatedMs: number;
}

export const MAX_FAILED_LISTED = 1000;

export function zeroCounters(): JobCounters {
  return { filesListed: 0, bytesListed: 0, filesDone: 0, filesSkipped: 0, filesFailed: 0, bytesDone: 0 };
}

export function addCounters(a: JobCounters, b: JobCounters): JobCounters {
  return {
    filesListed: a.filesListed + b.filesListed, bytesListed: a.bytesListed + b.bytesListed, filesDone: a.filesDone + b.filesDone,
    filesSkipped: a.filesSkipped + b.filesSkipped, filesFailed: a.filesFailed + b.filesFailed, bytesDone: a.bytesDone + b.bytesDone,
  };
}

/** The REST and CLI view of a job. */
export function jobView(r: JobRecord, verbose: boolean): Record<string, unknown> {
  const end = r.endTimeMs ?? Date.now();
  const secs = Math.max((end - r.startTimeMs) / 1000, 0.001);
  const failed = [...r.committedFailed, ...r.liveFailed];
  return {
    jobId: r.jobId, type: r.type, path: r.path, ufsPath: r.ufsUri, jobState: r.state, options: r.options,
    listingDone: r.listingDone,
    ...r.live,
    throughputBytesPerSec: Math.round(r.live.bytesDone / secs),
    startTimeMs: r.startTimeMs, ...(r.endTimeMs !== undefined ? { endTimeMs: r.endTimeMs } : {}),
    ...(r.error !== undefined ? { errorMessage: r.error } : {}),
    failedFiles: verbose ? failed : failed.slice(0, 20),
  };
}

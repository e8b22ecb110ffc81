import type { Command } from 'commander';
import { AlluxioError, InvalidArgumentError } from '../../common/errors.js';
import { formatSize, parseSize } from '../../common/sizes.js';
import { COORDINATOR_REST } from '../../common/protocol/index.js';
import type { GlobalOptions } from '../context.js';
import { coordinatorApi, type CoordinatorApi } from '../coordinator-api.js';
import { printJson, printTable } from '../output.js';
import { positiveInt as positiveIntArg } from '../arg-parsers.js';
import { progressLine as sharedProgressLine, progressWanted } from '../progress.js';

type JobType = 'load' | 'free';

/** The coordinator's job routes (DESIGN.md §9). */
const JOB_ROUTE = { load: COORDINATOR_REST.load, free: COORDINATOR_REST.free } as const satisfies Record<JobType, string>;
const FINAL = new Set(['SUCCEEDED', 'FAILED', 'STOPPED']);

export interface JobView {
  jobId: string; type: JobType; path: string; ufsPath: string; jobState: string; listingDone: boolean;
  options: { verify: boolean; bandwidth: number; skipIfExists: boolean; fileFilterRegex: string; replicas: number; batchSize: number };
  filesListed: number; bytesListed: number; filesDone: number; filesSkipped: number; filesFailed: number; bytesDone: number;
  throughputBytesPerSec: number; startTimeMs: number; endTimeMs?: number; errorMessage?: string;
  failedFiles: Array<{ path: string; error: string; attempts: number }>;
}

export interface JobCliOptions {
  path?: string; submit?: boolean; progress?: boolean; stop?: boolean;
  verify?: boolean; bandwidth?: string; skipIfExists?: boolean; fileFilterRegx?: string; replicas?: string; batchSize?: string;
  partialListing?: boolean; metadataOnly?: boolean;
  format?: string; verbose?: boolean; watch?: boolean; json?: boolean;
}

/** `alluxio job load|free|list` over the coordinator's REST API, and `alluxio fs load|free` (2.x style, synchronous). */
export function registerJobCommands(program: Command, global: () => GlobalOptions): void {
  const job = program.command('job').description('distributed load and free jobs, run by the coordinator');
  for (const type of ['load', 'free'] as const) {
    const c = job.command(type).requiredOption('--path <path>', 'Alluxio path (or UFS URI) of a file or directory')
      .option('--submit', `submit a ${type} job`).option('--progress', 'show the progress of the job of the path').option('--stop', 'stop the job of the path')
      .option('--file-filter-regx <re>', 'only files whose Alluxio path matches this regular expression')
      .option('--batch-size <n>', 'files per task sent to a worker')
      .option('--partial-listing', 'list the path a page at a time (always the case here; accepted for compatibility)')
      .option('--format <fmt>', 'progress output: TEXT or JSON', 'TEXT').option('--verbose', 'list every failed file').option('--watch', 'with --progress: follow the job until it ends (a live bar on a terminal)')
      .option('--json', 'print JSON (same as --format JSON)');
    if (type === 'load') {
      c.option('--verify', 're-check that every page of each file is cached').option('--bandwidth <rate>', 'cap the job\'s UFS read rate across the cluster, per second (e.g. 100MB)')
        .option('--skip-if-exists', 'leave files already fully cached alone').option('--replicas <n>', 'cache each file on its first N owners')
        .option('--metadata-only', 'load metadata only (not supported yet)');
    }
    c.description(type === 'load' ? 'load a path into the cache (distributed over the workers)' : 'evict a path from the cache')
      .action(async (o: JobCliOptions) => {
        const ops = [o.submit, o.progress, o.stop].filter(Boolean).length;
        if (ops !== 1) throw new InvalidArgumentError('give exactly one of --submit, --progress, --stop');
        const fmt = jobFormat(o);
        const api = coordinatorApi(global());
        if (o.submit) {
          const r = await api.call<{ jobId: string }>('POST', JOB_ROUTE[type], submissionBody(type, o));
          if (fmt === 'JSON') return printJson(r);
          process.stdout.write(`Submitted ${type} job ${r.jobId} for ${o.path}: follow it with 'alluxio job ${type} --path ${o.path} --progress --watch'\n`);
          return;
        }
        if (o.stop) {
          const r = await api.call<{ jobId: string }>('DELETE', `${JOB_ROUTE[type]}?path=${encodeURIComponent(o.path!)}`);
          if (fmt === 'JSON') return printJson(r);
          process.stdout.write(`Stopping ${type} job ${r.jobId} for ${o.path}\n`);
          return;
        }
        const view = await showProgress(api, type, o.path!, fmt, o.verbose === true, o.watch === true);
        if (o.watch && view.jobState !== 'SUCCEEDED') process.exitCode = 1;
      });
  }
  job.command('list').option('--json', 'print JSON').description('list load and free jobs')
    .action(async (o: { json?: boolean }) => {
      const api = coordinatorApi(global());
      const { jobs } = await api.call<{ jobs: JobView[] }>('GET', COORDINATOR_REST.jobs);
      if (o.json) return printJson(jobs);
      printTable(['JOB ID', 'TYPE', 'PATH', 'STATE', 'FILES', 'BYTES', 'FAILED'], jobs.map((j) => [
        j.jobId, j.type, j.path, j.jobState, `${j.filesDone}/${j.filesListed}`, formatSize(j.bytesDone), j.filesFailed,
      ]));
    });
}

/** `alluxio fs load <path>` / `fs free <path>`: submit, then follow the job to its end with a bar. */
export function registerFsJobCommands(fs: Command, global: () => GlobalOptions): void {
  for (const type of ['load', 'free'] as const) {
    const c = fs.command(type).argument('<path>').option('--json', 'print the final job as JSON').option('--verbose', 'list every failed file');
    if (type === 'load') c.option('--verify', 're-check that every page is cached').option('--bandwidth <rate>', 'cap the UFS read rate, per second').option('--skip-if-exists', 'leave fully cached files alone').option('--replicas <n>', 'cache on the first N owners');
    c.description(type === 'load' ? 'load a file or directory into the cache and wait until it is done' : 'evict a file or directory from the cache and wait until it is done')
      .action(async (path: string, o: JobCliOptions) => {
        const view = await runJobToEnd(global(), type, path, o);
        if (view.jobState !== 'SUCCEEDED') process.exitCode = 1;
      });
  }
}

/**
 * Submits a load or free job and follows it to its end (a bar on a terminal, progress lines on
 * stderr otherwise), then prints its final state: `fs load|free` and 2.x's `fs distributedLoad`.
 */
export async function runJobToEnd(global: GlobalOptions, type: JobType, path: string, o: JobCliOptions): Promise<JobView> {
  const api = coordinatorApi(global);
  const body = submissionBody(type, { ...o, path });
  try {
    await api.call('POST', JOB_ROUTE[type], body);
  } catch (err) {
    // The same job already runs (another caller started it): follow that one.
    if (!(err instanceof AlluxioError && err.code === 'ALX_ERR_ALREADY_EXISTS')) throw err;
  }
  return showProgress(api, type, path, o.json ? 'JSON' : 'TEXT', o.verbose === true, true);
}

function jobFormat(o: JobCliOptions): 'TEXT' | 'JSON' {
  if (o.json) return 'JSON';
  const f = (o.format ?? 'TEXT').toUpperCase();
  if (f !== 'TEXT' && f !== 'JSON') throw new InvalidArgumentError(`--format must be TEXT or JSON, not '${o.format}'`);
  return f;
}

function submissionBody(type: JobType, o: JobCliOptions): Record<string, unknown> {
  const options: Record<string, unknown> = {};
  if (o.fileFilterRegx !== undefined) options.fileFilterRegex = o.fileFilterRegx;
  if (o.batchSize !== undefined) options.batchSize = positiveInt('--batch-size', o.batchSize);
  if (o.partialListing) options.partialListing = true;
  if (type === 'load') {
    if (o.metadataOnly) throw new AlluxioError('ALX_ERR_NOT_IMPLEMENTED', '--metadata-only is not supported yet: a load always caches the data of the files');
    if (o.verify) options.verify = true;
    if (o.skipIfExists) options.skipIfExists = true;
    if (o.replicas !== undefined) options.replicas = positiveInt('--replicas', o.replicas);
    if (o.bandwidth !== undefined) {
      let b: number;
      try {
        b = parseSize(o.bandwidth.replace(/\/s$/i, ''));
      } catch {
        throw new InvalidArgumentError(`--bandwidth '${o.bandwidth}' is not a rate such as 100MB (per second)`);
      }
      if (!(b > 0)) throw new InvalidArgumentError('--bandwidth must be more than 0');
      options.bandwidth = b;
    }
  }
  return { path: o.path, options };
}

function positiveInt(name: string, v: string): number {
  return positiveIntArg(name)(v);
}

/** Prints the job's progress once, or (watch) until it ends: a live bar on a terminal, nothing more elsewhere. */
async function showProgress(api: CoordinatorApi, type: JobType, path: string, fmt: 'TEXT' | 'JSON', verbose: boolean, watch: boolean): Promise<JobView> {
  const get = () => api.call<JobView>('GET', `${JOB_ROUTE[type]}?path=${encodeURIComponent(path)}${verbose ? '&verbose=true' : ''}`);
  let v = await get();
  if (watch) {
    // A live bar on a terminal only; piped or redirected, the command stays quiet until its result (as fs cp).
    const tty = progressWanted(undefined) && fmt === 'TEXT';
    while (!FINAL.has(v.jobState)) {
      if (tty) process.stderr.write(`\r${progressLine(v)}\x1b[K`);
      await new Promise((r) => setTimeout(r, 500));
      v = await get();
    }
    if (tty) process.stderr.write(`\r${progressLine(v)}\x1b[K\n`);
  }
  if (fmt === 'JSON') printJson(v);
  else process.stdout.write(progressText(v, verbose));
  return v;
}

/** `[#####.....]  42% files 420/1000 bytes 420.0MB/1.0GB 21.0MB/s ETA 28s failed 0`: the line `fs cp -R` shows too. */
export function progressLine(v: JobView): string {
  return sharedProgressLine({
    bytesDone: v.bytesDone, bytesTotal: v.bytesListed, filesDone: v.filesDone, filesTotal: v.filesListed,
    bytesPerSec: v.throughputBytesPerSec, totalsKnown: v.listingDone, failed: v.filesFailed,
  });
}

function progressText(v: JobView, verbose: boolean): string {
  const verb = v.type === 'load' ? 'loading' : 'freeing';
  const o = v.options;
  const lines = [
    `Progress for ${verb} path '${v.path}' (job ${v.jobId}):`,
    `\tSettings:\tbandwidth: ${o.bandwidth > 0 ? `${formatSize(o.bandwidth)}/s` : 'unlimited'}\tverify: ${o.verify}\tskip-if-exists: ${o.skipIfExists}\treplicas: ${o.replicas}${o.fileFilterRegex ? `\tfile-filter-regx: ${o.fileFilterRegex}` : ''}`,
    `\tJob State: ${v.jobState}${v.errorMessage ? ` (${v.errorMessage})` : ''}`,
    `\tFiles Processed: ${v.filesDone} of ${v.filesListed}${v.listingDone ? '' : ' listed so far'}${v.filesSkipped ? ` (${v.filesSkipped} skipped)` : ''}`,
    `\tBytes ${v.type === 'load' ? 'Loaded' : 'Freed'}: ${formatSize(v.bytesDone)} of ${formatSize(v.bytesListed)}`,
    `\tThroughput: ${formatSize(v.throughputBytesPerSec)}/s`,
    `\tFiles Failed: ${v.filesFailed}`,
  ];
  const shown = verbose ? v.failedFiles : v.failedFiles.slice(0, 20);
  for (const f of shown) lines.push(`\t\t${f.path}: ${f.error} (after ${f.attempts} retries)`);
  if (!verbose && v.filesFailed > shown.length) lines.push(`\t\t... ${v.filesFailed - shown.length} more (--verbose lists them)`);
  return lines.join('\n') + '\n';
}

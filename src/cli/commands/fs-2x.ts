import { resolve } from 'node:path';
import type { Command } from 'commander';
import { AlluxioError, InvalidArgumentError } from '../../common/errors.js';
import type { MountPoint } from '../../mount/mount-point.js';
import { positiveInt } from '../arg-parsers.js';
import { withClient, type GlobalOptions } from '../context.js';
import { printJson } from '../output.js';
import { copy, DEFAULT_COPY_THREADS } from './fs-copy.js';
import { runJobToEnd } from './job.js';
import { addMount, listMounts, parseMountOptions, removeMount } from './mount.js';

function collect(v: string, prev: string[]): string[] {
  return [...prev, v];
}

/**
 * Alluxio 2.x's `fs` verbs over the 3.x commands (docs/alluxio-2x.md, "2.x CLI verbs"): `fs mount`,
 * `fs unmount`, `fs copyFromLocal|copyToLocal`, `fs distributedLoad`. Same arguments and, where a
 * script would parse it, the same output as 2.x.
 */
export function registerFs2xCommands(fs: Command, global: () => GlobalOptions): void {
  fs.command('mount').argument('[alluxioPath]').argument('[ufsUri]')
    .option('--readonly', 'refused: alluxio-ts has no read-only mounts (give the mount read-only credentials instead)')
    .option('--shared', 'accepted: every mount is visible to every user here')
    .option('--option <key=value>', 'mount option (repeatable), e.g. s3a.accessKeyId=...', collect, [])
    .option('--json', 'with no arguments: print the mount table as JSON')
    .description('2.x spelling of mount add; with no arguments, list the mount table in 2.x\'s format')
    .action(async (path: string | undefined, ufsUri: string | undefined, o: { readonly?: boolean; shared?: boolean; option: string[]; json?: boolean }) => {
      if (path === undefined) {
        const mounts = await listMounts(global());
        if (o.json) return printJson(mounts);
        process.stdout.write(mountTable2x(mounts));
        return;
      }
      if (ufsUri === undefined) throw new InvalidArgumentError(`fs mount ${path}: the under-storage URI is missing (fs mount <alluxioPath> <ufsUri>)`);
      if (o.readonly) {
        throw new AlluxioError('ALX_ERR_NOT_IMPLEMENTED', 'fs mount --readonly: alluxio-ts has no read-only mounts; mount with credentials that can only read '
          + '(e.g. an S3 key whose policy allows Get and List only) to keep writes out of the under-storage');
      }
      const added = await addMount(global(), path, ufsUri, parseMountOptions(o.option));
      process.stdout.write(`Mounted ${added.ufs} at ${added.path}\n`);
    });

  fs.command('unmount').argument('<alluxioPath>').description('2.x spelling of mount remove: unmount a path (cached data of it is evicted over time)')
    .action(async (path: string) => {
      await removeMount(global(), path);
      process.stdout.write(`Unmounted ${path}\n`);
    });

  const copyVerb = (name: string, toAlluxio: boolean) => fs.command(name).argument('<src>').argument('<dst>')
    .option('--thread <n>', `files copied at once (default ${DEFAULT_COPY_THREADS})`, positiveInt('--thread'), DEFAULT_COPY_THREADS)
    .option('--buffersize <bytes>', 'accepted for 2.x scripts; streams need no buffer size here')
    .option('--progress', 'always show a progress bar (files, bytes, rate, ETA) on stderr')
    .option('--no-progress', 'never show a progress bar (default: only on a terminal)')
    .description(toAlluxio
      ? 'copy a local file or directory (a plain local path, relative or absolute) to an Alluxio path'
      : 'copy an Alluxio file or directory to a local path (plain, relative or absolute)')
    .action((src: string, dst: string, o: { thread: number; progress?: boolean }) => withClient(global(), async (c) => {
      // 2.x takes the local side as a plain path; fs cp marks it with file://.
      const local = (p: string) => `file://${resolve(p)}`;
      await copy(c, toAlluxio ? local(src) : src, toAlluxio ? dst : local(dst), { recursive: true, force: false, threads: o.thread, progress: o.progress });
    }));
  copyVerb('copyFromLocal', true);
  copyVerb('copyToLocal', false);

  fs.command('distributedLoad').argument('<path>')
    .option('--replication <n>', 'cache each file on its first N owner workers', positiveInt('--replication'))
    .option('--active-jobs <n>', 'accepted for 2.x scripts: the coordinator runs up to 3 tasks per worker at once', positiveInt('--active-jobs'))
    .option('--batch-size <n>', 'files per task sent to a worker', positiveInt('--batch-size'))
    .option('--verbose', 'list every failed file')
    .option('--json', 'print the job\'s final report as JSON (instead of 2.x\'s text)')
    .description('2.x spelling of fs load: load a path into the cache with a load job and wait until it ends (exit 1 unless it succeeded)')
    .action(async (path: string, o: { replication?: number; batchSize?: number; verbose?: boolean; json?: boolean }) => {
      const view = await runJobToEnd(global(), 'load', path, {
        ...(o.replication !== undefined ? { replicas: String(o.replication) } : {}),
        ...(o.batchSize !== undefined ? { batchSize: String(o.batchSize) } : {}),
        verbose: o.verbose === true,
        ...(o.json ? { json: true } : {}),
      });
      if (view.jobState !== 'SUCCEEDED') process.exitCode = 1;
      if (o.json) return;
      // The two lines 2.x ends with, for scripts that grep them.
      process.stdout.write(`Total completed file count is ${view.filesDone}, failed file count is ${view.filesFailed}\n`);
      process.stdout.write(`Finished running the command, jobId = ${view.jobId}, state = ${view.jobState}\n`);
    });
}

/** The under-storage type 2.x prints for a mount: its URI scheme, `local` for file://. */
function ufsType(uri: string): string {
  const scheme = uri.slice(0, Math.max(0, uri.indexOf('://'))).toLowerCase();
  return scheme === 'file' || scheme === '' ? 'local' : scheme === 's3a' ? 's3' : scheme;
}

/**
 * 2.x's mount table lines (`fs mount`, `fsadmin report ufs`):
 * `<ufs>  on  <path>  (<type>, capacity=-1B, used=-1B, not read-only, shared, properties={k=v})`.
 * Capacity and used are -1B (unknown) as 2.x prints them for object stores; every mount here is
 * writable and visible to every user.
 */
export function mountTable2x(mounts: readonly MountPoint[]): string {
  if (mounts.length === 0) return '';
  const ufsWidth = Math.max(...mounts.map((m) => m.ufsUri.length));
  const pathWidth = Math.max(...mounts.map((m) => m.path.length));
  return mounts.map((m) => {
    const props = Object.entries(m.options).map(([k, v]) => `${k}=${v}`).join(', ');
    return `${m.ufsUri.padEnd(ufsWidth)}  on  ${m.path.padEnd(pathWidth)}  (${ufsType(m.ufsUri)}, capacity=-1B, used=-1B, not read-only, shared, properties={${props}})\n`;
  }).join('');
}

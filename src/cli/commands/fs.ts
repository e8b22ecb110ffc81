import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Command } from 'commander';
import { AlluxioError, AlreadyExistsError, InvalidArgumentError } from '../../common/errors.js';
import { formatSize, parseSize } from '../../common/sizes.js';
import { workerName } from '../../hashring/worker-info.js';
import type { ClientFileEntry } from '../../common/protocol/index.js';
import type { AlluxioClient } from '../../client/alluxio-client.js';
import { positiveInt } from '../arg-parsers.js';
import { counted, ProgressBar, progressWanted } from '../progress.js';
import { withClient, type GlobalOptions } from '../context.js';
import { alluxioDate, printJson, printTable, reportError } from '../output.js';
import { registerFsJobCommands } from './job.js';
import { registerFs2xCommands } from './fs-2x.js';
import { cachedBytes, cachePercentages, checkCached, percent, ringOwners } from './fs-cache.js';
import { copy, DEFAULT_COPY_THREADS, FILE_PROGRESS_THRESHOLD } from './fs-copy.js';
import { brokenMountLine, brokenMounts, checkSort, checkTimestamp, lsJson, lsLine, SORT_NAMES, statFormat, TIMESTAMPS, type LsRow } from './fs-list.js';
import { alluxioPath, ifExists, onPath } from './fs-paths.js';

interface LsOptions {
  recursive?: boolean; humanReadable?: boolean; json?: boolean; directory?: boolean; forceLoad?: boolean;
  omitMountInfo?: boolean; pinned?: boolean; reverse?: boolean; sort: string; timestamp: string;
}

/** `alluxio fs ...`: Alluxio's file system shell verbs over the client library. */
export function registerFsCommands(program: Command, global: () => GlobalOptions): void {
  const fs = program.command('fs').description('file system operations on Alluxio paths');
  registerFsJobCommands(fs, global);
  registerFs2xCommands(fs, global);
  const run = <T>(fn: (c: AlluxioClient, conf: Parameters<Parameters<typeof withClient>[1]>[1]) => Promise<T>) => withClient(global(), fn);

  fs.command('ls').argument('<path>')
    .option('-R, --recursive', 'list subdirectories recursively')
    .option('-h, --human-readable', 'print sizes in human readable form')
    .option('-d, --directory', 'list a directory as a plain file, not its contents')
    .option('-f, --force-load', 'load the listing from the under storage (always the case here: listings are never served from a cache)')
    .option('-m, --omit-mount-info', 'leave out mount point information (the UFS of a mount point; ufsPath in JSON)')
    .option('-p, --pinned', 'list only pinned files (none: alluxio-ts has no pinning)')
    .option('-r, --reverse', 'reverse the sort order')
    .option('--sort <key>', `sort by ${SORT_NAMES.join('|')}`, 'path')
    .option('--timestamp <kind>', `the time shown: ${TIMESTAMPS.join('|')}`, 'lastModifiedTime')
    .option('--json', 'print JSON')
    .description('list a directory or a file, with the share of each file in the cache; a mount point whose under-storage fails is listed without contents and named on stderr (exit status 1 with -R: the listing lacks its contents)')
    .action((path: string, o: LsOptions) => {
      const order = checkSort(o.sort);
      checkTimestamp(o.timestamp);
      return run(async (c) => {
        const p = alluxioPath(path);
        const self = await onPath(path, c.stat(p));
        const entries = o.pinned ? [] : self.type === 'file' || o.directory ? [self] : await onPath(path, c.list(p, !!o.recursive));
        const [pcts, broken] = await Promise.all([cachePercentages(c, entries), brokenMounts(c, entries)]);
        const rows: LsRow[] = entries.map((e) => ({
          entry: e, inCache: pcts.get(e.path),
          ...(!o.omitMountInfo && isMountPoint(c, e) ? { mountOf: c.ufsUriOf(e.path) } : {}),
          ...(broken.has(e.path) ? { mountError: broken.get(e.path)! } : {}),
        }));
        rows.sort(order);
        if (o.reverse) rows.reverse();
        for (const [p, reason] of [...broken].sort()) process.stderr.write(brokenMountLine(p, reason) + '\n');
        // Without -R the listing asked for is whole (the mount point is in it); with -R it lacks the mount's contents.
        if (broken.size > 0 && o.recursive) process.exitCode = 1;
        if (o.json) return printJson(rows.map((r) => lsJson(r, !!o.omitMountInfo)));
        for (const r of rows) process.stdout.write(lsLine(r, !!o.humanReadable) + '\n');
      });
    });

  fs.command('stat').argument('<path>').option('-f, --format <format>', 'print only this: %N name, %z size, %y/%Y modification time, %b pages, %u owner, %g group')
    .option('--json', 'print JSON').description('show a file or directory status')
    .action((path: string, o: { format?: string; json?: boolean }) => run(async (c, conf) => {
      const e = await onPath(path, c.stat(alluxioPath(path)));
      if (o.format !== undefined) return void process.stdout.write(statFormat(o.format, e, conf.getSize('alluxio.worker.page.store.page.size')) + '\n');
      const inCache = e.type === 'file' ? percent(Math.min(await cachedBytes(c, e), e.length), e.length) : null;
      if (o.json) return printJson({ ...e, inAlluxioPercentage: inCache });
      process.stdout.write(`${e.path} is a ${e.type} path.\n`);
      printTable(['FIELD', 'VALUE'], [
        ['path', e.path], ['type', e.type], ['length', e.length], ['size', formatSize(e.length)],
        ['lastModified', alluxioDate(e.lastModifiedMs)], ['ufsPath', e.ufsPath], ['inAlluxioPercentage', inCache === null ? '-' : `${inCache}%`],
      ]);
    }));

  fs.command('cat').argument('<path>').description('print a file to stdout')
    .action((path: string) => run(async (c) => {
      const { stream } = await onPath(path, c.read(alluxioPath(path)));
      await pipeline(stream, process.stdout, { end: false });
    }));

  for (const verb of ['head', 'tail'] as const) {
    fs.command(verb).argument('<path>').option('-c <bytes>', 'number of bytes (e.g. 1KB, 512)', '1KB').description(`print the ${verb === 'head' ? 'first' : 'last'} bytes of a file`)
      .action((path: string, o: { c: string }) => run(async (c) => {
        const n = parseSize(o.c);
        const e = await onPath(path, c.stat(alluxioPath(path)));
        const offset = verb === 'head' ? 0 : Math.max(0, e.length - n);
        const { stream } = await c.read(e.path, offset, Math.min(n, e.length - offset));
        await pipeline(stream, process.stdout, { end: false });
      }));
  }

  fs.command('cp').argument('<src>').argument('<dst>')
    .option('-R, --recursive', 'copy a directory and everything below it')
    .option('-f, --force', 'overwrite destination files that exist')
    .option('--thread <n>', `files copied at once with -R (default ${DEFAULT_COPY_THREADS}: twice the cores)`, positiveInt('--thread'), DEFAULT_COPY_THREADS)
    .option('--progress', 'always show a progress bar (files, bytes, rate, ETA) on stderr')
    .option('--no-progress', 'never show a progress bar (default: only on a terminal)')
    .description('copy a file or (-R) a directory: local paths start with file:// (file:///tmp/x); /path and alluxio:///path are Alluxio paths')
    .action((src: string, dst: string, o: { recursive?: boolean; force?: boolean; thread: number; progress?: boolean }) => run(async (c) => {
      await copy(c, src, dst, { recursive: !!o.recursive, force: !!o.force, threads: o.thread, progress: o.progress });
    }));

  fs.command('mv').argument('<src>').argument('<dst>').description('move (rename) a file or directory within a mount point; into <dst> when it is a directory')
    .action((src: string, dst: string) => run(async (c) => {
      const a = alluxioPath(src);
      const s = await onPath(src, c.stat(a));
      let b = alluxioPath(dst);
      const d = await ifExists(c.stat(b));
      if (d?.type === 'directory') b = posix.join(b, s.name); // into an existing directory
      if (d?.type === 'file' || (d && await ifExists(c.stat(b)))) throw new AlreadyExistsError(`${b} already exists`);
      await onPath(src, c.rename(a, b));
      process.stdout.write(`Renamed ${src} to ${b}\n`);
    }));

  fs.command('rm').argument('<path>').option('-R, --recursive', 'remove a directory and its contents').description('remove a file or directory')
    .action((path: string, o: { recursive?: boolean }) => run(async (c) => {
      await onPath(path, c.delete(alluxioPath(path), !!o.recursive));
      process.stdout.write(`${path} has been removed\n`);
    }));

  fs.command('mkdir').argument('<paths...>').option('-p, --parents', 'no error when a directory exists already')
    .description('create directories (with their parents); an existing one is an error unless -p')
    .action((paths: string[], o: { parents?: boolean }) => run(async (c) => {
      for (const path of paths) {
        const p = alluxioPath(path);
        const e = await ifExists(c.stat(p));
        if (e?.type === 'file') throw new AlreadyExistsError(`${path} already exists and is a file`);
        if (e) {
          if (o.parents) continue;
          throw new AlreadyExistsError(`${path} already exists`);
        }
        await c.mkdir(p);
        process.stdout.write(`Successfully created directory ${path}\n`);
      }
    }));

  fs.command('touch').argument('<path>').description('create an empty file (an existing path is an error, as in Alluxio)')
    .action((path: string) => run(async (c) => {
      const p = alluxioPath(path);
      if (await ifExists(c.stat(p))) throw new AlreadyExistsError(`${path} already exists`);
      await c.write(p, Buffer.alloc(0), 0);
      process.stdout.write(`${path} has been created\n`);
    }));

  fs.command('test').argument('<path>')
    .option('-d', 'the path is a directory').option('-e', 'the path exists').option('-f', 'the path is a file')
    .option('-s', 'the path is a non-empty directory or a file longer than 0 bytes').option('-z', 'the path is a file of length 0')
    .description('test a property of a path, like test(1): exit 0 when true, 1 when false (2 on an error); prints nothing')
    .action(async (path: string, o: Record<'d' | 'e' | 'f' | 's' | 'z', boolean | undefined>) => {
      const flags = (['d', 'e', 'f', 's', 'z'] as const).filter((k) => o[k]);
      if (flags.length !== 1) throw new InvalidArgumentError(`fs test takes exactly one of -d -e -f -s -z${flags.length ? `, got -${flags.join(' -')}` : ''}`);
      try {
        process.exitCode = await run((c) => testPath(c, alluxioPath(path), flags[0]!)) ? 0 : 1;
      } catch (err) {
        reportError(err);
        process.exitCode = 2;
      }
    });

  fs.command('checksum').argument('<path>').option('--json', 'print JSON').description('the MD5 of a file\'s bytes, read through the cache (md5sum: <hex>)')
    .action((path: string, o: { json?: boolean }) => run(async (c) => {
      const e = await onPath(path, c.stat(alluxioPath(path)));
      if (e.type !== 'file') throw new AlluxioError('ALX_ERR_IS_A_DIRECTORY', `${path} is a directory: checksum takes a file`);
      const { stream } = await c.read(e.path);
      const hash = createHash('md5');
      const bar = progressWanted(undefined) && e.length >= FILE_PROGRESS_THRESHOLD ? new ProgressBar({ bytes: e.length }, `md5 ${path}`) : undefined;
      await pipeline(counted(stream, bar), hash);
      bar?.finish();
      const md5 = hash.digest('hex');
      if (o.json) return printJson({ path: e.path, length: e.length, md5 });
      process.stdout.write(`md5sum: ${md5}\n`);
    }));

  fs.command('check-cached').argument('<path>')
    .option('--limit <n>', 'check at most n files', positiveInt('--limit'), 1000)
    .option('--sample <n>', 'check one file in n', positiveInt('--sample'), 1)
    .option('--json', 'print JSON')
    .description('whether the files under a path are fully cached on their owner workers')
    .action((path: string, o: { limit: number; sample: number; json?: boolean }) => run(async (c) => {
      const p = alluxioPath(path);
      const files = (await listOrFile(c, path, p, true)).filter((e) => e.type === 'file');
      const r = await checkCached(c, p, files, o);
      if (o.json) return printJson(r);
      const out = process.stdout;
      out.write(`Checked ${r.checked} file(s) under ${path}${r.truncated ? ` (stopped at --limit ${o.limit})` : ''}\n`);
      out.write(`Fully cached:     ${r.fullyCached}\nPartially cached: ${r.partiallyCached}\nNot cached:       ${r.notCached}\n`);
      const shown = r.notFullyCached.slice(0, 20);
      if (shown.length) {
        out.write('\nNot fully cached:\n');
        printTable(['IN CACHE', 'SIZE', 'PATH'], shown.map((f) => [`${f.percent}%`, f.length, f.path]));
        if (r.notFullyCached.length > shown.length) out.write(`... ${r.notFullyCached.length - shown.length} more (--json lists them all)\n`);
      }
    }));

  fs.command('consistent-hash').argument('<path>').option('--replicas <n>', 'how many owners to show per ring', positiveInt('--replicas'), 3).option('--json', 'print JSON')
    .description('the workers that own a path, in order, on the ring of live workers (what clients use) and on the ring of every registered worker')
    .action((path: string, o: { replicas: number; json?: boolean }) => run(async (c, conf) => {
      const r = await ringOwners(c, conf, alluxioPath(path), o.replicas);
      if (o.json) return printJson(r);
      process.stdout.write(`${r.path} (key ${r.ufsUri}, policy ${r.policy})\n`);
      for (const ring of r.rings) {
        process.stdout.write(`\n${ring.ring === 'live' ? 'Live ring' : 'Ring of all registered workers'} (${ring.workers} workers):\n`);
        printTable(['RANK', 'WORKER', 'ADDRESS', 'STATUS'], ring.owners.map((w) => [w.rank === 1 ? '1 (owner)' : w.rank, w.worker, w.address, w.status]));
      }
    }));

  fs.command('du').argument('<path>').option('-h, --human-readable', 'human readable sizes').option('-s, --summarize', 'only the total').option('--json', 'print JSON')
    .description('show the size of files and what share is cached')
    .action((path: string, o: { humanReadable?: boolean; summarize?: boolean; json?: boolean }) => run(async (c) => {
      const files = (await listOrFile(c, path, alluxioPath(path), true)).filter((e) => e.type === 'file');
      const rows = await Promise.all(files.map(async (e) => ({ path: e.path, size: e.length, cached: await cachedBytes(c, e) })));
      const total = { path, size: rows.reduce((n, r) => n + r.size, 0), cached: rows.reduce((n, r) => n + r.cached, 0) };
      if (o.json) return printJson(o.summarize ? total : { files: rows, total });
      const fmt = (n: number) => (o.humanReadable ? formatSize(n) : String(n));
      const shown = o.summarize ? [total] : [...rows, total];
      printTable(['File Size', 'In Alluxio', 'Path'], shown.map((r) => [fmt(r.size), `${fmt(r.cached)} (${percent(r.cached, r.size)}%)`, r.path]));
    }));

  fs.command('count').argument('<path>').option('--json', 'print JSON').description('count files, folders and bytes under a path')
    .action((path: string, o: { json?: boolean }) => run(async (c) => {
      const all = await listOrFile(c, path, alluxioPath(path), true);
      const r = { fileCount: all.filter((e) => e.type === 'file').length, folderCount: all.filter((e) => e.type === 'directory').length, folderSize: all.reduce((n, e) => n + e.length, 0) };
      if (o.json) return printJson(r);
      printTable(['File Count', 'Folder Count', 'Folder Size'], [[r.fileCount, r.folderCount, r.folderSize]]);
    }));

  fs.command('location').argument('<path>').option('--json', 'print JSON').description('the workers that own a file, in ring order, and what each has cached')
    .action((path: string, o: { json?: boolean }) => run(async (c) => {
      const e = await onPath(path, c.stat(alluxioPath(path)));
      const owners = c.owners(e.path, Math.min(3, c.ring.liveWorkers.length));
      const rows = await Promise.all(owners.map(async (w, i) => {
        let cached: { cachedPages: number; cachedBytes: number } | undefined;
        try { cached = await c.fileCacheStatus(w, e.path); } catch { cached = undefined; }
        return { rank: i + 1, worker: workerName(w.identity), address: `${w.address.Host}:${w.address.HttpServerPort}`, cachedPages: cached?.cachedPages ?? null, cachedBytes: cached?.cachedBytes ?? null, reachable: cached !== undefined };
      }));
      if (o.json) return printJson({ path: e.path, ufsPath: e.ufsPath, length: e.length, workers: rows });
      process.stdout.write(`${e.path} (${e.ufsPath}, ${e.length} bytes)\n`);
      printTable(['RANK', 'WORKER', 'ADDRESS', 'CACHED', 'CACHED_BYTES'], rows.map((r) => [
        r.rank === 1 ? '1 (owner)' : r.rank, r.worker, r.address,
        !r.reachable ? 'UNREACHABLE' : r.cachedBytes! >= e.length && e.length > 0 ? 'yes' : r.cachedBytes! > 0 ? 'partial' : 'no', r.cachedBytes ?? '-',
      ]));
    }));
}

async function listOrFile(c: AlluxioClient, typed: string, path: string, recursive: boolean): Promise<ClientFileEntry[]> {
  const e = await onPath(typed, c.stat(path));
  return e.type === 'file' ? [e] : onPath(typed, c.list(path, recursive));
}

function isMountPoint(c: AlluxioClient, e: ClientFileEntry): boolean {
  return e.type === 'directory' && c.namespace.isMountPoint(e.path);
}

/** `fs test`'s checks; a path that does not exist makes every check false. */
async function testPath(c: AlluxioClient, path: string, flag: 'd' | 'e' | 'f' | 's' | 'z'): Promise<boolean> {
  const e = await ifExists(c.stat(path));
  if (!e) return false;
  switch (flag) {
    case 'e': return true;
    case 'd': return e.type === 'directory';
    case 'f': return e.type === 'file';
    case 'z': return e.type === 'file' && e.length === 0;
    case 's': return e.type === 'file' ? e.length > 0 : (await c.listPage(path, undefined, 1)).entries.length > 0;
  }
}

import { createReadStream, createWriteStream, statSync } from 'node:fs';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Command } from 'commander';
import { InvalidArgumentError } from '../../common/errors.js';
import { formatSize, parseSize } from '../../common/sizes.js';
import { workerName } from '../../hashring/worker-info.js';
import type { ClientFileEntry } from '../../common/protocol/index.js';
import type { AlluxioClient } from '../../client/alluxio-client.js';
import { withClient, type GlobalOptions } from '../context.js';
import { alluxioDate, printJson, printTable, ProgressBar } from '../output.js';
import { registerFsJobCommands } from './job.js';

const PROGRESS_THRESHOLD = 16 * 1024 * 1024;

/** `alluxio fs ...`: Alluxio's file system shell verbs over the client library. */
export function registerFsCommands(program: Command, global: () => GlobalOptions): void {
  const fs = program.command('fs').description('file system operations on Alluxio paths');
  registerFsJobCommands(fs, global);

  fs.command('ls').argument('<path>').option('-R, --recursive', 'list subdirectories recursively').option('-h, --human-readable', 'print sizes in human readable form')
    .option('--json', 'print JSON').description('list a directory or a file')
    .action((path: string, o: { recursive?: boolean; humanReadable?: boolean; json?: boolean }) => withClient(global(), async (c) => {
      const entries = await listOrFile(c, path, !!o.recursive);
      if (o.json) return printJson(entries);
      for (const e of entries) process.stdout.write(lsLine(e, !!o.humanReadable) + '\n');
    }));

  fs.command('stat').argument('<path>').option('--json', 'print JSON').description('show a file or directory status')
    .action((path: string, o: { json?: boolean }) => withClient(global(), async (c) => {
      const e = await c.stat(path);
      if (o.json) return printJson(e);
      process.stdout.write(`${e.path} is a ${e.type} path.\n`);
      printTable(['FIELD', 'VALUE'], [
        ['path', e.path], ['type', e.type], ['length', e.length], ['size', formatSize(e.length)],
        ['lastModified', alluxioDate(e.lastModifiedMs)], ['ufsPath', e.ufsPath],
      ]);
    }));

  fs.command('cat').argument('<path>').description('print a file to stdout')
    .action((path: string) => withClient(global(), async (c) => {
      const { stream } = await c.read(path);
      await pipeline(stream, process.stdout, { end: false });
    }));

  for (const verb of ['head', 'tail'] as const) {
    fs.command(verb).argument('<path>').option('-c <bytes>', 'number of bytes (e.g. 1KB, 512)', '1KB').description(`print the ${verb === 'head' ? 'first' : 'last'} bytes of a file`)
      .action((path: string, o: { c: string }) => withClient(global(), async (c) => {
        const n = parseSize(o.c);
        const e = await c.stat(path);
        const offset = verb === 'head' ? 0 : Math.max(0, e.length - n);
        const { stream } = await c.read(path, offset, Math.min(n, e.length - offset));
        await pipeline(stream, process.stdout, { end: false });
      }));
  }

  fs.command('cp').argument('<src>').argument('<dst>').option('--progress', 'always show a progress bar').option('--no-progress', 'never show a progress bar')
    .description('copy between the local file system (file:///path or a local path) and Alluxio (alluxio://path or /path)')
    .action((src: string, dst: string, o: { progress?: boolean }) => withClient(global(), async (c) => copy(c, src, dst, o.progress)));

  fs.command('rm').argument('<path>').option('-R, --recursive', 'remove a directory and its contents').description('remove a file or directory')
    .action((path: string, o: { recursive?: boolean }) => withClient(global(), async (c) => {
      await c.delete(path, !!o.recursive);
      process.stdout.write(`${path} has been removed\n`);
    }));

  fs.command('mkdir').argument('<paths...>').description('create directories (with their parents)')
    .action((paths: string[]) => withClient(global(), async (c) => {
      for (const p of paths) {
        await c.mkdir(p);
        process.stdout.write(`Successfully created directory ${p}\n`);
      }
    }));

  fs.command('du').argument('<path>').option('-h, --human-readable', 'human readable sizes').option('-s, --summarize', 'only the total').option('--json', 'print JSON')
    .description('show the size of files and what share is cached')
    .action((path: string, o: { humanReadable?: boolean; summarize?: boolean; json?: boolean }) => withClient(global(), async (c) => {
      const files = (await listOrFile(c, path, true)).filter((e) => e.type === 'file');
      const rows = await Promise.all(files.map(async (e) => ({ path: e.path, size: e.length, cached: await cachedBytes(c, e) })));
      const total = { path, size: rows.reduce((n, r) => n + r.size, 0), cached: rows.reduce((n, r) => n + r.cached, 0) };
      if (o.json) return printJson(o.summarize ? total : { files: rows, total });
      const fmt = (n: number) => (o.humanReadable ? formatSize(n) : String(n));
      const shown = o.summarize ? [total] : [...rows, total];
      printTable(['File Size', 'In Alluxio', 'Path'], shown.map((r) => [fmt(r.size), `${fmt(r.cached)} (${pct(r.cached, r.size)}%)`, r.path]));
    }));

  fs.command('count').argument('<path>').option('--json', 'print JSON').description('count files, folders and bytes under a path')
    .action((path: string, o: { json?: boolean }) => withClient(global(), async (c) => {
      const all = await listOrFile(c, path, true);
      const r = { fileCount: all.filter((e) => e.type === 'file').length, folderCount: all.filter((e) => e.type === 'directory').length, folderSize: all.reduce((n, e) => n + e.length, 0) };
      if (o.json) return printJson(r);
      printTable(['File Count', 'Folder Count', 'Folder Size'], [[r.fileCount, r.folderCount, r.folderSize]]);
    }));

  fs.command('location').argument('<path>').option('--json', 'print JSON').description('the workers that own a file, in ring order, and what each has cached')
    .action((path: string, o: { json?: boolean }) => withClient(global(), async (c) => {
      const e = await c.stat(path);
      const owners = c.owners(path, Math.min(3, c.ring.liveWorkers.length));
      const rows = await Promise.all(owners.map(async (w, i) => {
        let cached: { cachedPages: number; cachedBytes: number } | undefined;
        try { cached = await c.fileCacheStatus(w, path); } catch { cached = undefined; }
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

async function listOrFile(c: AlluxioClient, path: string, recursive: boolean): Promise<ClientFileEntry[]> {
  const e = await c.stat(path);
  return e.type === 'file' ? [e] : c.list(path, recursive);
}

async function cachedBytes(c: AlluxioClient, e: ClientFileEntry): Promise<number> {
  try {
    const [owner] = c.owners(e.path, 1);
    return (await c.fileCacheStatus(owner!, e.path)).cachedBytes;
  } catch {
    return 0;
  }
}

function pct(a: number, b: number): number {
  return b === 0 ? 100 : Math.floor((a / b) * 100);
}

function lsLine(e: ClientFileEntry, human: boolean): string {
  const perm = e.type === 'directory' ? 'drwxr-xr-x' : '-rw-r--r--';
  const size = human ? formatSize(e.length) : String(e.length);
  return [perm.padEnd(11), size.padStart(12), 'PERSISTED'.padEnd(10), alluxioDate(e.lastModifiedMs).padEnd(24), e.type === 'directory' ? 'DIR ' : '    ', e.path].join(' ');
}

function localPath(p: string): string | undefined {
  if (p.startsWith('file://')) return p.slice('file://'.length);
  if (p.startsWith('alluxio://')) return undefined;
  if (p.startsWith('/')) return undefined; // a bare absolute path is an Alluxio path, as in Alluxio's shell
  return p; // relative paths are local
}

function alluxioPath(p: string): string {
  if (p.startsWith('alluxio://')) {
    const rest = p.slice('alluxio://'.length);
    return rest.startsWith('/') ? rest : rest.slice(rest.indexOf('/'));
  }
  return p;
}

async function copy(c: AlluxioClient, src: string, dst: string, progress?: boolean): Promise<void> {
  const srcLocal = localPath(src);
  const dstLocal = localPath(dst);
  if (srcLocal !== undefined && dstLocal !== undefined) throw new InvalidArgumentError('both paths are local: one of them must be an Alluxio path (alluxio:///path or /path)');
  if (srcLocal !== undefined) {
    const size = statSync(srcLocal).size;
    const body = withProgress(createReadStream(srcLocal), size, `${src} → ${dst}`, progress);
    await c.write(alluxioPath(dst), body, size);
    process.stdout.write(`Copied ${src} to ${dst}\n`);
    return;
  }
  const { length, stream } = await c.read(alluxioPath(src));
  if (dstLocal !== undefined) {
    await pipeline(withProgress(stream, length, `${src} → ${dst}`, progress), createWriteStream(dstLocal));
  } else {
    // Alluxio to Alluxio: stream through this process.
    await c.write(alluxioPath(dst), withProgress(stream, length, `${src} → ${dst}`, progress), length);
  }
  process.stdout.write(`Copied ${src} to ${dst}\n`);
}

function withProgress(stream: Readable, total: number, label: string, force?: boolean): Readable {
  const show = force ?? (process.stderr.isTTY && total >= PROGRESS_THRESHOLD);
  if (!show) return stream;
  const bar = new ProgressBar(total, label);
  const t = new Transform({
    transform(chunk: Buffer, _e, cb) { bar.add(chunk.length); cb(null, chunk); },
    flush(cb) { bar.finish(); cb(); },
  });
  stream.on('error', (err) => t.destroy(err));
  return stream.pipe(t);
}

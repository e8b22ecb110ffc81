import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { basename, join, posix } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { AlluxioClient } from '../../client/alluxio-client.js';
import { AlluxioError, AlreadyExistsError, InvalidArgumentError, NotFoundError } from '../../common/errors.js';
import { formatSize } from '../../common/sizes.js';
import { counted, ProgressBar, progressWanted } from '../progress.js';
import { copyEndpoint, ifExists, onPath, shown, type CopyEndpoint } from './fs-paths.js';

export interface CopyOptions {
  recursive: boolean;
  force: boolean;
  threads: number;
  /** --progress / --no-progress; undefined: on a TTY only. */
  progress: boolean | undefined;
}

/** Alluxio's default for `cp --thread`: twice the cores. */
export const DEFAULT_COPY_THREADS = availableParallelism() * 2;

/** A single file's copy shows a bar on a TTY only from this size on (small copies finish first). */
export const FILE_PROGRESS_THRESHOLD = 16 * 1024 * 1024;

interface Node { type: 'file' | 'directory'; length: number }
interface FileCopy { src: string; dst: string; length: number }

/**
 * `fs cp`: local (file://) ⇄ Alluxio, or Alluxio → Alluxio; a directory with -R, its files copied
 * by `threads` at a time. An existing destination file is refused unless `force`, and for a tree
 * every conflict is found before anything is copied.
 */
export async function copy(c: AlluxioClient, srcText: string, dstText: string, o: CopyOptions): Promise<void> {
  const src = copyEndpoint(srcText);
  const dst = copyEndpoint(dstText);
  if (src.local && dst.local) throw new InvalidArgumentError('both paths are local (file://): one of them must be an Alluxio path (/path or alluxio:///path)');
  const fsOf = (e: CopyEndpoint) => (e.local ? localSide : alluxioSide(c));
  const srcNode = await fsOf(src).stat(src.path);
  if (!srcNode) throw new NotFoundError(`Path "${srcText}" does not exist`);
  if (srcNode.type === 'directory' && !o.recursive) throw new InvalidArgumentError(`${srcText} is a directory: use -R to copy it with its contents`);

  // Into an existing directory, as cp(1) and Alluxio do: cp /a.txt /dir → /dir/a.txt.
  const dstNode = await fsOf(dst).stat(dst.path);
  const target: CopyEndpoint = dstNode?.type === 'directory' ? { ...dst, path: joinOn(dst, dst.path, basename(src.path)) } : dst;
  const targetNode = target === dst ? dstNode : await fsOf(target).stat(target.path);

  if (srcNode.type === 'file') {
    if (targetNode?.type === 'directory') throw new AlluxioError('ALX_ERR_IS_A_DIRECTORY', `${shown(target)} is a directory`);
    if (targetNode && !o.force) throw new AlreadyExistsError(`${shown(target)} already exists: use -f to overwrite it`);
    const show = o.progress ?? (progressWanted(undefined) && srcNode.length >= FILE_PROGRESS_THRESHOLD);
    const bar = show ? new ProgressBar({ bytes: srcNode.length }, `${srcText} → ${shown(target)}`) : undefined;
    await copyFile(c, src, target, { src: src.path, dst: target.path, length: srcNode.length }, bar);
    bar?.finish();
    process.stdout.write(`Copied ${shown(src)} to ${shown(target)}\n`);
    return;
  }

  if (targetNode && targetNode.type !== 'directory') throw new AlluxioError('ALX_ERR_NOT_A_DIRECTORY', `${shown(target)} exists and is not a directory`);
  const tree = await fsOf(src).walk(src.path);
  const files: FileCopy[] = tree.files.map((f) => ({ src: f.path, dst: joinOn(target, target.path, f.rel), length: f.length }));
  if (targetNode && !o.force) {
    const existing = new Set((await fsOf(target).walk(target.path)).files.map((f) => f.rel));
    const clash = tree.files.filter((f) => existing.has(f.rel));
    if (clash.length > 0) {
      const first = joinOn(target, target.path, clash[0]!.rel);
      throw new AlreadyExistsError(`${clash.length} destination file(s) already exist (first: ${target.local ? `file://${first}` : first}); nothing was copied: use -f to overwrite them`);
    }
  }
  for (const d of ['', ...tree.dirs]) await fsOf(target).mkdir(joinOn(target, target.path, d));
  const bytes = files.reduce((n, f) => n + f.length, 0);
  const bar = progressWanted(o.progress) ? new ProgressBar({ bytes, files: files.length }, `${srcText} → ${shown(target)}`) : undefined;
  try {
    await inParallel(files, o.threads, async (f) => {
      await copyFile(c, src, target, f, bar);
      bar?.fileDone();
    });
  } finally {
    bar?.finish();
  }
  process.stdout.write(`Copied ${files.length} files (${formatSize(bytes)}) from ${shown(src)} to ${shown(target)}\n`);
}

function joinOn(e: CopyEndpoint, base: string, rel: string): string {
  return rel === '' ? base : e.local ? join(base, rel) : posix.join(base, rel);
}

/** Copies one file; a local destination is written to a temporary name first, so a failed copy never leaves a half file in place of the old one. */
async function copyFile(c: AlluxioClient, src: CopyEndpoint, dst: CopyEndpoint, f: FileCopy, bar: ProgressBar | undefined): Promise<void> {
  try {
    if (src.local) {
      const body = createReadStream(f.src);
      await onPath(f.dst, c.write(f.dst, counted(body, bar), f.length));
      return;
    }
    const { stream } = await onPath(f.src, c.read(f.src));
    if (!dst.local) {
      await c.write(f.dst, counted(stream, bar), f.length);
      return;
    }
    const part = `${f.dst}.alluxio-cp-${process.pid}`;
    try {
      await pipeline(counted(stream, bar), createWriteStream(part));
      await rename(part, f.dst);
    } catch (err) {
      await rm(part, { force: true });
      throw err;
    }
  } catch (err) {
    if (err instanceof AlluxioError) throw err;
    throw new AlluxioError('ALX_ERR_INTERNAL', `copying ${f.src} to ${f.dst}: ${(err as Error).message}`, { cause: err });
  }
}

/** Runs fn over items with at most `n` at once; stops taking new items after the first failure and rethrows it. */
async function inParallel<T>(items: T[], n: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: unknown;
  const run = async () => {
    while (failure === undefined && next < items.length) {
      const item = items[next++]!;
      try {
        await fn(item);
      } catch (err) {
        failure ??= err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, run));
  if (failure !== undefined) throw failure;
}

interface Tree { files: Array<{ path: string; rel: string; length: number }>; dirs: string[] }

interface Side {
  /** The node at path, or undefined when there is none. */
  stat(path: string): Promise<Node | undefined>;
  walk(root: string): Promise<Tree>;
  mkdir(path: string): Promise<void>;
}

const localSide: Side = {
  async stat(path) {
    try {
      const s = await stat(path);
      return { type: s.isDirectory() ? 'directory' : 'file', length: s.size };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  },
  async walk(root) {
    const tree: Tree = { files: [], dirs: [] };
    const visit = async (dir: string, rel: string): Promise<void> => {
      for (const e of await readdir(dir, { withFileTypes: true })) {
        const r = rel ? `${rel}/${e.name}` : e.name;
        if (e.isDirectory()) {
          tree.dirs.push(r);
          await visit(join(dir, e.name), r);
        } else if (e.isFile()) {
          tree.files.push({ path: join(dir, e.name), rel: r, length: (await stat(join(dir, e.name))).size });
        }
      }
    };
    await visit(root, '');
    return tree;
  },
  async mkdir(path) {
    await mkdir(path, { recursive: true });
  },
};

function alluxioSide(c: AlluxioClient): Side {
  return {
    async stat(path) {
      const e = await ifExists(c.stat(path));
      return e && { type: e.type, length: e.length };
    },
    async walk(root) {
      const tree: Tree = { files: [], dirs: [] };
      const prefix = root === '/' ? '/' : `${root}/`;
      for (const e of await c.list(root, true)) {
        const rel = e.path.startsWith(prefix) ? e.path.slice(prefix.length) : posix.relative(root, e.path);
        if (e.type === 'directory') tree.dirs.push(rel);
        else tree.files.push({ path: e.path, rel, length: e.length });
      }
      return tree;
    },
    async mkdir(path) {
      await c.mkdir(path);
    },
  };
}

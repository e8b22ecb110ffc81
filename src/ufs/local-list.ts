import type { BigIntStats, Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { TtlCache } from '../common/ttl-cache.js';

export interface LocalListEntry {
  abs: string;
  /** bigint stats: ctime in ns, inode and device go into the file's version (ufsVersion). */
  stats: BigIntStats;
}

export interface LocalListRequest {
  recursive: boolean;
  /** The previous page's token split at '/': entries at or before it are skipped. */
  tokenSegs: string[] | undefined;
  limit: number;
  /** Names starting with this (in-flight temp files) are left out. */
  skipPrefix: string;
  /** A name left out too (the metadata directory of the root, LOCAL_META_DIR). */
  skipName?: string;
  /** Decides whether a symbolic link is listed (e.g. not when it leads out of the root). */
  linkAllowed: (abs: string) => Promise<boolean>;
}

/**
 * One page of a directory listing, ordered by relative path compared segment by segment
 * (a directory, then everything below it, then its next sibling). That is the order of a
 * depth-first walk over sorted names, so a page resumes from its token without re-reading
 * subtrees that come before it. The token is the relative path of the last entry returned.
 */
export async function listLocalDirectory(dir: string, req: LocalListRequest): Promise<{ entries: LocalListEntry[]; nextToken?: string }> {
  const out: Array<LocalListEntry & { rel: string }> = [];
  // One more than the limit tells whether another page follows.
  await walk(dir, '', req.tokenSegs, 0, req, out, req.limit + 1);
  const entries = out.slice(0, req.limit);
  if (out.length <= req.limit) return { entries };
  return { entries, nextToken: entries[entries.length - 1]!.rel };
}

async function walk(
  dir: string, rel: string, tokenSegs: string[] | undefined, depth: number,
  req: LocalListRequest, out: Array<LocalListEntry & { rel: string }>, want: number,
): Promise<void> {
  let sorted: readonly Dirent[];
  try {
    sorted = await sortedDir(dir, req);
  } catch (err) {
    // A subdirectory removed while we walk is simply gone; the listed directory itself must exist.
    if (depth > 0 && (err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  const tokenSeg = tokenSegs?.[depth];
  if (!req.recursive) return statFlat(dir, rel, sorted, tokenSeg, req, out, want);
  for (const d of sorted) {
    if (out.length >= want) return;
    const childRel = rel === '' ? d.name : `${rel}/${d.name}`;
    const childAbs = dir === '/' ? `/${d.name}` : `${dir}/${d.name}`;
    // Where the token leads: names before its segment are done; its own segment is done
    // unless the token goes deeper; everything after it is new.
    if (tokenSeg !== undefined) {
      if (d.name < tokenSeg) continue;
      if (d.name === tokenSeg) {
        const deeper = tokenSegs!.length > depth + 1;
        if (req.recursive && d.isDirectory()) await walk(childAbs, childRel, deeper ? tokenSegs : undefined, depth + 1, req, out, want);
        continue;
      }
    }
    if (d.isSymbolicLink() && !(await req.linkAllowed(childAbs))) continue;
    let stats: BigIntStats;
    try {
      stats = await stat(childAbs, { bigint: true });
    } catch {
      continue; // removed meanwhile, or a dangling symlink
    }
    out.push({ abs: childAbs, stats, rel: childRel });
    // Dirent.isDirectory() does not follow symlinks, so a link cannot loop the walk.
    if (req.recursive && d.isDirectory()) await walk(childAbs, childRel, undefined, depth + 1, req, out, want);
  }
}

interface SortedDir {
  readonly ino: bigint;
  readonly mtimeNs: bigint;
  readonly entries: readonly Dirent[];
}

/**
 * Sorted listings of large directories, kept while a paged listing goes through them: without it
 * every page read and sorted the whole directory again (10 pages of a 100,000-entry directory
 * read 1,000,000 names). Reused only while the directory's inode and mtime are unchanged.
 * Four at most: a 100,000-entry listing holds about 10 MB.
 */
const sortedDirs = new TtlCache<string, SortedDir>(4, 30_000);
/** Smaller directories are cheap to read again and not worth holding. */
const CACHE_MIN_ENTRIES = 1000;
/**
 * A listing is trusted only if it was read this long after the directory's mtime: a change in the
 * same clock tick as the mtime (timestamps are coarse) would not change it ("racy" listings).
 */
const RACY_NS = 1_000_000_000n;

/** The directory's entries, filtered and sorted by name. */
async function sortedDir(dir: string, req: LocalListRequest): Promise<readonly Dirent[]> {
  const key = `${dir}\0${req.skipPrefix}\0${req.skipName ?? ''}`;
  const before = await stat(dir, { bigint: true });
  const cached = sortedDirs.get(key);
  if (cached !== undefined && cached.ino === before.ino && cached.mtimeNs === before.mtimeNs) return cached.entries;
  const readAt = BigInt(Date.now()) * 1_000_000n;
  const dirents = await readdir(dir, { withFileTypes: true });
  const entries = dirents.filter((d) => !d.name.startsWith(req.skipPrefix) && d.name !== req.skipName).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  if (entries.length >= CACHE_MIN_ENTRIES && readAt - before.mtimeNs > RACY_NS) sortedDirs.set(key, { ino: before.ino, mtimeNs: before.mtimeNs, entries });
  else sortedDirs.delete(key);
  return entries;
}

/** The index of the first name after `name` in sorted entries. */
function firstAfter(sorted: readonly Dirent[], name: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]!.name <= name) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Stats taken at once in a flat listing (each stat is a round trip to the I/O thread pool). */
const STAT_BATCH = 64;

/**
 * The children of one directory, non-recursive: the names after the token, stat'ed a batch at a
 * time instead of one after the other (a page of 5,000 entries took seconds one by one).
 */
async function statFlat(
  dir: string, rel: string, sorted: readonly Dirent[], tokenSeg: string | undefined,
  req: LocalListRequest, out: Array<LocalListEntry & { rel: string }>, want: number,
): Promise<void> {
  let i = tokenSeg === undefined ? 0 : firstAfter(sorted, tokenSeg);
  while (i < sorted.length && out.length < want) {
    const batch = sorted.slice(i, i + Math.min(STAT_BATCH, want - out.length));
    i += batch.length;
    const stats = await Promise.all(batch.map(async (d) => {
      const childAbs = dir === '/' ? `/${d.name}` : `${dir}/${d.name}`;
      if (d.isSymbolicLink() && !(await req.linkAllowed(childAbs))) return undefined;
      try {
        return { abs: childAbs, stats: await stat(childAbs, { bigint: true }), rel: rel === '' ? d.name : `${rel}/${d.name}` };
      } catch {
        return undefined; // removed meanwhile, or a dangling symlink
      }
    }));
    for (const e of stats) if (e && out.length < want) out.push(e);
  }
}

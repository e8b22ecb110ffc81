import type { AlluxioClient } from '../../client/alluxio-client.js';
import type { ClientFileEntry } from '../../common/protocol/index.js';
import { InvalidArgumentError } from '../../common/errors.js';
import { formatSize } from '../../common/sizes.js';
import { alluxioDate } from '../output.js';
import { ifExists } from './fs-paths.js';

/** `ls --sort` keys, with Alluxio's names; times we do not keep are refused by name. */
const SORT_KEYS: Record<string, ((a: LsRow, b: LsRow) => number) | undefined> = {
  path: (a, b) => cmp(a.entry.path, b.entry.path),
  name: (a, b) => cmp(a.entry.name, b.entry.name) || cmp(a.entry.path, b.entry.path),
  size: (a, b) => a.entry.length - b.entry.length || cmp(a.entry.path, b.entry.path),
  lastModificationTime: (a, b) => a.entry.lastModifiedMs - b.entry.lastModifiedMs || cmp(a.entry.path, b.entry.path),
  lastModified: (a, b) => a.entry.lastModifiedMs - b.entry.lastModifiedMs || cmp(a.entry.path, b.entry.path),
  inMemoryPercentage: (a, b) => (a.inCache ?? -1) - (b.inCache ?? -1) || cmp(a.entry.path, b.entry.path),
  creationTime: undefined,
  lastAccessTime: undefined,
};
export const SORT_NAMES = Object.keys(SORT_KEYS).filter((k) => SORT_KEYS[k]);

/** `ls --timestamp`: only the modification time is kept by the under storages we serve. */
export const TIMESTAMPS = ['lastModifiedTime'];

export interface LsRow {
  entry: ClientFileEntry;
  /** Percentage of the file in the cache; undefined for a directory. */
  inCache: number | undefined;
  /** The UFS URI when the entry is a mount point (shown unless -m). */
  mountOf?: string;
  /** Why the under-storage of this mount point fails (brokenMounts); its contents are not listed. */
  mountError?: string;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function checkSort(key: string): (a: LsRow, b: LsRow) => number {
  if (!(key in SORT_KEYS)) throw new InvalidArgumentError(`--sort: unknown key '${key}': use one of ${SORT_NAMES.join(', ')}`);
  const f = SORT_KEYS[key];
  if (!f) throw new InvalidArgumentError(`--sort ${key}: alluxio-ts does not keep that time: use one of ${SORT_NAMES.join(', ')}`);
  return f;
}

export function checkTimestamp(t: string): void {
  if (!TIMESTAMPS.includes(t)) throw new InvalidArgumentError(`--timestamp ${t}: alluxio-ts keeps only ${TIMESTAMPS.join(', ')} (the under storage's modification time)`);
}

/** One line of `ls`, in Alluxio's column order: permission, size, persistence, time, in-cache % (or DIR), path. */
export function lsLine(r: LsRow, human: boolean): string {
  const e = r.entry;
  const perm = e.type === 'directory' ? 'drwxr-xr-x' : '-rw-r--r--';
  const size = human ? formatSize(e.length) : String(e.length);
  const cached = e.type === 'directory' ? 'DIR' : `${r.inCache ?? 0}%`;
  const mount = r.mountOf ? `  (mount point of ${r.mountOf})` : '';
  return [perm.padEnd(11), size.padStart(12), 'PERSISTED'.padEnd(10), alluxioDate(e.lastModifiedMs).padEnd(24), cached.padStart(4), e.path + mount].join(' ');
}

export function lsJson(r: LsRow, omitMountInfo: boolean): Record<string, unknown> {
  const { ufsPath, ...rest } = r.entry;
  return {
    ...rest,
    ...(omitMountInfo ? {} : { ufsPath }),
    inAlluxioPercentage: r.inCache ?? null,
    ...(r.mountOf && !omitMountInfo ? { mountPoint: true } : {}),
    ...(r.mountError !== undefined ? { mountError: r.mountError } : {}),
  };
}

/**
 * The mount points of a listing whose under-storage fails, with the reason. A worker lists such a
 * mount point as a directory without contents and without a UFS path (one broken mount must not
 * hide the rest of the namespace); a stat of it then answers the under-storage's own error (a
 * message about the mount, never its options). A missing root directory is not broken (an S3
 * prefix with no objects yet), nor is a mount that answers by now.
 */
export async function brokenMounts(c: AlluxioClient, entries: ClientFileEntry[]): Promise<Map<string, string>> {
  const suspects = entries.filter((e) => e.type === 'directory' && e.ufsPath === '' && c.namespace.isMountPoint(e.path));
  const out = new Map<string, string>();
  await Promise.all(suspects.map(async (e) => {
    try {
      await ifExists(c.stat(e.path));
    } catch (err) {
      out.set(e.path, (err as Error).message);
    }
  }));
  return out;
}

/** The stderr line of `ls` for a broken mount point. */
export function brokenMountLine(path: string, reason: string): string {
  return `fs ls: mount point ${path} is listed without its contents: its under-storage fails: ${reason}`;
}

/**
 * `stat -f FORMAT`, Alluxio's directives: %N name, %z size in bytes, %y modification time
 * (yyyy-MM-dd HH:mm:ss), %Y the same in ms since the epoch, %b pages (Alluxio's blocks), %u and
 * %g owner and group (empty: the under storages we serve keep none), %% a percent sign.
 */
export function statFormat(format: string, e: ClientFileEntry, pageSize: number): string {
  return format.replace(/%(.?)/g, (_, d: string) => {
    switch (d) {
      case 'N': return e.name;
      case 'z': return String(e.length);
      case 'y': return isoSeconds(e.lastModifiedMs);
      case 'Y': return String(e.lastModifiedMs);
      case 'b': return String(e.type === 'file' ? Math.ceil(e.length / pageSize) : 0);
      case 'u': case 'g': return '';
      case '%': return '%';
      default: throw new InvalidArgumentError(`stat -f: unknown directive '%${d}' in '${format}': use %N %z %y %Y %b %u %g %%`);
    }
  });
}

function isoSeconds(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

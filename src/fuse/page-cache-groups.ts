/**
 * The version every read of a group of open files is pinned to: set by the group's first answer
 * (FileReader), or given at open when the group reuses pages the kernel already caches.
 */
export interface VersionPin {
  version?: string;
  /** The first request, which every other read of the group waits for until the version is pinned. */
  pinning?: Promise<unknown>;
}

/** How one open file uses the kernel's page cache (the open's FOPEN_KEEP_CACHE / FOPEN_DIRECT_IO). */
export interface CacheUse {
  readonly keepCache: boolean;
  readonly directIo: boolean;
  readonly pin: VersionPin;
  readonly group?: Group;
}

interface Group {
  readonly pin: VersionPin;
  /** Open files of the group. */
  open: number;
  /** The file as the open saw it (mtime, length): another means it changed in the UFS. */
  readonly mtime: number;
  readonly length: number;
  /** Its version can no longer be read (a read got ALX_ERR_STALE): no one joins it. */
  stale: boolean;
}

/** Paths whose last group is remembered (for keep_cache on the next open), least recently used dropped. */
const MAX_GROUPS = 10_000;

/**
 * The kernel's page cache is per inode, shared by every open file of a path, and (with
 * kernel_cache) outlives the files that filled it. A read pinned to one version must never get
 * pages another version's reads brought in (issue 12: "a read of one open file sees one version").
 * So the open files of a path form a group that reads one version through the page cache:
 * - the first open (no other open file of the path) starts a group; the kernel drops the path's
 *   cached pages at that open (keep_cache off), unless kernel_cache is asked for and the previous
 *   group's version is known and the file looks unchanged (same mtime and length): then the cached
 *   pages are kept and the new group is pinned to that version (a read the UFS can no longer serve
 *   in it fails, ALX_ERR_STALE, never mixes);
 * - an open while a group is open joins it (same pin, cached pages kept) when the file looks
 *   unchanged; otherwise (the file changed, or the group's version is gone) it bypasses the page
 *   cache (direct_io) and pins its own version.
 */
export class PageCacheGroups {
  private readonly groups = new Map<string, Group>();

  constructor(private readonly kernelCache: boolean) {}

  open(path: string, mtime: number, length: number): CacheUse {
    const g = this.groups.get(path);
    const same = g !== undefined && !g.stale && g.mtime === mtime && g.length === length;
    if (g !== undefined && g.open > 0) {
      if (!same) return { keepCache: false, directIo: true, pin: {} };
      g.open++;
      this.touch(path, g);
      return { keepCache: true, directIo: false, pin: g.pin, group: g };
    }
    const keep = this.kernelCache && same && g!.pin.version !== undefined;
    const group: Group = { pin: keep ? { version: g!.pin.version! } : {}, open: 1, mtime, length, stale: false };
    this.touch(path, group);
    return { keepCache: keep, directIo: false, pin: group.pin, group };
  }

  /** The open file is closed. */
  release(use: CacheUse): void {
    if (use.group !== undefined) use.group.open--;
  }

  /** A read of this open file found its version gone from the UFS: its group takes no one new. */
  stale(use: CacheUse): void {
    if (use.group !== undefined) use.group.stale = true;
  }

  /** The path (with `subtree`, everything under it too) was written, removed or renamed through the mount: its cached pages are not reused. */
  changed(path: string, subtree = false): void {
    this.forget(path);
    if (!subtree) return;
    const prefix = path.endsWith('/') ? path : `${path}/`;
    for (const p of [...this.groups.keys()]) if (p.startsWith(prefix)) this.forget(p);
  }

  private forget(path: string): void {
    const g = this.groups.get(path);
    if (g === undefined) return;
    if (g.open > 0) g.stale = true;
    else this.groups.delete(path);
  }

  private touch(path: string, g: Group): void {
    this.groups.delete(path);
    this.groups.set(path, g);
    if (this.groups.size <= MAX_GROUPS) return;
    for (const [p, old] of this.groups) {
      if (this.groups.size <= MAX_GROUPS) break;
      if (old.open === 0) this.groups.delete(p);
    }
  }
}

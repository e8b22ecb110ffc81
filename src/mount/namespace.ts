import { InvalidPathError, NotFoundError } from '../common/errors.js';
import { normalizePath } from '../common/paths.js';
import { createUfs } from '../ufs/registry.js';
import type { UnderFileSystem, UfsOptions } from '../ufs/under-file-system.js';
import type { MountPoint } from './mount-point.js';
import { MountTable, type Resolved } from './mount-table.js';
import type { MountStore } from './mount-store.js';

export interface ResolvedPath extends Resolved {
  ufs: UnderFileSystem;
}

/**
 * The mount table plus one UFS client per mount, kept current by the store's watch. Global UFS
 * properties are the base options; a mount's own options override them (DESIGN.md §7).
 */
export class Namespace {
  private table: MountTable = new MountTable([]);
  private readonly ufsByMount = new Map<string, { key: string; ufs: UnderFileSystem; mount: MountPoint }>();
  private unwatch: (() => void) | undefined;

  private constructor(private readonly store: MountStore, private readonly globalUfsOptions: UfsOptions) {}

  static async open(store: MountStore, globalUfsOptions: UfsOptions = {}, watch = true): Promise<Namespace> {
    const ns = new Namespace(store, globalUfsOptions);
    ns.update(await store.list());
    if (watch) ns.unwatch = store.watch((mounts) => ns.update(mounts));
    return ns;
  }

  get mounts(): MountTable {
    return this.table;
  }

  get mountStore(): MountStore {
    return this.store;
  }

  /** Re-reads the table from the store now (used after a local `mount add`). */
  async refresh(): Promise<void> {
    this.update(await this.store.list());
  }

  resolve(path: string): ResolvedPath {
    const r = this.table.resolve(path);
    return { ...r, ufs: this.ufsFor(r.mount) };
  }

  /** The UFS client for a full UFS URI of some mount. */
  resolveUfsUri(ufsUri: string): ResolvedPath {
    if (ufsUri.split('/').includes('..')) throw new InvalidPathError(`UFS path must not contain '..': ${ufsUri}`);
    const path = this.table.reverse(ufsUri);
    if (path === undefined) throw new NotFoundError(`${ufsUri} is not under any mount point`);
    return this.resolve(path);
  }

  /** The Alluxio path of a UFS URI, if some mount covers it. */
  alluxioPath(ufsUri: string): string | undefined {
    return this.table.reverse(ufsUri);
  }

  isMountPoint(path: string): boolean {
    const p = normalizePath(path);
    return p !== '/' && p.lastIndexOf('/') === 0 && this.table.hasChild(p.slice(1));
  }

  async close(): Promise<void> {
    this.unwatch?.();
    await Promise.allSettled([...this.ufsByMount.values()].map((e) => e.ufs.close()));
    this.ufsByMount.clear();
  }

  private ufsFor(mount: MountPoint): UnderFileSystem {
    const cached = this.ufsByMount.get(mount.path);
    // The same MountPoint object as last time: the common case, decided without building a key.
    if (cached && cached.mount === mount) return cached.ufs;
    const key = mountKey(mount);
    if (cached && cached.key === key) {
      cached.mount = mount;
      return cached.ufs;
    }
    const ufs = createUfs(mount.ufsUri, { ...this.globalUfsOptions, ...mount.options });
    this.ufsByMount.set(mount.path, { key, ufs, mount });
    if (cached) void cached.ufs.close().catch(() => {});
    return ufs;
  }

  private update(mounts: MountPoint[]): void {
    let table: MountTable;
    try {
      table = new MountTable(mounts);
    } catch {
      return; // an invalid table from the store: keep serving the last good one
    }
    this.table = table;
    const live = new Set(table.list().map((m) => m.path));
    for (const [path, entry] of this.ufsByMount) {
      if (!live.has(path)) {
        this.ufsByMount.delete(path);
        void entry.ufs.close().catch(() => {});
      }
    }
  }
}

function mountKey(m: MountPoint): string {
  return JSON.stringify([m.ufsUri, Object.entries(m.options).sort()]);
}

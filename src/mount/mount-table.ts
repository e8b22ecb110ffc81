import { MountError, NotFoundError } from '../common/errors.js';
import { normalizePath } from '../common/paths.js';
import { validateMountPoint, type MountPoint } from './mount-point.js';

export interface Resolved {
  mount: MountPoint;
  /** Full UFS URI of the path (a directory URI has no trailing slash except the mount root). */
  ufsUri: string;
  /** Path below the mount point, without leading slash ('' for the mount root). */
  relative: string;
}

/**
 * An immutable snapshot of the mounts. Child mounts are direct children of '/'; an optional root
 * mount at '/' serves everything no child mount shadows (DESIGN.md §7).
 */
export class MountTable {
  readonly root: MountPoint | undefined;
  private readonly children: Map<string, MountPoint>;

  constructor(mounts: Iterable<MountPoint>) {
    this.children = new Map();
    let root: MountPoint | undefined;
    for (const m of mounts) {
      const mp = validateMountPoint(m);
      if (mp.path === '/') {
        if (root) throw new MountError(`two root mounts: ${root.ufsUri} and ${mp.ufsUri}`);
        root = mp;
        continue;
      }
      const name = mp.path.slice(1);
      if (this.children.has(name)) throw new MountError(`mount point ${mp.path} already exists`);
      this.children.set(name, mp);
    }
    this.root = root;
  }

  list(): MountPoint[] {
    const out = [...this.children.values()].sort((a, b) => a.path.localeCompare(b.path));
    return this.root ? [this.root, ...out] : out;
  }

  /** Names of child mount points, which appear as directories in `/`. */
  childMountNames(): string[] {
    return [...this.children.keys()].sort();
  }

  hasChild(name: string): boolean {
    return this.children.has(name);
  }

  /** Maps an Alluxio path to its UFS URI. The root '/' without a root mount has no UFS. */
  resolve(path: string): Resolved {
    const p = normalizePath(path);
    const first = p === '/' ? '' : p.slice(1).split('/', 1)[0]!;
    const child = first ? this.children.get(first) : undefined;
    if (child) {
      const relative = p.slice(first.length + 2);
      return { mount: child, ufsUri: joinUri(child.ufsUri, relative), relative };
    }
    if (this.root) {
      const relative = p.slice(1);
      return { mount: this.root, ufsUri: joinUri(this.root.ufsUri, relative), relative };
    }
    if (p === '/') throw new NotFoundError('/ has no under-storage: there is no root mount (list the mount points instead)');
    throw new NotFoundError(`no mount point for ${p}: mount one with 'alluxio mount add --path /${first} --ufs-uri <uri>'`);
  }

  /** Maps a UFS URI back to an Alluxio path, preferring child mounts over the root mount. */
  reverse(ufsUri: string): string | undefined {
    for (const m of this.children.values()) {
      const base = m.ufsUri.slice(0, -1);
      if (ufsUri === base || ufsUri.startsWith(m.ufsUri)) return normalizePath(m.path + '/' + ufsUri.slice(m.ufsUri.length));
    }
    if (this.root) {
      const base = this.root.ufsUri.slice(0, -1);
      if (ufsUri === base || ufsUri.startsWith(this.root.ufsUri)) return normalizePath('/' + ufsUri.slice(this.root.ufsUri.length));
    }
    return undefined;
  }
}

function joinUri(rootWithSlash: string, relative: string): string {
  return relative === '' ? rootWithSlash : rootWithSlash + relative;
}

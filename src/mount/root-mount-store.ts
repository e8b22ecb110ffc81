import { MountError } from '../common/errors.js';
import { normalizePath } from '../common/paths.js';
import { validateMountPoint, type MountPoint } from './mount-point.js';
import type { MountStore } from './mount-store.js';

/**
 * Adds the root mount set by property (`alluxio.master.mount.table.root.ufs` /
 * `alluxio.dora.client.ufs.root`) to a store's table, unless the store has its own, and closes
 * what the store was built on when it closes.
 */
export class RootMountStore implements MountStore {
  readonly source: MountStore['source'];
  private readonly root: MountPoint | undefined;

  constructor(private readonly inner: MountStore, rootUfs: string | undefined, private readonly onClose: () => void | Promise<void> = () => {}) {
    this.source = inner.source;
    this.root = rootUfs ? validateMountPoint({ path: '/', ufsUri: rootUfs, options: {} }) : undefined;
  }

  async list(): Promise<MountPoint[]> {
    return this.withRoot(await this.inner.list());
  }

  async add(mount: MountPoint): Promise<void> {
    if (this.root && normalizePath(mount.path) === '/') throw new MountError('the root mount is set by property (alluxio.master.mount.table.root.ufs); change the property instead');
    await this.inner.add(mount);
  }

  remove(path: string): Promise<void> {
    return this.inner.remove(path);
  }

  watch(listener: (mounts: MountPoint[]) => void): () => void {
    return this.inner.watch((mounts) => listener(this.withRoot(mounts)));
  }

  async close(): Promise<void> {
    await this.inner.close();
    await this.onClose();
  }

  private withRoot(mounts: MountPoint[]): MountPoint[] {
    if (!this.root || mounts.some((m) => m.path === '/')) return mounts;
    return [this.root, ...mounts];
  }
}

import type { Logger } from '../common/logging.js';
import type { PageDir } from './local-page-entries.js';
import type { PageStoreFs } from './page-store-fs.js';

/** What the disk capacity check needs from the store. */
export interface DiskCapacityHost {
  readonly dirs: readonly PageDir[];
  readonly fs: PageStoreFs;
  readonly pageSize: number;
  readonly log: Logger;
  /** Sets a dir's usable capacity; with `evict`, evicts down to it. */
  applyCapacity(dir: PageDir, capacity: number, evict: boolean): void;
}

/** How often the disks are looked at again (one statfs per dir). */
export const DISK_CHECK_INTERVAL_MS = 30_000;

/**
 * Keeps each dir's usable capacity within what its file system really holds: a dir configured
 * larger than its disk otherwise fills the disk and then thrashes on ENOSPC with every put.
 * The disk's share for the store is the bytes the store already uses there plus the free bytes;
 * from it a page (or reserved.size, when larger) is kept as headroom for writes in flight and
 * for sidecars. The configured size stays the ceiling; the cap follows the disk both ways.
 * At open the store's pages are not indexed yet, so only the file system's total size bounds it.
 */
export class DiskCapacityCheck {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private readonly warned = new Set<PageDir>();

  constructor(private readonly host: DiskCapacityHost, private readonly intervalMs = DISK_CHECK_INTERVAL_MS) {}

  /** Before the restart scan: caps each dir at its file system's total size. */
  atOpen(): Promise<void> {
    return this.run(true);
  }

  /** Now (unless a check is running), and then every interval until stop(). */
  start(): Promise<void> {
    if (this.timer === null) {
      this.timer = setInterval(() => void this.check(), this.intervalMs);
      this.timer.unref();
    }
    return this.check();
  }

  /** A check now; one at a time (called again on ENOSPC, when the disk filled up behind us). */
  check(): Promise<void> {
    this.running ??= this.run(false).finally(() => { this.running = null; });
    return this.running;
  }

  async stop(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  private async run(atOpen: boolean): Promise<void> {
    const { dirs, fs, pageSize, log } = this.host;
    await Promise.all(dirs.map(async (dir) => {
      let total: number;
      let free: number;
      try {
        const s = await fs.statfs(dir.layout.root);
        total = s.blocks * s.bsize;
        free = s.bavail * s.bsize;
      } catch (err) {
        log.debug({ dir: dir.layout.dir, err: (err as Error).message }, 'page store: cannot read the file system size');
        return;
      }
      const real = atOpen ? total : dir.used + dir.pending + free;
      const capacity = Math.max(0, Math.min(dir.configuredCapacity, real - Math.max(dir.reserved, pageSize)));
      if (capacity < dir.configuredCapacity && !this.warned.has(dir)) {
        this.warned.add(dir);
        log.warn({ dir: dir.layout.dir, configuredBytes: dir.configuredCapacity + dir.reserved, fileSystemBytes: real, usableBytes: capacity },
          'page store: the file system holds only part of the configured size; capping the usable size at what it holds');
      }
      if (capacity !== dir.capacity) this.host.applyCapacity(dir, capacity, !atOpen);
    }));
  }
}

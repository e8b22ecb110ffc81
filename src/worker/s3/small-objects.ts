import type { UfsStatus } from '../../ufs/under-file-system.js';
import { ufsVersion } from '../../ufs/under-file-system.js';

/**
 * Whole small objects (at most `maxObjectBytes`) kept in memory by UFS URI and version, so a GET
 * of a hot small object is one map lookup and one socket write instead of a page-file read through
 * the thread pool per request. Entries are tied to the UFS version like cached pages are: a new
 * version (a write through any front end drops the metadata, a UFS change shows after the metadata
 * TTL) is a new key, and the old entry ages out. LRU within a byte budget.
 */
export class SmallObjectCache {
  private readonly map = new Map<string, Buffer>();
  private bytes = 0;

  constructor(readonly budgetBytes: number, readonly maxObjectBytes: number) {}

  keyOf(status: UfsStatus): string {
    return status.uri + '\0' + ufsVersion(status);
  }

  get(key: string): Buffer | undefined {
    const b = this.map.get(key);
    if (b !== undefined && this.map.size > 1) {
      // Refresh recency: re-insert at the end of the Map's order.
      this.map.delete(key);
      this.map.set(key, b);
    }
    return b;
  }

  set(key: string, data: Buffer): void {
    if (data.length > this.maxObjectBytes || this.budgetBytes === 0) return;
    const old = this.map.get(key);
    if (old) this.bytes -= old.length;
    this.map.set(key, data);
    this.bytes += data.length;
    for (const [k, v] of this.map) {
      if (this.bytes <= this.budgetBytes) break;
      this.map.delete(k);
      this.bytes -= v.length;
    }
  }

  get size(): number {
    return this.map.size;
  }
}

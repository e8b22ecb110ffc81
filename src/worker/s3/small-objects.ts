import type { DataPath, OpenFile } from '../data-path.js';

/**
 * Whole small objects (at most `maxObjectBytes`) kept in memory by UFS URI and version, in front
 * of the data path's readWhole: a GET of a hot small object is one map lookup and one socket
 * write instead of a page-file read through the thread pool per request. Entries are tied to the
 * version the file was opened at, like cached pages are: a new version (a write through any front
 * end drops the metadata, a UFS change shows after the metadata TTL or when a read pins it) is a
 * new key, and the old entry ages out. LRU within a byte budget.
 */
export class SmallObjectCache {
  private readonly map = new Map<string, Buffer>();
  private bytes = 0;

  constructor(private readonly inner: DataPath, readonly budgetBytes: number, readonly maxObjectBytes: number) {}

  /** The whole file at f's version; `hit` tells whether it came from memory. */
  async readWhole(f: OpenFile): Promise<{ data: Buffer; hit: boolean }> {
    const key = f.ufsUri + '\0' + f.version;
    const b = this.get(key);
    if (b !== undefined) return { data: b, hit: true };
    const data = await this.inner.readWhole(f);
    this.set(key, data);
    return { data, hit: false };
  }

  get size(): number {
    return this.map.size;
  }

  private get(key: string): Buffer | undefined {
    const b = this.map.get(key);
    if (b !== undefined && this.map.size > 1) {
      // Refresh recency: re-insert at the end of the Map's order.
      this.map.delete(key);
      this.map.set(key, b);
    }
    return b;
  }

  private set(key: string, data: Buffer): void {
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
}

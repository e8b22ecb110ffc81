import { metrics } from '../common/metrics.js';
import type { CachedFileInfo, FileId, PageRange, PageStore, PageStoreStats } from './page-store.js';

export interface Tier {
  /** MEM, SSD or HDD (Alluxio 2.x's alias), for metrics and reports. */
  alias: string;
  store: PageStore;
}

/** Pages whose lower-level hits are being counted, at most this many (oldest forgotten first). */
const MAX_TRACKED_PAGES = 65_536;

/**
 * Alluxio 2.x's tiered store over page stores (level 0 on top: MEM over SSD over HDD). Pages are
 * written to the lowest level, which keeps everything (inclusive levels: an upper level holds
 * copies); a page read `promoteAfterHits` times from a lower level is copied to the level above,
 * where that level's own evictor makes room. An upper level that evicts a page loses only the
 * copy (eviction downward is free); a version change or a delete applies to every level.
 */
export class TieredPageStore implements PageStore {
  readonly type: 'LOCAL' | 'MEM';
  readonly pageSize: number;
  readonly scanComplete: Promise<void>;
  /** `${fileId}:${page}` -> hits at a lower level since the last promotion. */
  private readonly hits = new Map<string, number>();
  /** Which level handed out a buffer, so release() returns it to that level's pool. */
  private readonly owners = new WeakMap<ArrayBufferLike, PageStore>();

  constructor(private readonly tiers: readonly Tier[], private readonly promoteAfterHits: number) {
    if (tiers.length === 0) throw new Error('a tiered store needs at least one level');
    const bottom = tiers[tiers.length - 1]!.store;
    this.type = bottom.type;
    this.pageSize = bottom.pageSize;
    for (const t of tiers) {
      if (t.store.pageSize !== this.pageSize) throw new Error(`tier ${t.alias} has page size ${t.store.pageSize}, expected ${this.pageSize}`);
    }
    this.scanComplete = Promise.all(tiers.map((t) => t.store.scanComplete)).then(() => undefined);
  }

  get levels(): readonly Tier[] {
    return this.tiers;
  }

  async open(): Promise<void> {
    for (const t of this.tiers) await t.store.open();
  }

  async get(fileId: FileId, pageIndex: number, version: string, range?: PageRange): Promise<Buffer | null> {
    for (let i = 0; i < this.tiers.length; i++) {
      const tier = this.tiers[i]!;
      const page = await tier.store.get(fileId, pageIndex, version, range);
      if (page === null) continue;
      metrics.tierPageHits.inc({ tier: tier.alias });
      this.owners.set(page.buffer, tier.store);
      if (i > 0) this.countHit(i, fileId, pageIndex, range === undefined ? page : undefined, version);
      return page;
    }
    return null;
  }

  release(page: Uint8Array): void {
    this.owners.get(page.buffer)?.release(page);
  }

  async put(fileId: FileId, pageIndex: number, data: Buffer, file: { ufsUri: string; version: string }): Promise<void> {
    await this.tiers[this.tiers.length - 1]!.store.put(fileId, pageIndex, data, file);
  }

  has(fileId: FileId, pageIndex: number, version?: string): boolean {
    return this.tiers.some((t) => t.store.has(fileId, pageIndex, version));
  }

  /** Every level holding the page sees it used (no promotion: the reader did not go through a level). */
  touch(fileId: FileId, pageIndex: number, version: string): boolean {
    let found = false;
    for (const t of this.tiers) found = t.store.touch(fileId, pageIndex, version) || found;
    return found;
  }

  async deleteFile(fileId: FileId): Promise<void> {
    await Promise.all(this.tiers.map((t) => t.store.deleteFile(fileId)));
  }

  /** The union of the levels' pages of the file (the lowest level's version wins). */
  fileInfo(fileId: FileId): CachedFileInfo | undefined {
    let out: CachedFileInfo | undefined;
    for (let i = this.tiers.length - 1; i >= 0; i--) {
      const info = this.tiers[i]!.store.fileInfo(fileId);
      if (!info) continue;
      if (!out) { out = { ...info, pages: [...info.pages] }; continue; }
      if (info.version !== out.version) continue;
      const have = new Set(out.pages);
      for (const p of info.pages) if (!have.has(p)) out.pages.push(p);
    }
    if (out) out.pages.sort((a, b) => a - b);
    return out;
  }

  *files(): Iterable<CachedFileInfo> {
    const seen = new Set<FileId>();
    for (let i = this.tiers.length - 1; i >= 0; i--) {
      for (const f of this.tiers[i]!.store.files()) {
        if (seen.has(f.fileId)) continue;
        seen.add(f.fileId);
        yield this.fileInfo(f.fileId)!;
      }
    }
  }

  /** Sums over the levels: a page copied upward counts in each level that holds it. */
  stats(): PageStoreStats {
    const out: PageStoreStats = { usedBytes: 0, capacityBytes: 0, pages: 0, files: 0, evictedBytes: 0 };
    for (const t of this.tiers) {
      const s = t.store.stats();
      out.usedBytes += s.usedBytes;
      out.capacityBytes += s.capacityBytes;
      out.pages += s.pages;
      out.evictedBytes += s.evictedBytes;
    }
    out.files = this.tiers[this.tiers.length - 1]!.store.stats().files;
    return out;
  }

  /** Per level: alias and the level's own stats (for reports). */
  tierStats(): Array<{ alias: string } & PageStoreStats> {
    return this.tiers.map((t) => ({ alias: t.alias, ...t.store.stats() }));
  }

  async probe(): Promise<void> {
    for (const t of this.tiers) await t.store.probe();
  }

  async close(): Promise<void> {
    for (const t of this.tiers) await t.store.close();
  }

  /** `page` is the whole page when the hit read it whole; otherwise a promotion reads it first. */
  private countHit(level: number, fileId: FileId, pageIndex: number, page: Buffer | undefined, version: string): void {
    const key = `${fileId}:${pageIndex}`;
    const n = (this.hits.get(key) ?? 0) + 1;
    this.hits.delete(key); // re-insert: the map's order is the forgetting order
    if (n < this.promoteAfterHits) {
      this.hits.set(key, n);
      if (this.hits.size > MAX_TRACKED_PAGES) this.hits.delete(this.hits.keys().next().value!);
      return;
    }
    const info = this.tiers[level]!.store.fileInfo(fileId);
    if (!info) return;
    const lower = this.tiers[level]!.store;
    const upper = this.tiers[level - 1]!;
    // A copy: the caller may release or reuse `page` while the upper level writes it.
    const whole = page !== undefined ? Promise.resolve(Buffer.from(page)) : lower.get(fileId, pageIndex, version).then((b) => {
      if (b === null) return null;
      const copy = Buffer.from(b);
      lower.release(b);
      return copy;
    });
    whole.then((copy) => copy === null ? undefined : upper.store.put(fileId, pageIndex, copy, { ufsUri: info.ufsUri, version }).then(() => metrics.tierPromotions.inc({ tier: upper.alias })))
      .catch(() => { /* an upper level that is full or failing only misses the copy */ });
  }
}

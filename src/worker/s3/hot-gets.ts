import type { IncomingMessage, ServerResponse } from 'node:http';
import type { UfsStatus } from '../../ufs/under-file-system.js';

/**
 * A whole small object ready to send for one request URL: the answer to a plain GET of that URL
 * for as long as everything it was derived from stays the same object. A hit skips URL parsing,
 * key checks, mount resolution, the ring lookup and header building, which is most of what a
 * 4 KiB GET costs beyond the socket write.
 */
export interface HotGet {
  readonly url: string;
  readonly data: Buffer;
  /** Flat [name, value, ...] response headers; the value at index 1 is the request id. */
  readonly headers: string[];
  readonly ufsUri: string;
  /** What the entry depends on, compared by identity on every hit. */
  readonly status: UfsStatus;
  readonly mountTable: unknown;
  readonly ring: unknown;
  /** Second-chance bit for eviction: set on a hit, cleared when eviction passes over it. */
  used: boolean;
}

/** Where a hit checks that its dependencies are still the ones it was built from. */
export interface HotGetSources {
  /** The reader's fresh metadata-cache entry for a UFS URI, without fetching it. */
  cachedStatus(ufsUri: string): UfsStatus | undefined;
  mountTable(): unknown;
  ring(): unknown;
}

/** Request headers that change the answer to a GET: any of them sends the request the long way. */
const ANSWER_CHANGING_HEADERS = ['range', 'if-match', 'if-none-match', 'if-modified-since', 'if-unmodified-since', 'x-amz-checksum-mode'];

/**
 * Hot small-object GETs by URL, within a byte budget (second-chance eviction, so a hit writes
 * nothing but a flag). Entries are only added for requests served in full, by the owning worker,
 * under SIMPLE auth: with SigV4 verification on, every request goes through the full path.
 */
export class HotGets {
  private readonly map = new Map<string, HotGet>();
  private bytes = 0;

  constructor(readonly budgetBytes: number, private readonly sources: HotGetSources) {}

  /** True when the request could be answered from an entry (a plain GET, no query string). */
  static eligible(req: IncomingMessage): boolean {
    if (req.method !== 'GET' || req.url === undefined || req.url.includes('?')) return false;
    const h = req.headers;
    for (const name of ANSWER_CHANGING_HEADERS) if (h[name] !== undefined) return false;
    return true;
  }

  /**
   * Answers `req` from its entry if there is a current one; returns whether it did. The caller has
   * checked `eligible(req)`.
   */
  serve(req: IncomingMessage, res: ServerResponse, requestId: string): HotGet | undefined {
    const e = this.map.get(req.url!);
    if (e === undefined) return undefined;
    const s = this.sources;
    if (s.cachedStatus(e.ufsUri) !== e.status || s.mountTable() !== e.mountTable || s.ring() !== e.ring) {
      this.remove(e);
      return undefined;
    }
    e.used = true;
    e.headers[1] = requestId;
    res.writeHead(200, e.headers);
    res.end(e.data);
    return e;
  }

  add(e: Omit<HotGet, 'used' | 'mountTable' | 'ring'>): void {
    if (e.data.length > this.budgetBytes) return;
    const old = this.map.get(e.url);
    if (old) this.remove(old);
    this.map.set(e.url, { ...e, mountTable: this.sources.mountTable(), ring: this.sources.ring(), used: false });
    this.bytes += e.data.length;
    while (this.bytes > this.budgetBytes) this.evictOne();
  }

  get size(): number {
    return this.map.size;
  }

  private evictOne(): void {
    for (const e of this.map.values()) {
      if (e.used) {
        // A second chance: to the back of the line.
        e.used = false;
        this.map.delete(e.url);
        this.map.set(e.url, e);
        continue;
      }
      this.remove(e);
      return;
    }
  }

  private remove(e: HotGet): void {
    if (this.map.get(e.url) !== e) return;
    this.map.delete(e.url);
    this.bytes -= e.data.length;
  }
}

import { metrics } from '../common/metrics.js';
import type { DirectFile, DirectPages, PageReadListener } from '../client/direct-pages.js';
import type { FileId } from '../pagestore/page-store.js';
import type { NativeFastReads } from './fuse-binding.js';

interface Entry {
  readonly key: number;
  readonly fileId: FileId;
  readonly version: string;
  readonly length: number;
  handles: number;
}

export interface FastReadStats {
  /** Reads answered on libfuse's thread, and their bytes. */
  reads: number;
  bytes: number;
  /** Page-file descriptors (dups) the binding holds. */
  descriptors: number;
}

/** The binding's counters (all 0 while nothing is registered, e.g. with alluxio.fuse.direct.page.read.enabled off). */
export function fastReadStats(native: NativeFastReads): FastReadStats {
  const [reads, bytes, , descriptors] = native.fast_read_stats();
  return { reads, bytes, descriptors };
}

/**
 * Mirrors the checked page-file descriptors of DirectPages into the binding fork's fast-read table
 * (native/fuse/fast-read.c), so a read of cached pages is answered on libfuse's thread without a hop
 * to this one. One native entry per (file, version), shared by every open handle pinned to that
 * version: its pages are the descriptors DirectPages holds of that version (at most
 * MAX_CHECKED_FDS in all), registered when a handle binds and whenever DirectPages keeps one, and
 * dropped when DirectPages drops one. The binding dups each descriptor, so closing ours never
 * leaves it reading a reused number; it closes its dups with the entry's last handle.
 */
export class FastReads {
  /** By `${fileId}:${version}`. */
  private readonly entries = new Map<string, Entry>();
  private readonly keys = new Set<number>();
  /** Bound handles: the entry's id, or '' when the binding refused the handle (not tried again). */
  private readonly handles = new Map<number, string>();
  private nextKey = 1;
  private counted = { reads: 0, bytes: 0, ns: 0 };

  /** `touched`: told of the pages answered in C (drainTouched), so the worker hears of them. */
  constructor(private readonly native: NativeFastReads, private readonly pages: DirectPages, private readonly touched?: PageReadListener) {
    pages.listener = {
      kept: (fileId, p, fd, version) => {
        const e = this.entries.get(id(fileId, version));
        if (e) native.fast_read_set_page(e.key, p, fd);
      },
      dropped: (fileId, p, version) => {
        const e = this.entries.get(id(fileId, version));
        if (e) native.fast_read_drop_page(e.key, p);
      },
    };
  }

  /** Handle `fh`, whose reader is pinned to `version`, is answered from the binding's table from now on. */
  bind(fh: number, file: DirectFile, version: string): void {
    if (this.handles.has(fh)) return;
    const eid = id(file.fileId, version);
    let e = this.entries.get(eid);
    const fresh = e === undefined;
    // Another length of the same version (a stale stat at open): that handle stays on the JS path.
    if (e !== undefined && e.length !== file.length) return void this.handles.set(fh, '');
    e ??= { key: this.newKey(), fileId: file.fileId, version, length: file.length, handles: 0 };
    if (!this.native.fast_read_open(fh, e.key, file.pageSize, file.length)) return void this.handles.set(fh, '');
    e.handles++;
    this.handles.set(fh, eid);
    if (!fresh) return;
    this.entries.set(eid, e);
    this.keys.add(e.key);
    for (const [p, fd] of this.pages.held(file.fileId, version)) this.native.fast_read_set_page(e.key, p, fd);
  }

  /** The handle was released: the binding forgets it (and closes the entry's dups with its last handle). */
  release(fh: number): void {
    const eid = this.handles.get(fh);
    if (eid === undefined) return;
    this.handles.delete(fh);
    if (eid === '') return;
    const e = this.entries.get(eid)!;
    // The entry goes with its last handle: its pages read since the last drain are noted first.
    if (e.handles === 1) this.drainEntry(e);
    this.native.fast_read_release(fh);
    if (--e.handles === 0) {
      this.entries.delete(eid);
      this.keys.delete(e.key);
    }
  }

  /**
   * Tells `note` (the worker report, page-read-report.ts) of every page answered in C since the
   * last call. Called on the 1 s timer of fuse-process.ts, before the report is sent.
   */
  drainTouched(): void {
    for (const e of this.entries.values()) this.drainEntry(e);
  }

  private drainEntry(e: Entry): void {
    if (this.touched === undefined) return;
    for (const p of this.native.fast_read_drain_touched(e.key)) this.touched.note(e.fileId, e.version, p);
  }

  /**
   * Adds the reads answered natively since the last call to the FUSE metrics (read bytes, direct
   * bytes, and the latency histogram: each such read observed at their mean latency, as the
   * binding keeps a sum, not buckets). Called on a timer and on each scrape (fuse-process.ts).
   */
  flushMetrics(): void {
    const [reads, bytes, ns] = this.native.fast_read_stats();
    const n = reads - this.counted.reads;
    if (n <= 0) return;
    const b = bytes - this.counted.bytes;
    const meanS = (ns - this.counted.ns) / n / 1e9;
    this.counted = { reads, bytes, ns };
    metrics.fuseBytes.inc({ op: 'read' }, b);
    metrics.fuseDirectReadBytes.inc(b);
    for (let i = 0; i < n; i++) metrics.fuseLatency.observe({ op: 'read' }, meanS);
  }

  private newKey(): number {
    // Keys are uint32 in the binding; skip any still in use after a wrap (never two entries on one key).
    do this.nextKey = this.nextKey >= 0xfffffffe ? 1 : this.nextKey + 1;
    while (this.keys.has(this.nextKey));
    return this.nextKey;
  }
}

function id(fileId: FileId, version: string): string {
  return `${fileId}:${version}`;
}

import type { Evictor } from './evictor.js';
import type { PageLayout } from './page-layout.js';
import type { FileId } from './page-store.js';

/** One cache directory of the LOCAL store: its layout, capacity and its own evictor. */
export class PageDir {
  /** Bytes of committed pages. */
  used = 0;
  /** Bytes reserved by puts in flight (their temp files). */
  pending = 0;
  /** Usable bytes for committed pages now: the configured capacity, capped at what the disk holds. */
  capacity: number;
  constructor(
    readonly index: number,
    readonly layout: PageLayout,
    /** Usable bytes for committed pages as configured: size minus reserved. */
    readonly configuredCapacity: number,
    /** Extra room on disk for temp pages of puts in flight. */
    readonly reserved: number,
    public evictor: Evictor<LocalPageEntry>,
  ) {
    this.capacity = configuredCapacity;
  }
}

/** A cached file: all of its pages live in one dir, beside its sidecar. Never empty. */
export interface LocalFileEntry {
  readonly fileId: FileId;
  readonly ufsUri: string;
  readonly version: string;
  readonly dir: PageDir;
  readonly pages: Map<number, LocalPageEntry>;
  bytes: number;
}

/** A committed page. Entries are replaced, never mutated, so identity tells whether it changed. */
export interface LocalPageEntry {
  readonly file: LocalFileEntry;
  readonly index: number;
  readonly size: number;
  readonly crc: number;
  readonly mtimeMs: number;
  /** Found by the restart scan and not read since: ordered by mtime once the scan ends. */
  recovered: boolean;
}

/** A page found on disk by the restart scan. */
export interface RecoveredPage {
  index: number;
  size: number;
  crc: number;
  mtimeMs: number;
}

import { InvalidArgumentError } from '../common/errors.js';
import { EVICTOR_TYPES, type EvictorType } from './evictor.js';
import { DEFAULT_FILE_BUCKETS } from './page-layout.js';

export const PAGE_STORE_TYPES = ['LOCAL', 'MEM'] as const;
export type PageStoreType = (typeof PAGE_STORE_TYPES)[number];

/** Mirrors `alluxio.worker.page.store.*` (DESIGN.md §4), already parsed to bytes. */
export interface PageStoreOptions {
  /** `page.store.dirs`: one cache directory per entry (LOCAL only). */
  dirs: string[];
  /** `page.store.sizes`: bytes per dir; one value applies to every dir. MEM: the sum is the capacity. */
  sizes: number[];
  /** `page.store.page.size` in bytes. */
  pageSize: number;
  /** `page.store.reserved.size` per dir, buffering temp pages (LOCAL only). Default 0. */
  reservedBytes?: number;
  /** `page.store.evictor.type`. Default LRU. */
  evictor?: EvictorType;
  /** `local.store.file.buckets`. Default 1000. */
  buckets?: number;
  /** Verify each page's CRC32 on read. Default true. Checksums are recorded either way. */
  checksum?: boolean;
}

export interface ResolvedPageStoreOptions {
  dirs: string[];
  sizes: number[];
  pageSize: number;
  reservedBytes: number;
  evictor: EvictorType;
  buckets: number;
  checksum: boolean;
}

function positiveInt(name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0) {
    throw new InvalidArgumentError(`page store option ${name} must be a positive integer number of bytes, got ${String(v)}`);
  }
  return v;
}

/** Validates options and fills defaults; `needDirs` is false for the MEM store. */
export function resolvePageStoreOptions(o: PageStoreOptions, needDirs: boolean): ResolvedPageStoreOptions {
  if (o === null || typeof o !== 'object') throw new InvalidArgumentError('page store options are required');
  const dirs = o.dirs ?? [];
  if (!Array.isArray(dirs) || dirs.some((d) => typeof d !== 'string' || d.length === 0)) {
    throw new InvalidArgumentError('page store option dirs must be a list of non-empty directory paths');
  }
  if (needDirs && dirs.length === 0) throw new InvalidArgumentError('page store option dirs must name at least one directory');
  if (new Set(dirs).size !== dirs.length) throw new InvalidArgumentError(`page store option dirs lists a directory twice: ${dirs.join(',')}`);
  if (!Array.isArray(o.sizes) || o.sizes.length === 0) throw new InvalidArgumentError('page store option sizes must list at least one size in bytes');
  let sizes = o.sizes.map((s, i) => positiveInt(`sizes[${i}]`, s));
  if (needDirs) {
    if (sizes.length === 1) sizes = dirs.map(() => sizes[0]!);
    else if (sizes.length !== dirs.length) {
      throw new InvalidArgumentError(`page store option sizes has ${sizes.length} entries but dirs has ${dirs.length}: give one size per dir, or one for all`);
    }
  }
  const pageSize = positiveInt('pageSize', o.pageSize);
  const reservedBytes = o.reservedBytes ?? 0;
  if (typeof reservedBytes !== 'number' || !Number.isSafeInteger(reservedBytes) || reservedBytes < 0) {
    throw new InvalidArgumentError(`page store option reservedBytes must be a non-negative integer, got ${String(reservedBytes)}`);
  }
  if (needDirs) {
    sizes.forEach((s, i) => {
      if (s - reservedBytes < pageSize) {
        throw new InvalidArgumentError(`page store dir ${dirs[i]}: size ${s} minus reserved ${reservedBytes} leaves less than one page (${pageSize} bytes)`);
      }
    });
  } else if (sizes.reduce((a, b) => a + b, 0) < pageSize) {
    throw new InvalidArgumentError(`page store size ${sizes.join('+')} is smaller than one page (${pageSize} bytes)`);
  }
  const evictor = o.evictor ?? 'LRU';
  if (!EVICTOR_TYPES.includes(evictor)) {
    throw new InvalidArgumentError(`page store option evictor must be one of ${EVICTOR_TYPES.join(', ')}, got ${JSON.stringify(evictor)}`);
  }
  const buckets = o.buckets ?? DEFAULT_FILE_BUCKETS;
  if (!Number.isSafeInteger(buckets) || buckets <= 0 || buckets > 0x7fffffff) {
    throw new InvalidArgumentError(`page store option buckets must be an integer between 1 and 2147483647, got ${String(buckets)}`);
  }
  const checksum = o.checksum ?? true;
  if (typeof checksum !== 'boolean') throw new InvalidArgumentError(`page store option checksum must be true or false, got ${String(checksum)}`);
  return { dirs: [...dirs], sizes, pageSize, reservedBytes, evictor, buckets, checksum };
}

import type StockFuse from 'fuse-native';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../common/logging.js';

/** The fast_read_* functions of our binding fork (native/fuse/fast-read.c). */
export interface NativeFastReads {
  /** Handle `fh` reads entry `key` (page size, file length); made when new. False: refused. */
  fast_read_open(fh: number, key: number, pageSize: number, length: number): boolean;
  /** The handle is gone; the entry's descriptors are closed with its last handle. */
  fast_read_release(fh: number): void;
  /** Page `page` of entry `key` is served from a dup of `fd` (C dups it; the caller keeps its own). False: refused. */
  fast_read_set_page(key: number, page: number, fd: number): boolean;
  fast_read_drop_page(key: number, page: number): void;
  /** The pages of entry `key` answered in C since the last call (each once), cleared. */
  fast_read_drain_touched(key: number): number[];
  /** [reads answered in C, their bytes, their total ns, descriptors C holds]. */
  fast_read_stats(): [number, number, number, number];
  /** The open that returns handle `fh` gets these flags (FOPEN_KEEP_CACHE, FOPEN_DIRECT_IO); call before answering it. */
  fuse_open_flags(fh: number, keepCache: boolean, directIo: boolean): void;
}

export interface FuseBinding {
  Fuse: typeof StockFuse;
  /** Undefined: stock fuse-native (no build, or it failed to load); every read goes to JS. */
  fast?: NativeFastReads;
}

const root = fileURLToPath(new URL('../../', import.meta.url));
/** Where scripts/build-native.sh puts the fork (src/fuse and dist/fuse are both two levels down). */
export const NATIVE_ADDON = `${root}build/native/fuse-native.node`;

/**
 * fuse-native's JS with our binding fork (native/fuse: cached reads answered on libfuse's thread),
 * or stock fuse-native with one warning when the fork is not built or does not load: a machine
 * without a compiler still mounts.
 */
export function loadFuseBinding(log: Logger, addon = NATIVE_ADDON): FuseBinding {
  const why = existsSync(addon) ? tryLoad(addon) : `${addon} is not built (scripts/build-native.sh)`;
  if (typeof why !== 'string') {
    if (why.stale) log.warn({ addon }, 'the FUSE binding fork is older than this code (rebuild it: scripts/build-native.sh): every read goes through the JS thread and the kernel page cache is not chosen per open');
    return { Fuse: why.Fuse, ...(why.fast !== undefined ? { fast: why.fast } : {}) };
  }
  log.warn({ err: why }, 'the FUSE binding fork did not load: stock fuse-native, every read goes through the JS thread');
  return { Fuse: createRequire(import.meta.url)('fuse-native') as typeof StockFuse };
}

function tryLoad(addon: string): (FuseBinding & { stale?: true }) | string {
  try {
    const load = createRequire(import.meta.url)(`${root}native/fuse/index.cjs`) as (p: string) => { Fuse: typeof StockFuse; binding: NativeFastReads };
    const { Fuse, binding } = load(addon);
    // A build older than this code (not rebuilt after an update) lacks functions it calls: its
    // fast-read table is left unused (every read goes through JS), the fork serves the rest.
    if (typeof binding.fast_read_drain_touched !== 'function' || typeof binding.fuse_open_flags !== 'function') return { Fuse, stale: true };
    return { Fuse, fast: binding };
  } catch (err) {
    return (err as Error).message;
  }
}

import { createRequire } from 'node:module';
import { crc32 as zlibCrc32 } from 'node:zlib';

/** CRC-32 (IEEE 802.3, zlib's polynomial) of `data`, continuing from `initial`. */
export type Crc32 = (data: Uint8Array, initial?: number) => number;

/**
 * Page checksums are computed on every cached read, on the event-loop thread, so their speed bounds
 * cached throughput. `@node-rs/crc32` (PCLMULQDQ/ARMv8 CRC) runs at 10.9 GB/s here against 3.9
 * for zlib's (bench/micro/crc32.bench.ts), with the same values; where its prebuilt binary cannot load (an
 * unsupported platform), zlib's is used.
 */
function loadCrc32(): Crc32 {
  try {
    const native = createRequire(import.meta.url)('@node-rs/crc32') as { crc32: (d: Uint8Array, i?: number) => number };
    return (data, initial) => native.crc32(data, initial);
  } catch {
    return (data, initial) => zlibCrc32(data, initial);
  }
}

export const crc32: Crc32 = loadCrc32();

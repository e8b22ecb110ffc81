// The page checksum's speed: src/common/crc32.ts (@node-rs/crc32, or zlib where it cannot load)
// against node:zlib's crc32, on 1 MiB pages, in one run. Prints GB/s, best of ROUNDS.
// Usage: node --import tsx bench/micro/crc32.bench.ts [ROUNDS]
import { crc32 as zlibCrc32 } from 'node:zlib';
import { randomBytes } from 'node:crypto';
import { crc32 } from '../../src/common/crc32.js';

const rounds = Number(process.argv[2] ?? 5);
const page = randomBytes(1 << 20);
if (crc32(page) !== zlibCrc32(page)) throw new Error('the two CRC-32s disagree');
for (const [name, f] of [['src/common/crc32.ts', crc32], ['node:zlib crc32', zlibCrc32]] as const) {
  let best = 0;
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    for (let i = 0; i < 1000; i++) f(page);
    best = Math.max(best, (1000 * page.length) / ((performance.now() - t0) / 1000) / 1e9);
  }
  console.log(`${name.padEnd(20)} ${best.toFixed(1)} GB/s`);
}

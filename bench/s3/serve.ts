// Serves a 1-worker S3 API with bench/{small.bin (4 KiB), big.bin (SIZE_MB)} for profiling:
//   node --cpu-prof --import tsx bench/s3/serve.ts [SIZE_MB] [SECONDS]
// Prints the endpoint, then stops after SECONDS (default 30) so the profile is written.
import { randomFillSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startS3TestCluster } from '../../test/support/s3-clients.js';

const sizeMb = Number(process.argv[2] ?? 64);
const seconds = Number(process.argv[3] ?? 30);
const c = await startS3TestCluster({ workers: 1, cacheSize: `${sizeMb * 2 + 64}MB`, pageSize: process.env.PAGE_SIZE ?? '1MB', buckets: ['bench'] });
writeFileSync(join(c.ufsDir, 'bench', 'small.bin'), randomFillSync(Buffer.alloc(4096)));
writeFileSync(join(c.ufsDir, 'bench', 'big.bin'), randomFillSync(Buffer.alloc(sizeMb << 20)));
process.stdout.write(`${c.endpoints[0]}\n`);
setTimeout(() => void c.stop().then(() => process.exit(0)), seconds * 1000);

// In-process cold reads through CachedReader over an S3 UFS (a real s3rver process), for profiling.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createPageStore } from '../../src/pagestore/index.js';
import { createUfs } from '../../src/ufs/registry.js';
import type { Readable } from 'node:stream';
import type { UnderFileSystem } from '../../src/ufs/under-file-system.js';
import { CachedReader } from '../../src/worker/cached-reader.js';
import { DataPath } from '../../src/worker/data-path.js';
import { startS3Server } from '../../test/support/s3-server.js';

const MB = 1 << 20;
const N = Number(process.argv[2] ?? 256);
const dir = mkdtempSync(join(tmpdir(), 'alluxio-cold-s3-'));
const s3 = await startS3Server({ buckets: ['b'] });
try {
  const client = new S3Client({ endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } });
  await client.send(new PutObjectCommand({ Bucket: 'b', Key: 'big', Body: randomBytes(N * MB) }));
  const store = createPageStore({ type: 'LOCAL', dirs: [join(dir, 'cache')], sizes: [2 * N * MB], pageSize: MB, reservedBytes: 0, evictor: 'LRU', buckets: 1000, checksum: true });
  await store.open();
  const ufs = createUfs('s3://b/', s3.ufsOptions());
  const reader = new CachedReader(store, { readAheadPages: 0, metadataTtlMs: 60000, metadataMaxSize: 10 });
  for (const label of ['direct', 'cold', 'warm']) {
    const t0 = performance.now();
    const stream = label === 'direct' ? await ufs.openRead('s3://b/big', 0, -1) : await openWhole(reader, ufs, 's3://b/big');
    let n = 0;
    for await (const c of stream) n += (c as Buffer).length;
    const s = (performance.now() - t0) / 1000;
    console.log(label.padEnd(7), n, s.toFixed(3), 's', (N / s).toFixed(0), 'MiB/s');
  }
  await store.close();
  await ufs.close();
} finally {
  await s3.stop();
  rmSync(dir, { recursive: true, force: true });
}

/** The cached reader's stream of a whole file (one stream, no segments: what this bench measured before DataPath). */
async function openWhole(reader: CachedReader, ufs: UnderFileSystem, uri: string): Promise<Readable> {
  const f = await new DataPath(reader).open({ path: uri, ufs, ufsUri: uri });
  return reader.openRange(f, 0, f.length, false);
}

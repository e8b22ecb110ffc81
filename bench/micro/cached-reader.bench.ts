import { createPageStore } from '../../src/pagestore/index.js';
import { createUfs } from '../../src/ufs/registry.js';
import { CachedReader } from '../../src/worker/cached-reader.js';
import { DataPath } from '../../src/worker/data-path.js';
import { mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
const dir = '/tmp/prof/case'; rmSync(dir, { recursive: true, force: true });
mkdirSync(dir + '/ufs', { recursive: true });
const MB = 1 << 20; const N = 256;
writeFileSync(dir + '/ufs/big', randomBytes(N * MB));
const store = createPageStore({ type: 'LOCAL', dirs: [dir + '/cache'], sizes: [2 * N * MB], pageSize: MB, reservedBytes: 0, evictor: 'LRU', buckets: 1000, checksum: process.env.NOCRC ? false : true });
await store.open();
if (process.env.NOPUT) (store as { put: unknown }).put = async () => {};
const ufs = createUfs(`file://${dir}/ufs/`);
const reader = new CachedReader(store, { readAheadPages: 0, metadataTtlMs: 60000, metadataMaxSize: 10 });
for (const label of ['cold', 'warm', 'warm']) {
  const t0 = performance.now();
  const uri = `file://${dir}/ufs/big`;
  const f = await new DataPath(reader).open({ path: uri, ufs, ufsUri: uri });
  const stream = reader.openRange(f, 0, f.length, false);
  let n = 0; for await (const c of stream) n += (c as Buffer).length;
  console.log(label, n, ((performance.now() - t0) / 1000).toFixed(3), 's', (N / ((performance.now() - t0) / 1000)).toFixed(0), 'MB/s');
  await new Promise((r) => setTimeout(r, 500));
}
await store.close();

// Pages are read (cached) or assembled (from the UFS) into reused buffers, given back once every
// holder is done (src/common/buffer-pool.ts): many concurrent large reads of different files,
// through the REST and S3 APIs of real workers, must still return exactly each file's bytes, cold
// and warm, whole and ranged, with stalled readers and clients that hang up.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { startS3TestCluster, type S3TestCluster } from '../support/s3-clients.js';
import { startS3Server, type S3TestServer } from '../support/s3-server.js';
import { makeTempDir, type TempDir } from '../support/tmp.js';
import { startTestCluster, type TestCluster } from '../support/workers.js';

const FILES = 6;
const SIZE = 3 * 1024 * 1024 + 12_345; // not a whole number of 64 KiB pages

function sha(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}

async function get(url: string, headers: Record<string, string> = {}): Promise<Buffer> {
  const res = await fetch(url, { headers });
  assert.ok(res.ok, `${url}: HTTP ${res.status}`);
  return Buffer.from(await res.arrayBuffer());
}

/** Reads the first bytes of a response and hangs up, leaving pages in flight. */
function readAndAbort(url: string, bytes: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(url, (res) => {
      let n = 0;
      res.on('data', (c: Buffer) => {
        n += c.length;
        if (n >= bytes) { req.destroy(); resolve(); }
      });
      res.on('end', resolve);
    });
    req.on('error', (e) => ((e as NodeJS.ErrnoException).code === 'ECONNRESET' ? resolve() : reject(e)));
    req.end();
  });
}

describe('pooled page buffers under concurrent reads', () => {
  let c: S3TestCluster;
  let rest: string;
  const data: Buffer[] = [];

  before(async () => {
    c = await startS3TestCluster({ buckets: ['data'], pageSize: '64KB', cacheSize: '128MB' });
    rest = `http://127.0.0.1:${c.cluster.ports[0]!.http}`;
    for (let i = 0; i < FILES; i++) {
      data.push(randomBytes(SIZE));
      writeFileSync(join(c.ufsDir, 'data', `f${i}.bin`), data[i]!);
    }
  });
  after(async () => { await c?.stop(); });

  it('every concurrent read, cold then warm, through REST and S3, returns its own file', async () => {
    for (const round of ['cold', 'warm', 'warm']) {
      const reads: Array<Promise<void>> = [];
      for (let i = 0; i < FILES; i++) {
        const want = sha(data[i]!);
        reads.push(get(`${rest}/v1/read?path=/data/f${i}.bin`).then((b) => assert.equal(sha(b), want, `${round} REST f${i}`)));
        reads.push(get(`${c.endpoints[0]}/data/f${i}.bin`).then((b) => assert.equal(sha(b), want, `${round} S3 f${i}`)));
        const [a, z] = [70_000 + i * 1000, 2_500_000 + i];
        reads.push(get(`${c.endpoints[0]}/data/f${i}.bin`, { range: `bytes=${a}-${z}` })
          .then((b) => assert.ok(b.equals(data[i]!.subarray(a, z + 1)), `${round} S3 range f${i}`)));
      }
      await Promise.all(reads);
    }
  });

  it('a reader that stalls keeps its bytes while other reads reuse page buffers', async () => {
    // Big enough that the stalled response cannot all sit in the kernel's socket buffers: pages
    // stay queued in the worker until the client reads again.
    const big = randomBytes(24 * 1024 * 1024);
    writeFileSync(join(c.ufsDir, 'data', 'big.bin'), big);
    await get(`${c.endpoints[0]}/data/big.bin`); // cache it
    const stalled = new Promise<Buffer>((resolve, reject) => {
      const req = request(`${c.endpoints[0]}/data/big.bin`, (res) => {
        const chunks: Buffer[] = [];
        res.pause();
        setTimeout(() => {
          res.on('data', (b: Buffer) => chunks.push(b));
          res.on('end', () => resolve(Buffer.concat(chunks)));
          res.resume();
        }, 1500);
      });
      req.on('error', reject);
      req.end();
    });
    // meanwhile, other reads take buffers from the pool over and over
    const deadline = Date.now() + 1200;
    while (Date.now() < deadline) {
      await Promise.all(data.map((d, i) => get(`${rest}/v1/read?path=/data/f${i}.bin`).then((b) => assert.equal(sha(b), sha(d)))));
    }
    assert.equal(sha(await stalled), sha(big));
  });

  it('clients that hang up mid-read do not disturb the reads around them', async () => {
    const reads: Array<Promise<void>> = [];
    for (let k = 0; k < 3; k++) {
      for (let i = 0; i < FILES; i++) {
        reads.push(readAndAbort(`${c.endpoints[0]}/data/f${i}.bin`, 200_000));
        reads.push(get(`${rest}/v1/read?path=/data/f${(i + 1) % FILES}.bin`)
          .then((b) => assert.equal(sha(b), sha(data[(i + 1) % FILES]!), `REST f${(i + 1) % FILES}`)));
      }
    }
    await Promise.all(reads);
    // and the worker still serves every file whole
    for (let i = 0; i < FILES; i++) assert.equal(sha(await get(`${c.endpoints[0]}/data/f${i}.bin`)), sha(data[i]!));
  });
});

// Over an S3 UFS, pages are assembled from 16-64 KiB chunks into reused buffers that several
// holders share: the socket writes of every reader of the page (single-flight), and the page write.
describe('pooled page assembly over an S3 UFS', () => {
  let tmp: TempDir;
  let s3: S3TestServer;
  let cluster: TestCluster;
  let rest: string;
  const objects: Buffer[] = [];

  before(async () => {
    tmp = await makeTempDir('alluxio-pooled-s3-');
    s3 = await startS3Server({ buckets: ['data'] });
    // A small page-write budget, so some pages are served without being cached (their buffers then
    // have no page-write holder) and are loaded again by later reads.
    cluster = await startTestCluster({
      dir: tmp.path, rootUfs: 's3://data/', pageSize: '256KB', cacheSize: '256MB',
      properties: { ...s3.ufsOptions(), 'alluxio.worker.page.store.async.write.max.size': '1MB' },
    });
    rest = `http://127.0.0.1:${cluster.ports[0]!.http}`;
    const client = new S3Client({ endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } });
    for (let i = 0; i < 3; i++) {
      objects.push(randomBytes(6 * 1024 * 1024 + 777));
      await client.send(new PutObjectCommand({ Bucket: 'data', Key: `o${i}.bin`, Body: objects[i] }));
    }
    client.destroy();
  });
  after(async () => {
    await cluster?.stop();
    await s3?.stop();
    await tmp?.cleanup();
  });

  it('concurrent cold and warm readers of the same objects, one of them stalled, all get their bytes', async () => {
    for (const round of ['cold', 'again', 'again']) {
      const stalled = objects.map((d, i) => new Promise<void>((resolve, reject) => {
        const req = request(`${rest}/v1/read?path=/o${i}.bin`, (res) => {
          const chunks: Buffer[] = [];
          res.pause();
          setTimeout(() => {
            res.on('data', (b: Buffer) => chunks.push(b));
            res.on('end', () => {
              try {
                assert.equal(sha(Buffer.concat(chunks)), sha(d), `${round}: stalled reader of o${i}`);
                resolve();
              } catch (e) { reject(e); }
            });
            res.resume();
          }, 700);
        });
        req.on('error', reject);
        req.end();
      }));
      const reads: Array<Promise<void>> = [];
      for (let k = 0; k < 3; k++) {
        for (const [i, d] of objects.entries()) {
          reads.push(get(`${rest}/v1/read?path=/o${i}.bin`).then((b) => assert.equal(sha(b), sha(d), `${round}: reader ${k} of o${i}`)));
        }
      }
      await Promise.all([...reads, ...stalled]);
    }
  });
});

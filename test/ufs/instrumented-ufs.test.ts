import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { metrics } from '../../src/common/metrics.js';
import { InstrumentedUfs } from '../../src/ufs/instrumented-ufs.js';
import { createUfs } from '../../src/ufs/registry.js';
import { makeTempDir, type TempDir } from '../support/tmp.js';

async function accessBytes(ufs: string): Promise<number> {
  const m = await metrics.ufsDataAccessBytes.get();
  return m.values.find((v) => v.labels.ufs === ufs)?.value ?? 0;
}

describe('InstrumentedUfs', () => {
  let tmp: TempDir;
  const size = 8 * 1024 * 1024; // several 1 MiB read chunks
  before(async () => {
    tmp = await makeTempDir('alluxio-instr-');
    await writeFile(join(tmp.path, 'big'), Buffer.alloc(size, 3));
  });
  after(async () => { await tmp.cleanup(); });

  it('counts the bytes a read delivers, as they flow', async () => {
    const ufs = createUfs(tmp.path);
    assert.ok(ufs instanceof InstrumentedUfs);
    const start = await accessBytes('file');
    const stream = await ufs.openRead(`${tmp.path}/big`, 1000, 300_000);
    let got = 0;
    for await (const chunk of stream) got += (chunk as Buffer).length;
    assert.equal(got, 300_000);
    assert.equal(await accessBytes('file') - start, 300_000);
  });

  it('counts bytes a back end pushed before openRead resolved (s3-fast-get: a small object comes with the headers)', async () => {
    const { Readable } = await import('node:stream');
    const early = new Readable({ read() {} });
    early.push(Buffer.alloc(5000, 1)); // in the buffer before the wrapper sees the stream
    const inner = { scheme: 'early', openRead: async () => early } as unknown as ConstructorParameters<typeof InstrumentedUfs>[0];
    const ufs = new InstrumentedUfs(inner);
    const start = await accessBytes('early');
    const stream = await ufs.openRead('early://b/k', 0, 6000);
    early.push(Buffer.alloc(1000, 2));
    early.push(null);
    let got = 0;
    for await (const chunk of stream) got += (chunk as Buffer).length;
    assert.equal(got, 6000);
    assert.equal(await accessBytes('early') - start, 6000);
  });

  it('counts only what was read when the reader stops early, and passes errors through', async () => {
    const ufs = createUfs(`file://${tmp.path}`);
    const start = await accessBytes('file');
    const stream = await ufs.openRead(`file://${tmp.path}/big`, 0, -1);
    let got = 0;
    for await (const chunk of stream) {
      got += (chunk as Buffer).length;
      if (got >= 64 * 1024) break; // destroys the stream
    }
    // Let the pipeline settle, then check nothing more flowed.
    await new Promise((r) => setTimeout(r, 50));
    const counted = await accessBytes('file') - start;
    assert.ok(counted >= got, `counted ${counted} >= read ${got}`);
    assert.ok(counted < size / 2, `counted ${counted} of a ${size}-byte file after reading ${got}: not counted up front`);

    await assert.rejects(ufs.openRead(`file://${tmp.path}/missing`, 0, -1), { code: 'ALX_ERR_NOT_FOUND' });
    assert.equal((await ufs.getStatus(`file://${tmp.path}/big`)).length, size);
  });
});

// The MD5 of PUT bodies on hashing threads (md5-threads.ts through md5WhileStreaming): digests
// equal node:crypto's for bodies cut at every kind of boundary (empty, inside a slot, exactly one
// slot, across slots), many bodies at once, a body failed midway (its thread job is dropped and the
// next bodies still hash right), and the reader gets the body's own chunks, byte for byte.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { md5WhileStreaming } from '../../../src/worker/s3/object-metadata.js';

const MiB = 1 << 20;

/** Streams `data` in chunks of the given sizes (cycled). */
function chunked(data: Buffer, sizes: number[]): Readable {
  const parts: Buffer[] = [];
  for (let off = 0, i = 0; off < data.length; i++) {
    const n = Math.min(sizes[i % sizes.length]!, data.length - off);
    parts.push(data.subarray(off, off + n));
    off += n;
  }
  return Readable.from(parts, { objectMode: false });
}

async function hashThrough(data: Buffer, sizes: number[], declared?: number): Promise<{ etag: string; out: Buffer; chunks: number }> {
  const h = md5WhileStreaming(chunked(data, sizes), declared);
  const got: Buffer[] = [];
  for await (const c of h.stream) got.push(c as Buffer);
  return { etag: h.etag(), out: Buffer.concat(got), chunks: got.length };
}

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

test('digests equal node:crypto across slot boundaries, on the thread and inline', async () => {
  const cases: Array<[number, number[]]> = [
    [0, [1]], [1, [1]], [2 * MiB, [2 * MiB]], [2 * MiB + 1, [65536]], [2 * MiB - 1, [7, 65536, 3 * MiB]],
    [17 * MiB + 12345, [65536, 1, 4 * MiB, 99_999]], [40 * MiB, [5 * MiB]],
  ];
  for (const [size, sizes] of cases) {
    const data = randomBytes(size);
    const threaded = await hashThrough(data, sizes);
    assert.equal(threaded.etag, md5(data), `threaded, ${size} bytes in ${sizes.join('/')}`);
    assert.ok(threaded.out.equals(data), `bytes through, ${size}`);
    const inline = await hashThrough(data, sizes, size < MiB ? size : undefined);
    assert.equal(inline.etag, md5(data), `declared length, ${size} bytes`);
  }
});

test('the reader gets the chunks as they came (object mode: no concatenated copies)', async () => {
  const data = randomBytes(8 * MiB);
  const r = await hashThrough(data, [65536]);
  assert.equal(r.chunks, 128);
});

test('many bodies at once, and a body failed midway, leave the next digests right', async () => {
  const bodies = Array.from({ length: 12 }, (_, i) => randomBytes(3 * MiB + i * 1000));
  const results = await Promise.all(bodies.map((b) => hashThrough(b, [65536, 300_000])));
  results.forEach((r, i) => assert.equal(r.etag, md5(bodies[i]!), `body ${i}`));

  for (let round = 0; round < 6; round++) {
    const failing = new Readable({ read() {} });
    const h = md5WhileStreaming(failing);
    failing.push(randomBytes(5 * MiB));
    const reading = (async () => { for await (const _ of h.stream) { /* drain */ } })();
    await new Promise((r) => setTimeout(r, 20));
    failing.destroy(new Error('client went away'));
    await assert.rejects(reading, /client went away/);
    assert.throws(() => h.etag(), /before the body was read to its end/);
  }
  const after = randomBytes(6 * MiB + 7);
  assert.equal((await hashThrough(after, [65536])).etag, md5(after));
});

test('hashing threads started by a burst of uploads exit once idle (no descriptors held for good)', async () => {
  const { hashThreadCount } = await import('../../../src/worker/s3/md5-threads.js');
  const bodies = Array.from({ length: 4 }, (_, i) => randomBytes(6 * MiB + i));
  const results = await Promise.all(bodies.map((b) => hashThrough(b, [65536])));
  results.forEach((r, i) => assert.equal(r.etag, md5(bodies[i]!), `body ${i}`));
  // Whether the burst needed more than one thread depends on the cores; that they all go does not.
  const deadline = Date.now() + 60_000;
  while (hashThreadCount() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  assert.equal(hashThreadCount(), 0, 'every idle hashing thread has exited');
  // A thread starts again for the next body.
  const again = randomBytes(5 * MiB);
  assert.equal((await hashThrough(again, [65536])).etag, md5(again));
});

test('a body dropped while its chunk waits for a slot leaves the other bodies of its thread hashing', async () => {
  // With one hashing thread (2 cores) both bodies share it: messages posted for the dropped body
  // after its end reached the thread and killed it, failing the other body.
  for (let round = 0; round < 3; round++) {
    const a = new Readable({ read() {} });
    const ha = md5WhileStreaming(a);
    const aData = randomBytes(6 * MiB);
    const gotA: Buffer[] = [];
    const readingA = (async () => { for await (const c of ha.stream) gotA.push(c as Buffer); })();
    a.push(aData.subarray(0, 3 * MiB));
    const b = new Readable({ read() {} });
    const hb = md5WhileStreaming(b);
    hb.stream.resume();
    b.push(randomBytes(20 * MiB)); // more than the body's slots: the copy waits for the thread
    await new Promise((r) => setImmediate(r));
    hb.stream.destroy(); // what Hashed.abort does
    await new Promise((r) => setTimeout(r, 200));
    a.push(aData.subarray(3 * MiB));
    a.push(null);
    await readingA;
    assert.equal(ha.etag(), md5(aData), `round ${round}`);
    assert.throws(() => hb.etag(), /before the body was read to its end/);
  }
});

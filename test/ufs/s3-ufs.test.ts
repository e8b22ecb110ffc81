import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { S3Ufs } from '../../src/ufs/s3-ufs.js';
import { S3Caller } from '../../src/ufs/s3-retry.js';
import { S3_PART_SIZE, writeS3Object } from '../../src/ufs/s3-write.js';
import { ufsVersion, type UfsStatus } from '../../src/ufs/under-file-system.js';
import { startS3Server, type S3TestServer } from '../support/s3-server.js';

const BUCKET = 'ufs-test';

async function readAll(s: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of s) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

describe('S3Ufs against s3rver', () => {
  let server: S3TestServer;
  let ufs: S3Ufs;
  let raw: S3Client;
  const root = `s3://${BUCKET}/root`;

  /** Every key in the bucket under a prefix, straight from the server. */
  async function keys(prefix: string): Promise<string[]> {
    const out = await raw.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }));
    return (out.Contents ?? []).map((o) => o.Key!).sort();
  }

  before(async () => {
    server = await startS3Server({ buckets: [BUCKET] });
    ufs = new S3Ufs(`${root}/`, { ...server.ufsOptions(), 'alluxio.underfs.s3.request.timeout': '10s' }, { retryBaseDelayMs: 5, retryMaxDelayMs: 50 });
    raw = new S3Client({
      endpoint: server.endpoint, region: 'us-east-1', forcePathStyle: true,
      credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
    });
  });
  after(async () => {
    await ufs?.close();
    raw?.destroy();
    await server?.stop();
  });

  it('writes a small object and reports its status (file, directory, missing)', async () => {
    const body = Buffer.from('hello, under storage');
    const st = await ufs.write(`${root}/status/dir/file.txt`, body);
    const etag = createHash('md5').update(body).digest('hex');
    assert.equal(st.uri, `${root}/status/dir/file.txt`);
    assert.equal(st.length, body.length);
    assert.equal(st.etag, etag, 'etag without quotes');
    assert.equal(st.isDirectory, false);

    const f = await ufs.getStatus(`${root}/status/dir/file.txt`);
    assert.deepEqual({ ...f, lastModifiedMs: 0 }, { ...st, lastModifiedMs: 0 });
    assert.ok(Math.abs(f.lastModifiedMs - Date.now()) < 60_000);

    const d = await ufs.getStatus(`${root}/status/dir`);
    assert.deepEqual({ uri: d.uri, name: d.name, isDirectory: d.isDirectory, length: d.length }, { uri: `${root}/status/dir`, name: 'dir', isDirectory: true, length: 0 });
    const slash = await ufs.getStatus(`${root}/status/dir/`);
    assert.equal(slash.isDirectory, true);
    await assert.rejects(ufs.getStatus(`${root}/status/nothing`), { code: 'ALX_ERR_NOT_FOUND' });
    const r = await ufs.getStatus(`${root}/`);
    assert.equal(r.isDirectory, true);
  });

  it('lists a directory with the delimiter: subdirectories and files, in pages', async () => {
    const base = `${root}/listing`;
    for (const n of ['f3', 'f1', 'f5', 'f2', 'f4']) await ufs.write(`${base}/${n}`, Buffer.from(n));
    // s3rver reports a common prefix only when an object lies directly in it (real S3 has no
    // such limit), so 'sub/' gets a direct child too.
    await ufs.write(`${base}/sub/file`, Buffer.from('sub'));
    await ufs.write(`${base}/sub/deep/file`, Buffer.from('deep'));
    await ufs.mkdir(`${base}/empty`);

    const whole = await ufs.list(base);
    assert.deepEqual(whole.entries.map((e) => `${e.name}${e.isDirectory ? '/' : ''}`), ['empty/', 'f1', 'f2', 'f3', 'f4', 'f5', 'sub/']);
    assert.equal(whole.nextToken, undefined);
    assert.equal(whole.entries.find((e) => e.name === 'sub')!.uri, `${base}/sub`);
    assert.equal(whole.entries.find((e) => e.name === 'f2')!.length, 2);

    // Paging: every entry exactly once, in order, over several pages.
    const seen: UfsStatus[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const p = await ufs.list(base, { limit: 2, ...(token ? { token } : {}) });
      seen.push(...p.entries);
      token = p.nextToken;
      pages++;
    } while (token && pages < 20);
    assert.ok(pages >= 3, `expected several pages, got ${pages}`);
    assert.deepEqual(seen.map((e) => e.name), whole.entries.map((e) => e.name));

    // A directory of files only pages exactly by the limit.
    const files = await ufs.list(`${base}/`, { limit: 2 });
    assert.ok(files.nextToken);

    await assert.rejects(ufs.list(`${root}/listing/nowhere`), { code: 'ALX_ERR_NOT_FOUND' });
    await assert.rejects(ufs.list(`${base}/f1`), { code: 'ALX_ERR_NOT_A_DIRECTORY' });
    assert.deepEqual((await ufs.list(`${base}/empty`)).entries, []);
  });

  it('lists recursively: files, markers and implied directories, paged by a small limit', async () => {
    const base = `${root}/rec`;
    for (const k of ['a/x', 'a/y/z', 'b', 'c/d/e/f']) await ufs.write(`${base}/${k}`, Buffer.from(k));
    await ufs.mkdir(`${base}/m`);
    await ufs.write(`${base}/m/q`, Buffer.from('q'));
    const expected = ['a/', 'a/x', 'a/y/', 'a/y/z', 'b', 'c/', 'c/d/', 'c/d/e/', 'c/d/e/f', 'm/', 'm/q'];

    // A directory whose first key is its own marker still pages (the marker is not an entry).
    const marked = await ufs.list(`${base}/m`, { recursive: true, limit: 1 });
    assert.deepEqual(marked.entries.map((e) => e.name), ['q']);
    assert.equal(marked.nextToken, undefined);
    const markedFlat = await ufs.list(`${base}/m`, { limit: 1 });
    assert.deepEqual(markedFlat.entries.map((e) => e.name), ['q']);

    const whole = await ufs.list(base, { recursive: true });
    assert.deepEqual(whole.entries.map((e) => e.uri.slice(base.length + 1) + (e.isDirectory ? '/' : '')), expected);
    for (const limit of [1, 3]) {
      const seen: string[] = [];
      let token: string | undefined;
      let guard = 0;
      do {
        const p = await ufs.list(base, { recursive: true, limit, ...(token ? { token } : {}) });
        assert.ok(p.entries.length <= limit);
        seen.push(...p.entries.map((e) => e.uri.slice(base.length + 1) + (e.isDirectory ? '/' : '')));
        token = p.nextToken;
      } while (token && ++guard < 50);
      assert.deepEqual(seen, expected, `limit ${limit}`);
    }
  });

  it('reads ranges, and refuses ranges past the end', async () => {
    const data = randomBytes(5000);
    const uri = `${root}/range/blob`;
    await ufs.write(uri, data);
    assert.deepEqual(await readAll(await ufs.openRead(uri, 0, -1)), data);
    assert.deepEqual(await readAll(await ufs.openRead(uri, 1000, 1234)), data.subarray(1000, 2234));
    assert.deepEqual(await readAll(await ufs.openRead(uri, 4999, -1)), data.subarray(4999));
    assert.deepEqual(await readAll(await ufs.openRead(uri, 5000, -1)), Buffer.alloc(0));
    assert.deepEqual(await readAll(await ufs.openRead(uri, 10, 0)), Buffer.alloc(0));
    await assert.rejects(ufs.openRead(uri, 4990, 20), (e: Error & { code: string }) => {
      assert.equal(e.code, 'ALX_ERR_INVALID_RANGE');
      assert.match(e.message, /offset 4990/);
      assert.match(e.message, /length 20/);
      return true;
    });
    await assert.rejects(ufs.openRead(uri, 6000, -1), { code: 'ALX_ERR_INVALID_RANGE' });
    await assert.rejects(ufs.openRead(uri, -5, 1), { code: 'ALX_ERR_INVALID_RANGE' });
    await assert.rejects(ufs.openRead(`${root}/range/none`, 0, 10), { code: 'ALX_ERR_NOT_FOUND' });
    const empty = await ufs.write(`${root}/range/empty`, Buffer.alloc(0));
    assert.equal(empty.length, 0);
    assert.deepEqual(await readAll(await ufs.openRead(`${root}/range/empty`, 0, -1)), Buffer.alloc(0));
    await assert.rejects(ufs.openRead(`${root}/range/empty`, 0, 1), { code: 'ALX_ERR_INVALID_RANGE' });

    const v = ufsVersion(await ufs.getStatus(uri));
    assert.equal((await readAll(await ufs.openRead(uri, 0, 10, { version: v }))).length, 10);
    await ufs.write(uri, Buffer.from('replaced'));
    await assert.rejects(ufs.openRead(uri, 0, 4, { version: v }), { code: 'ALX_ERR_STALE' });
  });

  it('writes a large stream as a multipart upload', async () => {
    const size = S3_PART_SIZE + 3 * 1024 * 1024 + 17;
    const data = randomBytes(size);
    const md5 = createHash('md5').update(data).digest('base64');
    // Unknown length, odd chunk sizes.
    const chunks: Buffer[] = [];
    for (let off = 0; off < size; off += 700_001) chunks.push(data.subarray(off, off + 700_001));
    const st = await ufs.write(`${root}/big/object`, Readable.from(chunks), { contentMd5: md5 });
    assert.equal(st.length, size);
    const back = await readAll(await ufs.openRead(`${root}/big/object`, 0, -1));
    assert.equal(back.length, size);
    assert.ok(back.equals(data));
    const tail = await readAll(await ufs.openRead(`${root}/big/object`, S3_PART_SIZE - 10, 20));
    assert.deepEqual(tail, data.subarray(S3_PART_SIZE - 10, S3_PART_SIZE + 10));
  });

  it('sends one part with PutObject and more as a multipart upload, aborting on failure', async () => {
    const commands: string[] = [];
    raw.middlewareStack.add((next, context) => (args) => {
      commands.push(context.commandName!);
      return next(args);
    }, { step: 'initialize', name: 'recordCommands' });
    const caller = new S3Caller({ maxErrorRetry: 0, requestTimeoutMs: 10_000 });
    const part = 1024 * 1024; // small parts keep the test fast (s3rver has no 5 MiB minimum)
    const target = (key: string) => ({ bucket: BUCKET, key, uri: `s3://${BUCKET}/${key}` });
    try {
      await writeS3Object(raw, caller, target('root/mp/one'), Readable.from([randomBytes(part)]), {}, part);
      assert.deepEqual(commands, ['PutObjectCommand']);

      commands.length = 0;
      const data = randomBytes(2 * part + 5);
      await writeS3Object(raw, caller, target('root/mp/three'), Readable.from([data.subarray(0, 1000), data.subarray(1000)]), { length: data.length }, part);
      assert.deepEqual(commands, ['CreateMultipartUploadCommand', 'UploadPartCommand', 'UploadPartCommand', 'UploadPartCommand', 'CompleteMultipartUploadCommand']);
      assert.ok((await readAll(await ufs.openRead(`${root}/mp/three`, 0, -1))).equals(data));

      commands.length = 0;
      async function* failing(): AsyncGenerator<Buffer> {
        yield randomBytes(part);
        yield randomBytes(part);
        throw new Error('producer died');
      }
      await assert.rejects(writeS3Object(raw, caller, target('root/mp/broken'), Readable.from(failing()), {}, part), /producer died/);
      assert.equal(commands[0], 'CreateMultipartUploadCommand');
      assert.equal(commands.at(-1), 'AbortMultipartUploadCommand');
      assert.ok(!commands.includes('CompleteMultipartUploadCommand'));
      assert.deepEqual(await keys('root/mp/'), ['root/mp/one', 'root/mp/three']);
    } finally {
      raw.middlewareStack.remove('recordCommands');
    }
  });

  it('checks Content-MD5 and writes nothing on a mismatch, small or multipart', async () => {
    const wrong = createHash('md5').update('something else').digest('base64');
    await assert.rejects(ufs.write(`${root}/md5/small`, Buffer.from('abc'), { contentMd5: wrong }), { code: 'ALX_ERR_INVALID_ARGUMENT' });
    const big = randomBytes(S3_PART_SIZE + 1000);
    await assert.rejects(ufs.write(`${root}/md5/big`, Readable.from([big]), { contentMd5: wrong }), /Content-MD5/);
    assert.deepEqual(await keys('root/md5/'), []);
  });

  it('deletes files and directories (recursive in batches), refusing a non-empty one', async () => {
    const base = `${root}/del`;
    for (let i = 0; i < 12; i++) await ufs.write(`${base}/d/sub${i % 3}/f${i}`, Buffer.from(`${i}`));
    await ufs.write(`${base}/single`, Buffer.from('x'));
    await ufs.delete(`${base}/single`);
    await assert.rejects(ufs.getStatus(`${base}/single`), { code: 'ALX_ERR_NOT_FOUND' });
    await assert.rejects(ufs.delete(`${base}/d`), { code: 'ALX_ERR_DIRECTORY_NOT_EMPTY' });
    assert.equal((await keys('root/del/d/')).length, 12);
    await ufs.delete(`${base}/d`, { recursive: true });
    assert.deepEqual(await keys('root/del/'), []);
    await assert.rejects(ufs.delete(`${base}/d`), { code: 'ALX_ERR_NOT_FOUND' });
    await ufs.mkdir(`${base}/empty`); // also marks the parent, which no key implies any more
    await ufs.delete(`${base}/empty`);
    assert.deepEqual(await keys('root/del/'), ['root/del/']);
    await assert.rejects(ufs.delete(`${root}/`, { recursive: true }), { code: 'ALX_ERR_INVALID_PATH' });
  });

  it('makes directories as zero-byte markers', async () => {
    await ufs.mkdir(`${root}/mk/a/b`);
    assert.deepEqual(await keys('root/mk/'), ['root/mk/', 'root/mk/a/', 'root/mk/a/b/']);
    const st = await ufs.getStatus(`${root}/mk/a/b`);
    assert.equal(st.isDirectory, true);
    assert.ok(st.lastModifiedMs > 0, 'a marker carries a modification time');
    await ufs.mkdir(`${root}/mk/a/b`); // idempotent
    await assert.rejects(ufs.mkdir(`${root}/mk2/x`, { recursive: false }), { code: 'ALX_ERR_NOT_FOUND' });
    await ufs.write(`${root}/mk/file`, Buffer.from('f'));
    await assert.rejects(ufs.mkdir(`${root}/mk/file`), { code: 'ALX_ERR_ALREADY_EXISTS' });
    await assert.rejects(ufs.mkdir(`${root}/mk/file/sub`), { code: 'ALX_ERR_NOT_A_DIRECTORY' });
  });

  it('renames a file and a directory by copy and delete', async () => {
    await ufs.write(`${root}/rn/src.txt`, Buffer.from('moving'));
    await ufs.rename(`${root}/rn/src.txt`, `${root}/rn/dst.txt`);
    assert.equal((await readAll(await ufs.openRead(`${root}/rn/dst.txt`, 0, -1))).toString(), 'moving');
    await assert.rejects(ufs.getStatus(`${root}/rn/src.txt`), { code: 'ALX_ERR_NOT_FOUND' });

    await ufs.write(`${root}/rn/dir/a`, Buffer.from('A'));
    await ufs.write(`${root}/rn/dir/sp ace/b_c (1)`, Buffer.from('B'));
    await ufs.mkdir(`${root}/rn/dir/m`);
    await ufs.rename(`${root}/rn/dir`, `${root}/rn/moved`);
    assert.deepEqual(await keys('root/rn/'), ['root/rn/dst.txt', 'root/rn/moved/a', 'root/rn/moved/m/', 'root/rn/moved/sp ace/b_c (1)']);
    assert.equal((await readAll(await ufs.openRead(`${root}/rn/moved/sp ace/b_c (1)`, 0, -1))).toString(), 'B');
    await assert.rejects(ufs.rename(`${root}/rn/none`, `${root}/rn/x`), { code: 'ALX_ERR_NOT_FOUND' });
    await assert.rejects(ufs.rename(`${root}/rn/moved`, `${root}/rn/moved/inside`), { code: 'ALX_ERR_INVALID_ARGUMENT' });
  });

  it('keeps every URI inside the mount: other buckets, other prefixes and .. are refused', async () => {
    for (const bad of [`s3://other/root/x`, `s3://${BUCKET}/elsewhere/x`, `${root}/../elsewhere/x`, `s3://${BUCKET}/rootx/y`, `file:///root/x`]) {
      await assert.rejects(ufs.getStatus(bad), { code: 'ALX_ERR_INVALID_PATH' }, bad);
      await assert.rejects(ufs.write(bad, Buffer.from('x')), { code: 'ALX_ERR_INVALID_PATH' }, bad);
    }
    // The s3a spelling of the same bucket is accepted.
    await ufs.write(`${root}/alias`, Buffer.from('a'));
    assert.equal((await ufs.getStatus(`s3a://${BUCKET}/root/alias`)).uri, `${root}/alias`);
  });

  it('checks a write\'s precondition at its commit, one commit per key at a time (single PUT and multipart)', async () => {
    const refused = new Error('precondition refused');
    const ifAbsent = async (current: UfsStatus | undefined) => { if (current !== undefined) throw refused; };
    for (const [name, size] of [['small', 1000], ['multipart', S3_PART_SIZE + 1000]] as const) {
      const uri = `${root}/cond/${name}`;
      const bodies = [randomBytes(size), randomBytes(size)];
      // Two writes of one new key race: exactly one passes, and the object is its body.
      const results = await Promise.allSettled(bodies.map((b) => ufs.write(uri, Readable.from([b]), { precondition: ifAbsent })));
      const won = results.findIndex((r) => r.status === 'fulfilled');
      assert.deepEqual(results.map((r) => r.status).sort(), ['fulfilled', 'rejected'], name);
      assert.equal((results[1 - won] as PromiseRejectedResult).reason, refused, `${name}: the precondition's own error`);
      const st = await ufs.getStatus(uri);
      assert.ok((await readAll(await ufs.openRead(uri, 0, st.length))).equals(bodies[won]!), name);
      // A precondition that sees the current version lets the write replace it.
      let seen: UfsStatus | undefined;
      await ufs.write(uri, Buffer.from('next'), { precondition: async (c) => { seen = c; } });
      assert.equal(seen && ufsVersion(seen), ufsVersion(st), name);
    }
  });

  it('works again after the server process restarts (crash recovery helper)', async () => {
    await ufs.write(`${root}/restart/f`, Buffer.from('persisted'));
    process.kill(server.pid, 'SIGKILL'); // a crash
    await server.exited();
    assert.equal(server.running, false);
    await assert.rejects(ufs.getStatus(`${root}/restart/f`), { code: 'ALX_ERR_UFS_UNAVAILABLE' });
    await server.restart();
    assert.equal(server.running, true);
    assert.equal((await readAll(await ufs.openRead(`${root}/restart/f`, 0, -1))).toString(), 'persisted');
  });
});

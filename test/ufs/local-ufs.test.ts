import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { LOCAL_TMP_PREFIX, LocalUfs } from '../../src/ufs/local-ufs.js';
import { ufsVersion } from '../../src/ufs/under-file-system.js';
import type { UfsStatus, UnderFileSystem } from '../../src/ufs/under-file-system.js';
import { makeTempDir, type TempDir } from '../support/tmp.js';

async function readAll(s: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of s) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

async function listAll(ufs: UnderFileSystem, uri: string, opts: { recursive?: boolean; limit?: number }): Promise<{ pages: UfsStatus[][] }> {
  const pages: UfsStatus[][] = [];
  let token: string | undefined;
  do {
    const p = await ufs.list(uri, { ...opts, ...(token !== undefined ? { token } : {}) });
    pages.push(p.entries);
    token = p.nextToken;
    assert.ok(pages.length < 100, 'listing does not terminate');
  } while (token !== undefined);
  return { pages };
}

const md5b64 = (b: Buffer | string): string => createHash('md5').update(b).digest('base64');

describe('LocalUfs', () => {
  let tmp: TempDir;
  let root: string;
  let ufs: LocalUfs;

  before(async () => {
    tmp = await makeTempDir('alluxio-localufs-');
    root = join(tmp.path, 'root');
    await mkdir(root);
    ufs = new LocalUfs(`file://${root}`);
  });
  after(async () => {
    await ufs.close();
    await tmp.cleanup();
  });

  it('writes a streamed body of many uneven chunks byte for byte, also past the write queue', async () => {
    // 12 MiB in 1..300 KiB chunks: writes overlap the body (several queued chunks per writev) and
    // the queue fills, so back-pressure pauses the body; every byte must land in order.
    const chunks: Buffer[] = [];
    let seed = 7;
    for (let n = 0; n < 12 << 20;) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      const c = Buffer.alloc(Math.min(1 + (seed % (300 << 10)), (12 << 20) - n), seed & 0xff);
      if (c.length >= 4) c.writeUInt32LE(n, 0); // each chunk names its offset: a reordered chunk shows
      chunks.push(c);
      n += c.length;
    }
    const whole = Buffer.concat(chunks);
    const s = await ufs.write(`file://${root}/streamed.bin`, Readable.from(chunks), { length: whole.length });
    assert.equal(s.length, whole.length);
    assert.ok((await readFile(join(root, 'streamed.bin'))).equals(whole), 'the file holds the body in order');
  });

  it('reports status of files and directories, with URIs in the root\'s spelling', async () => {
    await mkdir(join(root, 'st/dir'), { recursive: true });
    await writeFile(join(root, 'st/file.bin'), Buffer.alloc(1234, 1));
    const when = new Date('2024-03-01T10:00:00.250Z');
    await utimes(join(root, 'st/file.bin'), when, when);

    const f = await ufs.getStatus(`file://${root}/st/file.bin`);
    const st = await stat(join(root, 'st/file.bin'), { bigint: true });
    assert.deepEqual(f, {
      uri: `file://${root}/st/file.bin`, name: 'file.bin', isDirectory: false, length: 1234, lastModifiedMs: when.getTime(),
      ctimeNs: String(st.ctimeNs), ino: String(st.ino), dev: String(st.dev),
    });
    const d = await ufs.getStatus(`file://${root}/st/dir`);
    assert.equal(d.isDirectory, true);
    assert.equal(d.length, 0);
    assert.equal(d.name, 'dir');

    // A plain-path root answers with plain paths, and accepts file:// URIs too.
    const plain = new LocalUfs(root);
    const p = await plain.getStatus(`file://${root}/st/file.bin`);
    assert.equal(p.uri, `${root}/st/file.bin`);

    await assert.rejects(ufs.getStatus(`file://${root}/st/missing`), { code: 'ALX_ERR_NOT_FOUND' });
  });

  it('a replacement that restores the mtime (cp -p, rsync -a, tar x) is a new version', async () => {
    const path = join(root, 'cp-p.bin');
    const uri = `file://${root}/cp-p.bin`;
    const when = new Date('2024-03-01T10:00:00.250Z');
    await writeFile(path, Buffer.alloc(4096, 1));
    await utimes(path, when, when);
    const v1 = ufsVersion(await ufs.getStatus(uri));
    // Same inode rewritten, same length, mtime put back: only the ctime tells.
    await new Promise((r) => setTimeout(r, 20));
    await writeFile(path, Buffer.alloc(4096, 2));
    await utimes(path, when, when);
    const v2 = ufsVersion(await ufs.getStatus(uri));
    assert.notEqual(v2, v1, 'a rewrite with the mtime restored kept the version');
    // A new file renamed over the path (what cp -p to a temp name and rsync do): a new inode.
    const tmpPath = join(root, 'cp-p.tmp');
    await writeFile(tmpPath, Buffer.alloc(4096, 3));
    await utimes(tmpPath, when, when);
    await rename(tmpPath, path);
    const v3 = ufsVersion(await ufs.getStatus(uri));
    assert.notEqual(v3, v2, 'a file renamed over the path kept the version');
    // A read pinned to an earlier version is refused, not served with the new bytes.
    await assert.rejects(ufs.openRead(uri, 0, -1, { version: v1 }), (err: Error & { code?: string }) => err.code === 'ALX_ERR_STALE' && /changed during the read/.test(err.message));
    assert.ok((await readAll(await ufs.openRead(uri, 0, -1, { version: v3 }))).equals(Buffer.alloc(4096, 3)));
    // A length change reads as a change too, not as a bad range.
    await writeFile(path, Buffer.alloc(100, 4));
    await assert.rejects(ufs.openRead(uri, 1000, 2000, { version: v3 }), { code: 'ALX_ERR_STALE' });
  });

  it('lists a directory sorted by name, one page at a time', async () => {
    const dir = join(root, 'paged');
    await mkdir(dir);
    const names = ['b', 'a', 'e', 'c', 'd', 'f', 'g'];
    for (const n of names) await writeFile(join(dir, n), n);
    await mkdir(join(dir, 'ca'));
    await writeFile(join(dir, `${LOCAL_TMP_PREFIX}inflight`), 'x'); // in-flight writes are hidden

    const { pages } = await listAll(ufs, `file://${dir}`, { limit: 3 });
    assert.deepEqual(pages.map((p) => p.length), [3, 3, 2]);
    const all = pages.flat();
    assert.deepEqual(all.map((e) => e.name), ['a', 'b', 'c', 'ca', 'd', 'e', 'f', 'g']);
    assert.equal(all.find((e) => e.name === 'ca')!.isDirectory, true);
    assert.equal(all.find((e) => e.name === 'e')!.uri, `file://${dir}/e`);
    assert.equal(all.find((e) => e.name === 'e')!.length, 1);

    const whole = await ufs.list(`file://${dir}`);
    assert.equal(whole.nextToken, undefined);
    assert.equal(whole.entries.length, 8);
  });

  it('lists recursively with full URIs, paging through nested directories', async () => {
    const dir = join(root, 'tree');
    for (const f of ['a/x', 'a/y/z', 'a-b', 'b/c/d/e', 'b/c/f', 'c']) {
      await mkdir(join(dir, f, '..'), { recursive: true });
      await writeFile(join(dir, f), f);
    }
    await mkdir(join(dir, 'empty'));
    const expected = ['a', 'a/x', 'a/y', 'a/y/z', 'a-b', 'b', 'b/c', 'b/c/d', 'b/c/d/e', 'b/c/f', 'c', 'empty'];

    const whole = await ufs.list(`file://${dir}`, { recursive: true });
    assert.deepEqual(whole.entries.map((e) => e.uri), expected.map((r) => `file://${dir}/${r}`));
    assert.equal(whole.entries.find((e) => e.uri.endsWith('/b/c'))!.isDirectory, true);

    for (const limit of [1, 2, 5]) {
      const { pages } = await listAll(ufs, `file://${dir}`, { recursive: true, limit });
      assert.ok(pages.every((p) => p.length <= limit));
      assert.deepEqual(pages.flat().map((e) => e.uri.slice(`file://${dir}/`.length)), expected, `limit ${limit}`);
    }
  });

  it('refuses to list a file or a missing directory', async () => {
    await writeFile(join(root, 'plainfile'), 'x');
    await assert.rejects(ufs.list(`file://${root}/plainfile`), { code: 'ALX_ERR_NOT_A_DIRECTORY' });
    await assert.rejects(ufs.list(`file://${root}/nodir`), { code: 'ALX_ERR_NOT_FOUND' });
    await assert.rejects(ufs.list(`file://${root}`, { limit: 0 }), { code: 'ALX_ERR_INVALID_ARGUMENT' });
  });

  it('reads byte ranges, and refuses ranges past the end or negative', async () => {
    const data = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 251));
    await writeFile(join(root, 'ranged'), data);
    const uri = `file://${root}/ranged`;
    assert.deepEqual(await readAll(await ufs.openRead(uri, 0, -1)), data);
    assert.deepEqual(await readAll(await ufs.openRead(uri, 100, 50)), data.subarray(100, 150));
    assert.deepEqual(await readAll(await ufs.openRead(uri, 990, -1)), data.subarray(990));
    assert.deepEqual(await readAll(await ufs.openRead(uri, 1000, -1)), Buffer.alloc(0));
    assert.deepEqual(await readAll(await ufs.openRead(uri, 5, 0)), Buffer.alloc(0));

    await assert.rejects(ufs.openRead(uri, 990, 20), (e: Error & { code: string }) => {
      assert.equal(e.code, 'ALX_ERR_INVALID_RANGE');
      assert.match(e.message, /offset 990/);
      assert.match(e.message, /length 20/);
      return true;
    });
    await assert.rejects(ufs.openRead(uri, 1001, -1), { code: 'ALX_ERR_INVALID_RANGE' });
    await assert.rejects(ufs.openRead(uri, -1, 10), { code: 'ALX_ERR_INVALID_RANGE' });
    await assert.rejects(ufs.openRead(uri, 0, -2), { code: 'ALX_ERR_INVALID_RANGE' });
    await assert.rejects(ufs.openRead(uri, 1.5, 1), { code: 'ALX_ERR_INVALID_RANGE' });
    await assert.rejects(ufs.openRead(`file://${root}`, 0, 1), { code: 'ALX_ERR_IS_A_DIRECTORY' });
    await assert.rejects(ufs.openRead(`file://${root}/nope`, 0, 1), { code: 'ALX_ERR_NOT_FOUND' });
  });

  it('refuses a read whose expected version is not the file\'s', async () => {
    await writeFile(join(root, 'versioned'), 'one');
    const uri = `file://${root}/versioned`;
    const v = ufsVersion(await ufs.getStatus(uri));
    assert.equal((await readAll(await ufs.openRead(uri, 0, -1, { version: v }))).toString(), 'one');
    await ufs.write(uri, Buffer.from('three'));
    await assert.rejects(ufs.openRead(uri, 0, -1, { version: v }), { code: 'ALX_ERR_STALE' });
  });

  it('writes atomically: a reader during the write sees the old content', async () => {
    const uri = `file://${root}/atomic/target`;
    await ufs.write(uri, Buffer.from('old content'));

    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    async function* slowBody(): AsyncGenerator<Buffer> {
      yield Buffer.from('new ');
      await gate; // hold the write open half-way
      yield Buffer.from('content!');
    }
    const writing = ufs.write(uri, Readable.from(slowBody()));
    // Wait until the temp file exists, so the write is under way.
    for (let i = 0; i < 200 && !(await readdir(join(root, 'atomic'))).some((n) => n.startsWith(LOCAL_TMP_PREFIX)); i++) {
      await new Promise((r) => setTimeout(r, 5));
    }
    assert.ok((await readdir(join(root, 'atomic'))).some((n) => n.startsWith(LOCAL_TMP_PREFIX)), 'temp file appears during the write');
    assert.equal((await readAll(await ufs.openRead(uri, 0, -1))).toString(), 'old content');
    assert.equal((await ufs.getStatus(uri)).length, 'old content'.length);
    // A stream opened before the rename keeps reading the old file.
    const early = await ufs.openRead(uri, 0, -1);
    release();
    const st = await writing;
    assert.equal(st.length, 'new content!'.length);
    assert.equal((await readAll(early)).toString(), 'old content');
    assert.equal((await readFile(join(root, 'atomic/target'))).toString(), 'new content!');
    assert.deepEqual((await readdir(join(root, 'atomic'))), ['target'], 'no temp file left');
  });

  it('verifies Content-MD5 and length, and writes nothing on a mismatch', async () => {
    const uri = `file://${root}/md5/file`;
    const st = await ufs.write(uri, Buffer.from('payload'), { contentMd5: md5b64('payload') });
    assert.equal(st.length, 7);

    await assert.rejects(ufs.write(uri, Readable.from([Buffer.from('other')]), { contentMd5: md5b64('payload') }), (e: Error & { code: string }) => {
      assert.equal(e.code, 'ALX_ERR_INVALID_ARGUMENT');
      assert.match(e.message, /Content-MD5/);
      return true;
    });
    await assert.rejects(ufs.write(`file://${root}/md5/fresh`, Buffer.from('abc'), { contentMd5: md5b64('abd') }), { code: 'ALX_ERR_INVALID_ARGUMENT' });
    await assert.rejects(ufs.write(`file://${root}/md5/fresh`, Readable.from([Buffer.from('abc')]), { length: 4 }), { code: 'ALX_ERR_INVALID_ARGUMENT' });
    await assert.rejects(ufs.write(`file://${root}/md5/fresh`, Buffer.from('abc'), { contentMd5: 'not-base64' }), { code: 'ALX_ERR_INVALID_ARGUMENT' });
    assert.equal((await readFile(join(root, 'md5/file'))).toString(), 'payload');
    assert.deepEqual(await readdir(join(root, 'md5')), ['file'], 'neither the new file nor a temp file exists');
  });

  it('a failing body stream leaves the old file and no temp file', async () => {
    const uri = `file://${root}/failing/file`;
    await ufs.write(uri, Buffer.from('keep me'));
    async function* broken(): AsyncGenerator<Buffer> {
      yield Buffer.from('partial');
      throw new Error('producer failed');
    }
    await assert.rejects(ufs.write(uri, Readable.from(broken())));
    assert.equal((await readFile(join(root, 'failing/file'))).toString(), 'keep me');
    assert.deepEqual(await readdir(join(root, 'failing')), ['file']);
  });

  it('deletes files and directories; a non-empty directory needs recursive', async () => {
    await mkdir(join(root, 'del/sub'), { recursive: true });
    await writeFile(join(root, 'del/sub/f'), 'x');
    await writeFile(join(root, 'del/g'), 'y');
    await ufs.delete(`file://${root}/del/g`);
    await assert.rejects(stat(join(root, 'del/g')));
    await assert.rejects(ufs.delete(`file://${root}/del`), { code: 'ALX_ERR_DIRECTORY_NOT_EMPTY' });
    assert.ok((await stat(join(root, 'del/sub/f'))).isFile());
    await ufs.delete(`file://${root}/del`, { recursive: true });
    await assert.rejects(stat(join(root, 'del')));
    await assert.rejects(ufs.delete(`file://${root}/del`), { code: 'ALX_ERR_NOT_FOUND' });
    await mkdir(join(root, 'emptydir'));
    await ufs.delete(`file://${root}/emptydir`);
    await assert.rejects(stat(join(root, 'emptydir')));
    await assert.rejects(ufs.delete(`file://${root}`, { recursive: true }), { code: 'ALX_ERR_INVALID_PATH' });
  });

  it('makes directories, recursively by default, idempotently', async () => {
    await ufs.mkdir(`file://${root}/mk/a/b`);
    assert.ok((await stat(join(root, 'mk/a/b'))).isDirectory());
    await ufs.mkdir(`file://${root}/mk/a/b`); // again: no error
    await assert.rejects(ufs.mkdir(`file://${root}/mk2/a`, { recursive: false }), { code: 'ALX_ERR_NOT_FOUND' });
    await writeFile(join(root, 'mk/file'), 'x');
    await assert.rejects(ufs.mkdir(`file://${root}/mk/file`), { code: 'ALX_ERR_ALREADY_EXISTS' });
  });

  it('renames files and directories', async () => {
    await mkdir(join(root, 'rn/d'), { recursive: true });
    await writeFile(join(root, 'rn/d/f'), 'content');
    await ufs.rename(`file://${root}/rn/d/f`, `file://${root}/rn/new/place/f2`);
    assert.equal((await readFile(join(root, 'rn/new/place/f2'))).toString(), 'content');
    await assert.rejects(stat(join(root, 'rn/d/f')));
    await ufs.rename(`file://${root}/rn/new`, `file://${root}/rn/moved`);
    assert.equal((await readFile(join(root, 'rn/moved/place/f2'))).toString(), 'content');
    await assert.rejects(ufs.rename(`file://${root}/rn/missing`, `file://${root}/rn/x`), { code: 'ALX_ERR_NOT_FOUND' });
  });

  it('refuses URIs with .. and URIs outside the root', async () => {
    await writeFile(join(tmp.path, 'secret'), 'outside');
    for (const bad of [`file://${root}/../secret`, `file://${root}/a/../../secret`, `${root}/../secret`]) {
      await assert.rejects(ufs.getStatus(bad), { code: 'ALX_ERR_INVALID_PATH' }, bad);
      await assert.rejects(ufs.openRead(bad, 0, -1), { code: 'ALX_ERR_INVALID_PATH' }, bad);
      await assert.rejects(ufs.write(bad, Buffer.from('x')), { code: 'ALX_ERR_INVALID_PATH' }, bad);
      await assert.rejects(ufs.delete(bad), { code: 'ALX_ERR_INVALID_PATH' }, bad);
    }
    await assert.rejects(ufs.getStatus(`file://${tmp.path}/secret`), { code: 'ALX_ERR_INVALID_PATH' });
    await assert.rejects(ufs.getStatus(`file://${root}x/y`), { code: 'ALX_ERR_INVALID_PATH' }, 'a sibling with the root as a name prefix');
    await assert.rejects(ufs.rename(`file://${root}/rn`, `file://${tmp.path}/stolen`), { code: 'ALX_ERR_INVALID_PATH' });
    await assert.rejects(ufs.getStatus(`file://otherhost${root}/x`), { code: 'ALX_ERR_INVALID_PATH' });
    await assert.rejects(ufs.getStatus(`s3://bucket${root}`), { code: 'ALX_ERR_INVALID_PATH' });
    assert.equal((await readFile(join(tmp.path, 'secret'))).toString(), 'outside');
  });

  it('does not follow a symlinked directory out of the tree when listing recursively', async () => {
    await mkdir(join(root, 'links/real'), { recursive: true });
    await writeFile(join(root, 'links/real/f'), 'x');
    await symlink(join(root, 'links'), join(root, 'links/loop'));
    const page = await ufs.list(`file://${root}/links`, { recursive: true });
    assert.deepEqual(page.entries.map((e) => e.name), ['loop', 'real', 'f']);
  });

  it('refuses to read a FIFO in the UFS, at once, instead of blocking a thread on it', async () => {
    const dir = await makeTempDir('local-ufs-fifo');
    try {
      execFileSync('mkfifo', [join(dir.path, 'pipe')]);
      const fifoUfs = new LocalUfs(`file://${dir.path}`, {});
      const outcome = await Promise.race([
        fifoUfs.openRead(`file://${dir.path}/pipe`, 0, -1).then(() => 'opened', (err: Error) => err.message),
        new Promise<string>((r) => setTimeout(() => r('hung'), 20_000).unref()),
      ]);
      assert.match(outcome, /not a regular file/);
    } finally {
      await dir.cleanup();
    }
  });
});

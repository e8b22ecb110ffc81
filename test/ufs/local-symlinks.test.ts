// Symbolic links in a local UFS: links leading out of the root are refused for every operation
// and left out of listings; links that stay inside are followed only when the property allows.
import assert from 'node:assert/strict';
import { existsSync, lstatSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { LOCAL_SYMLINKS_KEY } from '../../src/ufs/local-path-guard.js';
import { LocalUfs } from '../../src/ufs/local-ufs.js';
import { makeTempDir, type TempDir } from '../support/tmp.js';

async function readAll(s: Readable): Promise<string> {
  const parts: Buffer[] = [];
  for await (const c of s) parts.push(c as Buffer);
  return Buffer.concat(parts).toString();
}

const DENIED = (err: unknown): boolean => (err as { code?: string }).code === 'ALX_ERR_PERMISSION_DENIED';

describe('LocalUfs and symbolic links', () => {
  let tmp: TempDir;
  let root: string;
  let outside: string;
  /** The outside dir's names and contents before the test: nothing may change them. */
  let outsideBefore: string;

  const snapshot = (): string => JSON.stringify(readdirSync(outside, { recursive: true }).sort().map((n) => {
    const p = join(outside, String(n));
    return [n, lstatSync(p).isFile() ? readFileSync(p, 'utf8') : 'dir'];
  }));

  before(async () => {
    tmp = await makeTempDir('alluxio-symlinks-');
    root = join(tmp.path, 'root');
    outside = join(tmp.path, 'outside');
    await mkdir(join(root, 'dir'), { recursive: true });
    await mkdir(join(outside, 'sub'), { recursive: true });
    await writeFile(join(outside, 'secret.txt'), 'secret');
    await writeFile(join(outside, 'sub/deep.txt'), 'deep');
    await writeFile(join(root, 'plain.txt'), 'plain');
    await writeFile(join(root, 'dir/a.txt'), 'inner');
    await symlink('../outside/secret.txt', join(root, 'esc-file'));
    await symlink('../outside', join(root, 'esc-dir'));
    await symlink(outside, join(root, 'dir/esc-abs'));
    await symlink('../outside/not-yet', join(root, 'dangling'));
    await symlink('dir', join(root, 'in-link'));
    await symlink('a.txt', join(root, 'dir/a-link'));
    outsideBefore = snapshot();
  });
  after(async () => tmp.cleanup());

  for (const follow of [undefined, 'true', 'false']) {
    describe(`with ${LOCAL_SYMLINKS_KEY}=${follow ?? '(default)'}`, () => {
      let ufs: LocalUfs;
      before(() => {
        ufs = new LocalUfs(`file://${root}`, follow === undefined ? {} : { [LOCAL_SYMLINKS_KEY]: follow });
      });

      it('refuses to read, stat or list through a link that leaves the root', async () => {
        for (const p of ['esc-file', 'esc-dir/secret.txt', 'esc-dir/sub/deep.txt', 'dir/esc-abs/secret.txt']) {
          await assert.rejects(ufs.openRead(`file://${root}/${p}`, 0, -1), DENIED, p);
          await assert.rejects(ufs.getStatus(`file://${root}/${p}`), DENIED, p);
        }
        await assert.rejects(ufs.list(`file://${root}/esc-dir`), DENIED);
        await assert.rejects(ufs.list(`file://${root}/dir/esc-abs`, { recursive: true }), DENIED);
      });

      it('refuses writes, deletes, mkdirs and renames through such a link; nothing outside changes', async () => {
        const u = (p: string): string => `file://${root}/${p}`;
        for (const p of ['esc-file', 'esc-dir/secret.txt', 'esc-dir/new.txt', 'dir/esc-abs/sub/new.txt', 'dangling', 'dangling/x.txt']) {
          await assert.rejects(ufs.write(u(p), Buffer.from('overwritten')), DENIED, `write ${p}`);
        }
        for (const p of ['esc-file', 'esc-dir/secret.txt', 'esc-dir/sub', 'dir/esc-abs/sub/deep.txt']) {
          await assert.rejects(ufs.delete(u(p), { recursive: true }), DENIED, `delete ${p}`);
        }
        for (const p of ['esc-dir/made', 'dangling', 'dangling/sub']) {
          await assert.rejects(ufs.mkdir(u(p), { recursive: true }), DENIED, `mkdir ${p}`);
        }
        await assert.rejects(ufs.rename(u('esc-dir/secret.txt'), u('stolen.txt')), DENIED);
        await assert.rejects(ufs.rename(u('plain.txt'), u('esc-dir/planted.txt')), DENIED);
        await assert.rejects(ufs.rename(u('plain.txt'), u('dangling')), DENIED);
        assert.equal(snapshot(), outsideBefore);
        assert.equal(readFileSync(join(root, 'plain.txt'), 'utf8'), 'plain');
        assert.ok(!existsSync(join(root, 'stolen.txt')));
        assert.ok(lstatSync(join(root, 'esc-file')).isSymbolicLink());
      });

      it('leaves escaping links out of listings and lists inner links only when followed', async () => {
        const followed = follow !== 'false';
        const top = (await ufs.list(`file://${root}`)).entries.map((e) => e.name).sort();
        assert.deepEqual(top, followed ? ['dir', 'in-link', 'plain.txt'] : ['dir', 'plain.txt']);
        const all = (await ufs.list(`file://${root}`, { recursive: true })).entries.map((e) => e.uri.slice(`file://${root}/`.length)).sort();
        assert.deepEqual(all, followed
          ? ['dir', 'dir/a-link', 'dir/a.txt', 'in-link', 'plain.txt']
          : ['dir', 'dir/a.txt', 'plain.txt']);
      });

      it('follows a link that stays inside the root only when allowed', async () => {
        const followed = follow !== 'false';
        for (const p of ['in-link/a.txt', 'dir/a-link']) {
          if (followed) assert.equal(await readAll(await ufs.openRead(`file://${root}/${p}`, 0, -1)), 'inner');
          else await assert.rejects(ufs.openRead(`file://${root}/${p}`, 0, -1), DENIED, p);
        }
        if (followed) {
          await ufs.write(`file://${root}/in-link/b.txt`, Buffer.from('via link'));
          assert.equal(readFileSync(join(root, 'dir/b.txt'), 'utf8'), 'via link');
          await ufs.delete(`file://${root}/in-link/b.txt`);
          assert.ok(!existsSync(join(root, 'dir/b.txt')));
        } else {
          await assert.rejects(ufs.write(`file://${root}/in-link/b.txt`, Buffer.from('via link')), DENIED);
          await assert.rejects(ufs.getStatus(`file://${root}/in-link`), DENIED);
          assert.ok(!existsSync(join(root, 'dir/b.txt')));
        }
        // Plain paths are unaffected either way.
        assert.equal(await readAll(await ufs.openRead(`file://${root}/dir/a.txt`, 0, -1)), 'inner');
        await ufs.write(`file://${root}/dir/new/c.txt`, Buffer.from('c'));
        await ufs.rename(`file://${root}/dir/new/c.txt`, `file://${root}/dir/new/d.txt`);
        await ufs.delete(`file://${root}/dir/new`, { recursive: true });
      });
    });
  }

  it('accepts a root that is itself a link, even when links are not followed', async () => {
    await symlink(root, join(tmp.path, 'root-link'));
    const ufs = new LocalUfs(join(tmp.path, 'root-link'), { [LOCAL_SYMLINKS_KEY]: 'false' });
    assert.equal(await readAll(await ufs.openRead(join(tmp.path, 'root-link/plain.txt'), 0, -1)), 'plain');
    await assert.rejects(ufs.openRead(join(tmp.path, 'root-link/esc-file'), 0, -1), DENIED);
  });

  it('names the Alluxio-side path, not the link target, when it refuses', async () => {
    const ufs = new LocalUfs(`file://${root}`);
    const err = await ufs.openRead(`file://${root}/esc-file`, 0, -1).catch((e: Error) => e);
    assert.ok(err instanceof Error);
    assert.match(err.message, /esc-file/);
    assert.ok(!err.message.includes(outside) && !err.message.includes('secret.txt'), err.message);
  });

  it('refuses a bad property value naming the key', () => {
    assert.throws(() => new LocalUfs(`file://${root}`, { [LOCAL_SYMLINKS_KEY]: 'maybe' }), new RegExp(LOCAL_SYMLINKS_KEY.replace(/\./g, '\\.')));
  });
});

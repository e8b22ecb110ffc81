// A real worker over a local root mount holding `bucket/esc -> ../../outside`: neither the REST
// API nor the S3 API reads, writes, deletes or moves anything outside the mount's root; a link
// that stays inside works only when alluxio.underfs.local.symlinks.within.root.allowed is true.
import assert from 'node:assert/strict';
import { existsSync, lstatSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startS3TestCluster, type S3TestCluster } from '../support/s3-clients.js';

async function req(url: string, init: RequestInit = {}): Promise<{ status: number; text: string }> {
  const r = await fetch(url, { redirect: 'manual', ...init });
  return { status: r.status, text: await r.text() };
}

async function setUp(c: S3TestCluster): Promise<string> {
  const outside = join(c.tmp.path, 'outside');
  await mkdir(join(outside, 'sub'), { recursive: true });
  await writeFile(join(outside, 'secret.txt'), 'secret');
  await writeFile(join(outside, 'sub/deep.txt'), 'deep');
  await symlink('../../outside', join(c.ufsDir, 'bucket/esc'));
  await symlink('../../outside/secret.txt', join(c.ufsDir, 'bucket/esc-file'));
  await mkdir(join(c.ufsDir, 'bucket/dir'));
  await writeFile(join(c.ufsDir, 'bucket/dir/a.txt'), 'inner');
  await writeFile(join(c.ufsDir, 'bucket/plain.txt'), 'plain');
  await symlink('dir', join(c.ufsDir, 'bucket/in-link'));
  return outside;
}

function snapshot(dir: string): string {
  return JSON.stringify(readdirSync(dir, { recursive: true }).map(String).sort().map((n) => {
    const p = join(dir, n);
    return [n, lstatSync(p).isFile() ? readFileSync(p, 'utf8') : 'dir'];
  }));
}

describe('worker: symbolic links leaving a local UFS root', () => {
  let c: S3TestCluster;
  let rest: string;
  let s3: string;
  let outside: string;
  let before0: string;

  before(async () => {
    c = await startS3TestCluster({ workers: 1, buckets: ['bucket'] });
    rest = `http://127.0.0.1:${c.cluster.ports[0]!.http}`;
    s3 = c.endpoints[0]!;
    outside = await setUp(c);
    before0 = snapshot(outside);
  });
  after(async () => c?.stop());

  test('REST: read, stat, list, write, delete and mv through the link are refused (403)', async () => {
    const q = encodeURIComponent;
    const denied = async (what: string, r: Promise<{ status: number; text: string }>): Promise<void> => {
      const res = await r;
      assert.equal(res.status, 403, `${what}: ${res.status} ${res.text}`);
      assert.match(res.text, /ALX_ERR_PERMISSION_DENIED/, what);
      assert.ok(!res.text.includes(outside), `${what} leaks the target: ${res.text}`);
    };
    await denied('read file link', req(`${rest}/v1/read?path=${q('/bucket/esc-file')}`));
    await denied('read through dir link', req(`${rest}/v1/read?path=${q('/bucket/esc/secret.txt')}`));
    await denied('info', req(`${rest}/v1/info?path=${q('/bucket/esc/sub/deep.txt')}`));
    await denied('list', req(`${rest}/v1/files?path=${q('/bucket/esc')}`));
    await denied('write', req(`${rest}/v1/file?path=${q('/bucket/esc/planted.txt')}`, { method: 'PUT', body: 'x' }));
    await denied('overwrite', req(`${rest}/v1/file?path=${q('/bucket/esc/secret.txt')}`, { method: 'PUT', body: 'x' }));
    await denied('delete', req(`${rest}/v1/file?path=${q('/bucket/esc/secret.txt')}`, { method: 'DELETE' }));
    await denied('delete dir', req(`${rest}/v1/file?path=${q('/bucket/esc/sub')}&recursive=true`, { method: 'DELETE' }));
    await denied('mv out', req(`${rest}/v1/mv?srcPath=${q('/bucket/plain.txt')}&dstPath=${q('/bucket/esc/stolen.txt')}`, { method: 'POST' }));
    await denied('mv in', req(`${rest}/v1/mv?srcPath=${q('/bucket/esc/secret.txt')}&dstPath=${q('/bucket/got.txt')}`, { method: 'POST' }));
    await denied('mkdir', req(`${rest}/v1/mkdir?path=${q('/bucket/esc/newdir')}`, { method: 'POST' }));
    const listing = await req(`${rest}/v1/files?path=${q('/bucket')}`);
    assert.equal(listing.status, 200);
    assert.deepEqual((JSON.parse(listing.text) as Array<{ mName: string }>).map((e) => e.mName).sort(), ['dir', 'in-link', 'plain.txt']);
    assert.equal(snapshot(outside), before0);
    assert.equal(readFileSync(join(c.ufsDir, 'bucket/plain.txt'), 'utf8'), 'plain');
  });

  test('S3: GET, HEAD, PUT, DELETE, copy and listing through the link are refused (AccessDenied)', async () => {
    for (const [what, url, init] of [
      ['GetObject', `${s3}/bucket/esc/secret.txt`, {}],
      ['GetObject file link', `${s3}/bucket/esc-file`, {}],
      ['PutObject', `${s3}/bucket/esc/planted.txt`, { method: 'PUT', body: 'x' }],
      ['PutObject overwrite', `${s3}/bucket/esc/sub/deep.txt`, { method: 'PUT', body: 'x' }],
      ['CopyObject out', `${s3}/bucket/esc/copied.txt`, { method: 'PUT', headers: { 'x-amz-copy-source': '/bucket/plain.txt' } }],
      ['CopyObject in', `${s3}/bucket/copied.txt`, { method: 'PUT', headers: { 'x-amz-copy-source': '/bucket/esc/secret.txt' } }],
    ] as Array<[string, string, RequestInit]>) {
      const r = await req(url, init);
      assert.equal(r.status, 403, `${what}: ${r.status} ${r.text}`);
      assert.match(r.text, /<Code>AccessDenied<\/Code>/, what);
    }
    const head = await req(`${s3}/bucket/esc/secret.txt`, { method: 'HEAD' });
    assert.equal(head.status, 403);
    // S3 DELETE answers 204 for a key it did not delete; what matters is that the file is still there.
    await req(`${s3}/bucket/esc/secret.txt`, { method: 'DELETE' });
    await req(`${s3}/bucket/esc-file`, { method: 'DELETE' });
    const list = await req(`${s3}/bucket?list-type=2`);
    assert.equal(list.status, 200);
    const keys = [...list.text.matchAll(/<Key>([^<]+)<\/Key>/g)].map((m) => m[1]).sort();
    // The inner link is shown (as an empty directory: recursive listings never walk a link).
    assert.deepEqual(keys, ['dir/a.txt', 'in-link/', 'plain.txt']);
    assert.equal(snapshot(outside), before0);
    assert.ok(!existsSync(join(c.ufsDir, 'bucket/copied.txt')));
    assert.ok(lstatSync(join(c.ufsDir, 'bucket/esc-file')).isSymbolicLink());
  });

  test('a link that stays inside the root is followed (the default)', async () => {
    const r = await req(`${rest}/v1/read?path=${encodeURIComponent('/bucket/in-link/a.txt')}`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.text, 'inner');
    assert.equal((await req(`${s3}/bucket/in-link/a.txt`)).text, 'inner');
  });
});

describe('worker: alluxio.underfs.local.symlinks.within.root.allowed=false', () => {
  let c: S3TestCluster;

  before(async () => {
    c = await startS3TestCluster({ workers: 1, buckets: ['bucket'], properties: { 'alluxio.underfs.local.symlinks.within.root.allowed': 'false' } });
    await setUp(c);
  });
  after(async () => c?.stop());

  test('refuses a link that stays inside the root too; plain paths still work', async () => {
    const rest = `http://127.0.0.1:${c.cluster.ports[0]!.http}`;
    const r = await req(`${rest}/v1/read?path=${encodeURIComponent('/bucket/in-link/a.txt')}`);
    assert.equal(r.status, 403, r.text);
    assert.equal((await req(`${c.endpoints[0]}/bucket/in-link/a.txt`)).status, 403);
    assert.equal((await req(`${rest}/v1/read?path=${encodeURIComponent('/bucket/dir/a.txt')}`)).text, 'inner');
    const listing = JSON.parse((await req(`${rest}/v1/files?path=${encodeURIComponent('/bucket')}`)).text) as Array<{ mName: string }>;
    assert.deepEqual(listing.map((e) => e.mName).sort(), ['dir', 'plain.txt']);
  });
});

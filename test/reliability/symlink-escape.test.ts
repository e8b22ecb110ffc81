// Symlinks in a local UFS root that point outside it: `data/lfile -> ../../outside-file.txt`,
// `data/ldir -> ../../outside` and a top-level `ldir -> ../outside` (a bucket). Every read, list,
// write, delete, mkdir, rename and copy through them over REST, S3 and the CLI must be refused,
// reveal nothing of what is outside, and leave the outside tree exactly as it was.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../support/cli.js';
import { fileDigest, treeDigest } from '../support/tree-digest.js';
import { BUCKET, startReliabilityCluster, type ReliabilityCluster } from './harness.js';

interface Attempt { api: string; op: string; refused: boolean; revealed: boolean; changed: boolean; detail: string }

describe('reliability: symlinks out of a local UFS root', () => {
  let c: ReliabilityCluster;
  let outside: string;
  let outsideFile: string;
  const secret = `TOP-SECRET-${randomBytes(8).toString('hex')}`;
  const attempts: Attempt[] = [];
  let pristine: string;

  /** Every path, type and content hash under the outside dir, plus the outside file. */
  function snapshot(): string {
    return `${treeDigest(outside)}\nf ${outsideFile} ${fileDigest(outsideFile)}`;
  }

  /** Outside content, or the name of an outside entry the request did not itself name. */
  const revealing = (text: string, request: string) => text.includes(secret) || ['secret.txt', 'victim.txt'].some((n) => text.includes(n) && !request.includes(n));

  /** The outside tree and the links as they were at the start, so every attempt is judged on its own. */
  function reset(): void {
    rmSync(outside, { recursive: true, force: true });
    mkdirSync(outside);
    writeFileSync(join(outside, 'secret.txt'), `${secret}\n`);
    writeFileSync(join(outside, 'victim.txt'), 'must survive\n');
    writeFileSync(outsideFile, `${secret} (file)\n`);
    for (const [target, link] of [['../../outside-file.txt', join(c.ufs, BUCKET, 'lfile')], ['../../outside', join(c.ufs, BUCKET, 'ldir')], ['../outside', join(c.ufs, 'ldir')]] as const) {
      rmSync(link, { recursive: true, force: true });
      symlinkSync(target, link);
    }
    for (const n of ['inside.txt', 'stolen.txt', 'copied.txt']) rmSync(join(c.ufs, BUCKET, n), { force: true });
    writeFileSync(join(c.ufs, BUCKET, 'inside.txt'), 'inside\n');
    rmSync(join(c.tmp.path, 'exfiltrated.txt'), { force: true });
    assert.equal(snapshot(), pristine ?? snapshot());
  }

  /** Runs one attempt on a fresh tree and records whether it was refused, revealed or changed anything outside. */
  async function attempt(api: string, op: string, request: string, run: () => Promise<{ refused: boolean; text: string; detail: string }>): Promise<void> {
    reset();
    const r = await run();
    // Outside content copied to where the caller can read it: a local file (fs cp) or an object (CopyObject).
    const exfiltrated = [join(c.tmp.path, 'exfiltrated.txt'), join(c.ufs, BUCKET, 'copied.txt')]
      .some((f) => existsSync(f) && readFileSync(f, 'utf8').includes(secret));
    attempts.push({ api, op, refused: r.refused, revealed: exfiltrated || revealing(r.text, request), changed: snapshot() !== pristine, detail: r.detail.replace(/\s+/g, ' ').slice(0, 160) });
  }

  const rest = (op: string, method: string, route: string) => attempt('REST', op, decodeURIComponent(route), async () => {
    const res = await fetch(`${c.workers[0]!.rest}${route}`, { method, body: method === 'PUT' ? `planted by ${op}` : undefined });
    const text = await res.text();
    return { refused: res.status >= 400, text, detail: `HTTP ${res.status} ${text}` };
  });

  const s3 = (op: string, method: string, route: string, headers: Record<string, string> = {}) => attempt('S3', op, route + JSON.stringify(headers), async () => {
    const res = await fetch(`${c.s3Url(c.workers[0]!)}${route}`, { method, headers, body: method === 'PUT' ? `planted by ${op}` : undefined });
    const text = await res.text();
    return { refused: res.status >= 400, text, detail: `HTTP ${res.status} ${text}` };
  });

  const cli = (op: string, ...args: string[]) => attempt('CLI', op, args.join(' '), async () => {
    const r = await runCli(args, c.cc.env);
    return { refused: r.code !== 0, text: r.stdout + r.stderr, detail: `exit ${r.code} ${r.stdout} ${r.stderr}` };
  });

  before(async () => {
    // No metadata caching: each attempt runs on a freshly reset tree.
    c = await startReliabilityCluster({ props: { 'alluxio.user.metadata.cache.expiration.time': '0' } });
    outside = join(c.tmp.path, 'outside');
    outsideFile = join(c.tmp.path, 'outside-file.txt');
    reset();
    pristine = snapshot();
  });
  after(async () => { await c?.stop(); });

  test('REST, S3 and CLI through the links: all refused, nothing revealed, nothing outside changed', async () => {
    const q = (p: string) => encodeURIComponent(p);
    await rest('read file link', 'GET', `/v1/read?path=${q('/data/lfile')}`);
    await rest('read through dir link', 'GET', `/v1/read?path=${q('/data/ldir/secret.txt')}`);
    await rest('stat file link', 'GET', `/v1/info?path=${q('/data/lfile')}`);
    await rest('list dir link', 'GET', `/v1/files?path=${q('/data/ldir')}`);
    await rest('list top-level dir link', 'GET', `/v1/files?path=${q('/ldir')}`);
    await rest('write through dir link', 'PUT', `/v1/file?path=${q('/data/ldir/planted.txt')}`);
    await rest('write over file link', 'PUT', `/v1/file?path=${q('/data/lfile')}`);
    await rest('mkdir through dir link', 'POST', `/v1/mkdir?path=${q('/data/ldir/newdir')}`);
    await rest('rename out through dir link', 'POST', `/v1/mv?srcPath=${q('/data/ldir/victim.txt')}&dstPath=${q('/data/stolen.txt')}`);
    await rest('rename in through dir link', 'POST', `/v1/mv?srcPath=${q('/data/inside.txt')}&dstPath=${q('/data/ldir/moved.txt')}`);
    await rest('delete through dir link', 'DELETE', `/v1/file?path=${q('/data/ldir/victim.txt')}`);
    await rest('recursive delete of dir link', 'DELETE', `/v1/file?path=${q('/data/ldir')}&recursive=true`);

    await s3('GetObject file link', 'GET', '/data/lfile');
    await s3('GetObject through dir link', 'GET', '/data/ldir/secret.txt');
    await s3('GetObject in a linked bucket', 'GET', '/ldir/secret.txt');
    await s3('ListObjectsV2 under dir link', 'GET', '/data?list-type=2&prefix=ldir/');
    await s3('ListObjectsV2 of a linked bucket', 'GET', '/ldir?list-type=2');
    await s3('PutObject through dir link', 'PUT', '/data/ldir/planted-s3.txt');
    await s3('PutObject in a linked bucket', 'PUT', '/ldir/planted-s3b.txt');
    await s3('CopyObject out of dir link', 'PUT', '/data/copied.txt', { 'x-amz-copy-source': '/data/ldir/secret.txt' });
    await s3('DeleteObject through dir link', 'DELETE', '/data/ldir/victim.txt');
    await s3('DeleteObject in a linked bucket', 'DELETE', '/ldir/victim.txt');

    const local = join(c.tmp.path, 'upload.txt');
    writeFileSync(local, 'planted by the CLI\n');
    await cli('fs cat file link', 'fs', 'cat', '/data/lfile');
    await cli('fs cat through dir link', 'fs', 'cat', '/data/ldir/secret.txt');
    await cli('fs ls dir link', 'fs', 'ls', '/data/ldir');
    await cli('fs stat file link', 'fs', 'stat', '/data/lfile');
    await cli('fs cp into dir link', 'fs', 'cp', `file://${local}`, '/data/ldir/planted-cli.txt');
    await cli('fs cp out of dir link', 'fs', 'cp', '/data/ldir/secret.txt', `file://${join(c.tmp.path, 'exfiltrated.txt')}`);
    await cli('fs mkdir through dir link', 'fs', 'mkdir', '/data/ldir/clidir');
    await cli('fs rm through dir link', 'fs', 'rm', '/data/ldir/victim.txt');
    await cli('fs rm -R dir link', 'fs', 'rm', '-R', '/data/ldir');

    for (const a of attempts) {
      console.log(`[reliability] symlink ${a.api.padEnd(4)} ${a.op.padEnd(34)} ${a.refused ? 'refused' : 'ALLOWED'}${a.revealed ? ' REVEALED' : ''}${a.changed ? ' CHANGED-OUTSIDE' : ''}: ${a.detail}`);
    }
    const allowed = attempts.filter((a) => !a.refused);
    const revealed = attempts.filter((a) => a.revealed);
    const changed = attempts.filter((a) => a.changed);
    console.log(`[reliability] symlink escape: ${attempts.length} attempts, ${attempts.length - allowed.length} refused, ${allowed.length} allowed, ` +
      `${revealed.length} revealed outside content, ${changed.length} changed the tree outside the root`);
    assert.deepEqual(changed.map((a) => `${a.api} ${a.op}`), [], 'attempts changed the tree outside the UFS root');
    assert.deepEqual(revealed.map((a) => `${a.api} ${a.op}`), [], 'outside content or names were revealed');
    assert.deepEqual(allowed.map((a) => `${a.api} ${a.op}`), [], 'operations through the links were not refused');
  });
});

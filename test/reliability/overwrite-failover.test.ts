// A partly cached file is overwritten in the UFS, then read, and the owner is killed while a slow
// reader is in the middle of the body: the reader must get exactly one version (the old or the new,
// whole) or a clear error saying the file changed during the read, never old bytes followed by new
// ones. Each byte range of what a reader got is traced to the version it came from and printed.
//
// Overwrites: same length, different length (longer and shorter), and a `cp -p` replacement (same
// inode, same length, same mtime: only the content and ctime change).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from '../support/etcd.js';
import { BUCKET, PAGE, provenance, sources, startReliabilityCluster, versionBytes, type ReliabilityCluster } from './harness.js';
import type { WorkerProcess } from '../cluster/harness.js';

/** Big enough that the kill lands mid-body whatever the socket buffers hold. */
const LENGTH = 96 * PAGE;
/** Pages the owner has cached before the overwrite. */
const CACHED_PAGES = 2;

/** A read error that says the file changed under the read (not a bare network error). */
const CHANGED = /chang|modified|version|overwrit/i;

interface Outcome { got: Buffer; error?: Error; beforeKill: number }

describe('reliability: partial cache + overwrite + failover never mixes versions', () => {
  let c: ReliabilityCluster;
  let tmpSeq = 0;

  before(async () => {
    // No read-ahead, so a read of the first pages caches just those pages.
    c = await startReliabilityCluster({ props: { 'alluxio.worker.page.store.read.ahead.pages': '0', 'alluxio.worker.failure.detection.timeout': '3s' } });
  });
  after(async () => { await c?.stop(); });

  /** Version 1 in the UFS, its first pages cached on the owner; returns the owner. */
  async function partlyCached(name: string): Promise<{ path: string; v1: Buffer; owner: WorkerProcess }> {
    const v1 = c.writeFile(name, LENGTH, 1);
    const path = `/${BUCKET}/${name}`;
    const { stream } = await c.client.read(path, 0, CACHED_PAGES * PAGE);
    const parts: Buffer[] = [];
    for await (const x of stream) parts.push(x as Buffer);
    assert.ok(Buffer.concat(parts).equals(v1.subarray(0, CACHED_PAGES * PAGE)));
    const owner = c.owners(path, 1)[0]!;
    const st = await waitFor('the first pages cached on the owner', async () => {
      const s = await (await fetch(`${owner.rest}/v1/cache/file?path=${encodeURIComponent(path)}`)).json() as { cachedPages: number };
      return s.cachedPages >= CACHED_PAGES ? s : undefined;
    });
    assert.ok(st.cachedPages < LENGTH / PAGE, `the whole file got cached (${st.cachedPages} pages)`);
    return { path, v1, owner };
  }

  /** Overwrites the UFS file in place with `cp -p` from a file of the same mtime: same inode, length and mtime. */
  function cpPreservingMtime(name: string, v2: Buffer): void {
    const dst = join(c.ufs, BUCKET, name);
    const src = join(c.tmp.path, `replacement-${tmpSeq++}`);
    writeFileSync(src, v2);
    const st = statSync(dst, { bigint: true });
    execFileSync('touch', ['-r', dst, src]); // the replacement gets the old file's timestamps, to the nanosecond
    execFileSync('cp', ['-p', src, dst]);
    const after = statSync(dst, { bigint: true });
    assert.equal(after.ino, st.ino, 'cp -p kept the inode');
    assert.equal(after.mtimeNs, st.mtimeNs, 'cp -p kept the mtime');
    assert.equal(after.size, st.size);
  }

  /** A client read that takes one chunk, runs `mid` (the kill), then drains the rest. */
  async function slowRead(path: string, mid?: () => Promise<void>): Promise<Outcome> {
    const parts: Buffer[] = [];
    let beforeKill = -1;
    try {
      const { stream } = await c.client.read(path);
      for await (const x of stream) {
        parts.push(x as Buffer);
        if (beforeKill < 0 && mid) {
          beforeKill = parts.reduce((s, b) => s + b.length, 0);
          await mid();
        }
      }
      return { got: Buffer.concat(parts), beforeKill };
    } catch (err) {
      return { got: Buffer.concat(parts), error: err as Error, beforeKill };
    }
  }

  function judge(label: string, o: Outcome, v1: Buffer, v2: Buffer): void {
    const prov = provenance(o.got, { v1, v2 });
    const whole = o.got.equals(v1) ? 'v1 whole' : o.got.equals(v2) ? 'v2 whole' : 'not a whole version';
    console.log(`[reliability] ${label}: ${o.got.length} bytes (v1 ${v1.length}, v2 ${v2.length}), ${whole}` +
      `${o.beforeKill >= 0 ? `, ${o.beforeKill} bytes before the kill` : ''}${o.error ? `, error: ${o.error.message}` : ''}; bytes: ${prov}`);
    if (o.error) {
      assert.match(o.error.message, CHANGED, `${label}: the read failed without saying the file changed: ${o.error.message}`);
      assert.ok(sources(o.got, { v1, v2 }).filter((s) => s !== '?').length <= 1, `${label}: bytes of two versions before the error: ${prov}`);
      return;
    }
    assert.ok(o.got.equals(v1) || o.got.equals(v2), `${label}: mixed read: ${prov}`);
  }

  async function killOwnerAndRestart(owner: WorkerProcess, read: Promise<Outcome>): Promise<Outcome> {
    const o = await read;
    await owner.start();
    await c.waitAllLive(3);
    return o;
  }

  const cases: Array<{ name: string; v2: (v1: Buffer) => Buffer; cpP?: boolean }> = [
    { name: 'same length', v2: (v1) => versionBytes('same', 2, v1.length) },
    { name: 'longer', v2: (v1) => versionBytes('longer', 2, v1.length + PAGE + 123) },
    { name: 'shorter', v2: (v1) => versionBytes('shorter', 2, v1.length - 5 * PAGE - 7) },
    { name: 'cp -p (same inode, length and mtime)', v2: (v1) => versionBytes('cpp', 2, v1.length), cpP: true },
  ];

  for (const k of cases) {
    const file = `ow-${k.name.split(' ')[0]!.replace(/\W/g, '')}`;

    test(`${k.name}: a read of the partly cached, overwritten file is one version`, async () => {
      const { path, v1 } = await partlyCached(`${file}-a.bin`);
      const v2 = k.v2(v1);
      if (k.cpP) cpPreservingMtime(`${file}-a.bin`, v2);
      else writeFileSync(join(c.ufs, BUCKET, `${file}-a.bin`), v2);
      judge(`${k.name}, no failover`, await slowRead(path), v1, v2);
    });

    // Straight to the owner over REST: no client failover is involved, so this is the worker's own answer.
    test(`${k.name}: a REST read on the owner of the partly cached, overwritten file is one version or an aborted body`, async () => {
      const { path, v1, owner } = await partlyCached(`${file}-r.bin`);
      const v2 = k.v2(v1);
      if (k.cpP) cpPreservingMtime(`${file}-r.bin`, v2);
      else writeFileSync(join(c.ufs, BUCKET, `${file}-r.bin`), v2);
      const res = await fetch(`${owner.rest}/v1/read?path=${encodeURIComponent(path)}`);
      const parts: Buffer[] = [];
      let error: Error | undefined;
      try {
        for await (const x of res.body as unknown as AsyncIterable<Uint8Array>) parts.push(Buffer.from(x));
      } catch (err) {
        error = err as Error;
      }
      const got = Buffer.concat(parts);
      const prov = provenance(got, { v1, v2 });
      console.log(`[reliability] ${k.name}, REST on the owner: HTTP ${res.status}, content-length ${res.headers.get('content-length')}, ${got.length} bytes` +
        `${error ? `, body aborted (${error.message})` : ''}; bytes: ${prov}`);
      if (error || res.status !== 200) {
        // An aborted body is how HTTP says "changed during the read" once the headers are out.
        assert.ok(sources(got, { v1, v2 }).filter((x) => x !== '?').length <= 1, `bytes of two versions before the abort: ${prov}`);
        return;
      }
      assert.ok(got.equals(v1) || got.equals(v2), `mixed REST read: ${prov}`);
    });

    test(`${k.name}: owner killed mid-read after the overwrite: one version or a clear error`, async () => {
      const { path, v1, owner } = await partlyCached(`${file}-b.bin`);
      const v2 = k.v2(v1);
      if (k.cpP) cpPreservingMtime(`${file}-b.bin`, v2);
      else writeFileSync(join(c.ufs, BUCKET, `${file}-b.bin`), v2);
      const o = await killOwnerAndRestart(owner, slowRead(path, () => owner.kill('SIGKILL')));
      assert.ok(o.beforeKill >= 0 && o.beforeKill < Math.max(v1.length, v2.length), 'the kill landed mid-read');
      judge(`${k.name}, owner killed mid-read`, o, v1, v2);
    });
  }

  test('owner killed mid-read with no overwrite: the whole file, no error', async () => {
    const { path, v1, owner } = await partlyCached('ow-none.bin');
    const o = await killOwnerAndRestart(owner, slowRead(path, () => owner.kill('SIGKILL')));
    console.log(`[reliability] no overwrite, owner killed mid-read: ${o.got.length} bytes, ${o.beforeKill} before the kill${o.error ? `, error: ${o.error.message}` : ''}; bytes: ${provenance(o.got, { v1 })}`);
    assert.equal(o.error, undefined);
    assert.ok(o.got.equals(v1));
  });
});

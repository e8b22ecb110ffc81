// HDFS under-storage through WebHDFS. No HDFS can run on these machines (no Java, no Hadoop
// package), so the server is test/support/webhdfs-server.ts: the documented WebHDFS REST protocol
// (redirects to a DataNode, LISTSTATUS_BATCH paging, RemoteException errors, standby NameNodes)
// over a local directory. The worker test at the end serves an hdfs:// mount through the REST API.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createUfs } from '../../src/ufs/registry.js';
import { ufsVersion, type UnderFileSystem } from '../../src/ufs/under-file-system.js';
import { startWebHdfsServer, type WebHdfsServer } from '../support/webhdfs-server.js';
import { makeTempDir, type TempDir } from '../support/tmp.js';
import { startTestCluster, type TestCluster } from '../support/workers.js';

const site = (props: Record<string, string>) =>
  `<?xml version="1.0"?>\n<configuration>\n${Object.entries(props).map(([k, v]) => `  <property><name>${k}</name><value>${v}</value></property>`).join('\n')}\n</configuration>\n`;

async function drain(s: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of s) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

describe('WebHDFS under-storage (hdfs://, webhdfs://)', () => {
  let tmp: TempDir;
  let data: string;
  let active: WebHdfsServer;
  let standby: WebHdfsServer;
  let ufs: UnderFileSystem;
  let hadoopConf: string;
  const big = randomBytes(300_000);

  before(async () => {
    tmp = await makeTempDir('alluxio-webhdfs-');
    data = join(tmp.path, 'hdfs');
    mkdirSync(join(data, 'base', 'dir', 'sub'), { recursive: true });
    mkdirSync(join(data, 'base', 'dir-b'), { recursive: true });
    for (const n of ['a', 'b', 'c', 'd', 'e', 'f', 'g']) writeFileSync(join(data, 'base', 'dir', `${n}.txt`), `file ${n}\n`);
    writeFileSync(join(data, 'base', 'dir', 'sub', 'x.txt'), 'x\n');
    writeFileSync(join(data, 'base', 'dir-b', 'y.txt'), 'y\n');
    writeFileSync(join(data, 'base', 'big.bin'), big);
    // An HA name service: nn1 is standby, nn2 active. The client must find nn2.
    standby = await startWebHdfsServer(data, { standby: true });
    active = await startWebHdfsServer(data);
    const core = join(tmp.path, 'core-site.xml');
    const hdfs = join(tmp.path, 'hdfs-site.xml');
    writeFileSync(core, site({ 'fs.defaultFS': 'hdfs://mycluster', 'hadoop.security.authentication': 'simple' }));
    writeFileSync(hdfs, site({
      'dfs.nameservices': 'mycluster', 'dfs.ha.namenodes.mycluster': 'nn1,nn2',
      'dfs.namenode.rpc-address.mycluster.nn1': '127.0.0.1:8020', 'dfs.namenode.rpc-address.mycluster.nn2': '127.0.0.1:8021',
      'dfs.namenode.http-address.mycluster.nn1': `127.0.0.1:${standby.port}`, 'dfs.namenode.http-address.mycluster.nn2': `127.0.0.1:${active.port}`,
    }));
    hadoopConf = `${core}:${hdfs}`;
    ufs = createUfs('hdfs://mycluster/base', { 'alluxio.underfs.hdfs.configuration': hadoopConf, 'alluxio.security.login.username': 'alice' });
  });

  after(async () => {
    await ufs?.close();
    await active?.close();
    await standby?.close();
    await tmp?.cleanup();
  });

  test('getStatus through the HA name service (standby skipped), as the configured user', async () => {
    const st = await ufs.getStatus('hdfs://mycluster/base/big.bin');
    assert.equal(st.isDirectory, false);
    assert.equal(st.length, big.length);
    assert.equal(st.name, 'big.bin');
    assert.equal(st.uri, 'hdfs://mycluster/base/big.bin');
    assert.ok(standby.calls.length >= 1, 'the standby NameNode was tried first');
    assert.ok(active.calls.every((c) => c.user === 'alice'), 'every call says user.name=alice');
    await assert.rejects(ufs.getStatus('hdfs://mycluster/base/nope'), (e: Error & { code?: string }) => e.code === 'ALX_ERR_NOT_FOUND' && /base\/nope/.test(e.message));
    await assert.rejects(ufs.getStatus('hdfs://mycluster/other/x'), /outside the mount root/);
  });

  test('list: one level and recursive, in pages smaller than the server batches', async () => {
    const all: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await ufs.list('hdfs://mycluster/base/dir', { limit: 2, ...(token ? { token } : {}) });
      all.push(...page.entries.map((e) => `${e.name}${e.isDirectory ? '/' : ''}`));
      token = page.nextToken;
      pages++;
    } while (token);
    assert.deepEqual(all, ['a.txt', 'b.txt', 'c.txt', 'd.txt', 'e.txt', 'f.txt', 'g.txt', 'sub/']);
    assert.equal(pages, 4);
    const rec: string[] = [];
    token = undefined;
    do {
      const page = await ufs.list('hdfs://mycluster/base', { recursive: true, limit: 3, ...(token ? { token } : {}) });
      rec.push(...page.entries.map((e) => e.uri.replace('hdfs://mycluster/base/', '')));
      token = page.nextToken;
    } while (token);
    // Depth-first in name order: 'dir/sub/x.txt' comes before 'dir-b' ('/' sorts after '-' as a
    // character, but a subtree is listed before the next sibling).
    assert.deepEqual(rec, ['big.bin', 'dir', 'dir/a.txt', 'dir/b.txt', 'dir/c.txt', 'dir/d.txt', 'dir/e.txt', 'dir/f.txt', 'dir/g.txt', 'dir/sub', 'dir/sub/x.txt', 'dir-b', 'dir-b/y.txt']);
    await assert.rejects(ufs.list('hdfs://mycluster/base/big.bin'), (e: Error & { code?: string }) => e.code === 'ALX_ERR_NOT_A_DIRECTORY');
  });

  test('read ranges follow the DataNode redirect; a pinned version that changed is ALX_ERR_STALE', async () => {
    assert.ok((await drain(await ufs.openRead('hdfs://mycluster/base/big.bin', 0, -1))).equals(big));
    assert.ok((await drain(await ufs.openRead('hdfs://mycluster/base/big.bin', 123_457, 65_536))).equals(big.subarray(123_457, 123_457 + 65_536)));
    assert.equal((await drain(await ufs.openRead('hdfs://mycluster/base/big.bin', big.length, 0))).length, 0);
    await assert.rejects(ufs.openRead('hdfs://mycluster/base/big.bin', big.length - 10, 20), (e: Error & { code?: string }) => e.code === 'ALX_ERR_INVALID_RANGE');
    await assert.rejects(ufs.openRead('hdfs://mycluster/base/dir', 0, -1), (e: Error & { code?: string }) => e.code === 'ALX_ERR_IS_A_DIRECTORY');
    assert.ok(active.calls.some((c) => c.op === 'OPEN'));
    await assert.rejects(ufs.openRead('hdfs://mycluster/base/big.bin', 0, 10, { version: 'mtime:1:len:10' }), (e: Error & { code?: string }) => e.code === 'ALX_ERR_STALE');
  });

  test('a file replaced while its read streams fails the read with ALX_ERR_STALE, never mixing versions', async () => {
    const uri = 'hdfs://mycluster/base/swap.bin';
    const v1 = randomBytes(200_000);
    const v2 = randomBytes(v1.length); // same length: only the version tells them apart
    const file = join(data, 'base', 'swap.bin');
    // Replaced as HDFS writers do: a new file renamed over the path (a new inode, i.e. fileId).
    active.midOpen = async () => {
      writeFileSync(`${file}.tmp`, v2);
      renameSync(`${file}.tmp`, file);
    };
    try {
      for (const pinned of [false, true]) {
        writeFileSync(file, v1);
        const version = pinned ? ufsVersion(await ufs.getStatus(uri)) : undefined;
        const opened = await ufs.openRead(uri, 0, -1, { version });
        await assert.rejects(drain(opened), (e: Error & { code?: string }) => e.code === 'ALX_ERR_STALE' && /changed during the read/.test(e.message),
          `a read ${pinned ? 'pinned to' : 'without'} a version returned the halves of two files`);
      }
    } finally {
      active.midOpen = undefined;
    }
    assert.ok((await drain(await ufs.openRead(uri, 0, -1))).equals(v2), 'the next read does not see the new file');
  });

  test('write (buffer and stream), overwrite, Content-MD5 mismatch writes nothing and leaves no temp file', async () => {
    const body = randomBytes(200_000);
    const st = await ufs.write('hdfs://mycluster/base/new/one.bin', body);
    assert.equal(st.length, body.length);
    assert.ok(readFileSync(join(data, 'base/new/one.bin')).equals(body));
    const again = randomBytes(50_000);
    const st2 = await ufs.write('hdfs://mycluster/base/new/one.bin', Readable.from([again.subarray(0, 20_000), again.subarray(20_000)]));
    assert.ok(readFileSync(join(data, 'base/new/one.bin')).equals(again));
    assert.notEqual(st2.lastModifiedMs + ':' + st2.ino, st.lastModifiedMs + ':' + st.ino + 'x');
    const md5 = createHash('md5').update('something else').digest('base64');
    await assert.rejects(ufs.write('hdfs://mycluster/base/new/two.bin', Buffer.from('hello'), { contentMd5: md5 }), /Content-MD5 mismatch/);
    assert.equal(existsSync(join(data, 'base/new/two.bin')), false);
    assert.deepEqual(readdirSync(join(data, 'base/new')), ['one.bin'], 'no temp file left behind');
    await assert.rejects(ufs.write('hdfs://mycluster/base/dir', Buffer.from('x')), (e: Error & { code?: string }) => e.code === 'ALX_ERR_IS_A_DIRECTORY');
    // A condition on the file in place (S3 If-None-Match: *): of racing writes exactly one commits.
    const ifAbsent = async (cur: unknown) => { if (cur) throw new Error('exists'); };
    const results = await Promise.allSettled([1, 2, 3].map((i) => ufs.write('hdfs://mycluster/base/new/cond.bin', Buffer.from(`writer ${i}`), { precondition: ifAbsent })));
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1, 'exactly one conditional write wins');
    assert.match(readFileSync(join(data, 'base/new/cond.bin'), 'utf8'), /^writer [123]$/);
    assert.deepEqual(readdirSync(join(data, 'base/new')).sort(), ['cond.bin', 'one.bin'], 'refused writes leave no temp file');
  });

  test('mkdir, rename and delete with the semantics of the other stores', async () => {
    await ufs.mkdir('hdfs://mycluster/base/m/n');
    assert.ok(existsSync(join(data, 'base/m/n')));
    await ufs.mkdir('hdfs://mycluster/base/m/n'); // an existing directory is fine
    await assert.rejects(ufs.mkdir('hdfs://mycluster/base/big.bin'), (e: Error & { code?: string }) => e.code === 'ALX_ERR_ALREADY_EXISTS');
    await ufs.write('hdfs://mycluster/base/m/f.txt', Buffer.from('f'));
    await ufs.rename('hdfs://mycluster/base/m/f.txt', 'hdfs://mycluster/base/m/g/h.txt');
    assert.equal(readFileSync(join(data, 'base/m/g/h.txt'), 'utf8'), 'f');
    // HDFS would move the file INTO an existing directory; here it is refused as on other stores.
    await assert.rejects(ufs.rename('hdfs://mycluster/base/m/g/h.txt', 'hdfs://mycluster/base/m/n'), (e: Error & { code?: string }) => e.code === 'ALX_ERR_ALREADY_EXISTS');
    await assert.rejects(ufs.delete('hdfs://mycluster/base/m'), (e: Error & { code?: string }) => e.code === 'ALX_ERR_DIRECTORY_NOT_EMPTY');
    await ufs.delete('hdfs://mycluster/base/m', { recursive: true });
    assert.equal(existsSync(join(data, 'base/m')), false);
    await assert.rejects(ufs.delete('hdfs://mycluster/base/m'), (e: Error & { code?: string }) => e.code === 'ALX_ERR_NOT_FOUND');
    await assert.rejects(ufs.delete('hdfs://mycluster/base'), /root/);
  });

  test('webhdfs:// names the NameNode directly; no answer is a clear UFS error', async () => {
    const direct = createUfs(`webhdfs://127.0.0.1:${active.port}/base`, { 'alluxio.security.login.username': 'bob' });
    try {
      assert.equal((await direct.getStatus(`webhdfs://127.0.0.1:${active.port}/base/dir/a.txt`)).length, 'file a\n'.length);
      assert.equal(active.calls.at(-1)!.user, 'bob');
    } finally {
      await direct.close();
    }
    const closed = await startWebHdfsServer(data);
    await closed.close();
    const dead = createUfs(`webhdfs://127.0.0.1:${closed.port}/base`, {});
    try {
      await assert.rejects(dead.getStatus(`webhdfs://127.0.0.1:${closed.port}/base/x`), (e: Error & { code?: string }) => e.code === 'ALX_ERR_UFS_UNAVAILABLE' && /cannot reach WebHDFS/.test(e.message));
    } finally {
      await dead.close();
    }
  });

  test('Kerberos, a missing configuration file and an unknown name service are refused with the reason', async () => {
    const kerb = join(tmp.path, 'kerberos-core-site.xml');
    writeFileSync(kerb, site({ 'hadoop.security.authentication': 'kerberos' }));
    const k = createUfs('hdfs://nn:8020/x', { 'alluxio.underfs.hdfs.configuration': kerb });
    await assert.rejects(k.getStatus('hdfs://nn:8020/x'), /kerberos.*not supported/i);
    const m = createUfs('hdfs://nn:8020/x', { 'alluxio.underfs.hdfs.configuration': join(tmp.path, 'nope.xml') });
    await assert.rejects(m.getStatus('hdfs://nn:8020/x'), /cannot read .*nope\.xml/);
    const hdfsSite = hadoopConf.split(':')[1]!;
    writeFileSync(join(tmp.path, 'ns-site.xml'), site({ 'dfs.nameservices': 'other', 'dfs.ha.namenodes.other': 'nn1' }));
    const ns = createUfs('hdfs://other/x', { 'alluxio.underfs.hdfs.configuration': `${hdfsSite}:${join(tmp.path, 'ns-site.xml')}` });
    await assert.rejects(ns.getStatus('hdfs://other/x'), /name service 'other' has no dfs\.namenode\.http-address\.other/);
  });

  test('a worker serves an hdfs:// root mount: REST read and listing match the files', async () => {
    let cluster: TestCluster | undefined;
    const dir = await makeTempDir('alluxio-webhdfs-worker-');
    try {
      cluster = await startTestCluster({
        dir: dir.path, rootUfs: 'hdfs://mycluster/base',
        properties: { 'alluxio.underfs.hdfs.configuration': hadoopConf, 'alluxio.security.login.username': 'alluxio' },
      });
      const rest = `http://127.0.0.1:${cluster.ports[0]!.http}`;
      const got = Buffer.from(await (await fetch(`${rest}/v1/read?path=${encodeURIComponent('/big.bin')}`)).arrayBuffer());
      assert.ok(got.equals(big));
      const ls = await (await fetch(`${rest}/v1/files?path=${encodeURIComponent('/dir')}`)).json() as Array<{ mName?: string; name?: string }>;
      const names = ls.map((e) => e.mName ?? e.name).sort();
      assert.deepEqual(names, ['a.txt', 'b.txt', 'c.txt', 'd.txt', 'e.txt', 'f.txt', 'g.txt', 'sub']);
      // The second read is served from the cache: no new OPEN reaches the NameNode.
      const opens = active.calls.filter((c) => c.op === 'OPEN').length;
      const again = Buffer.from(await (await fetch(`${rest}/v1/read?path=${encodeURIComponent('/big.bin')}`)).arrayBuffer());
      assert.ok(again.equals(big));
      assert.equal(active.calls.filter((c) => c.op === 'OPEN').length, opens);

      // A file replaced halfway through the worker's UFS read: the answer is cut (never the halves
      // of two files), and the next read serves the new file whole, not pages cached from the mix.
      const v1 = randomBytes(300_000);
      const v2 = randomBytes(v1.length);
      const file = join(data, 'base', 'swapped.bin');
      writeFileSync(file, v1);
      let replaced = false;
      active.midOpen = async () => {
        if (replaced) return;
        replaced = true;
        writeFileSync(`${file}.tmp`, v2);
        renameSync(`${file}.tmp`, file);
      };
      const url = `${rest}/v1/read?path=${encodeURIComponent('/swapped.bin')}`;
      try {
        const first = await fetch(url).then(async (r) => (r.ok ? Buffer.from(await r.arrayBuffer()) : undefined)).catch(() => undefined);
        assert.ok(replaced, 'the read did not reach the DataNode');
        assert.ok(first === undefined || first.equals(v1) || first.equals(v2), 'the worker answered a mix of two versions');
      } finally {
        active.midOpen = undefined;
      }
      const second = Buffer.from(await (await fetch(url)).arrayBuffer());
      assert.ok(second.equals(v2), 'the read after the replacement did not serve the new file whole');
    } finally {
      await cluster?.stop();
      await dir.cleanup();
    }
  });
});

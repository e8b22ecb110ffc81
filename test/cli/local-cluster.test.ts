// End to end through the real CLI: `alluxio local start` runs real worker processes over a local
// directory UFS; every check goes through the `alluxio` binary, the worker REST API or /metrics.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Etcd3 } from 'etcd3';
import { makeTempDir, type TempDir } from '../support/tmp.js';
import { runCli, scrapeMetric } from '../support/cli.js';
import { localPortBase } from '../support/ports.js';

const PAGE = 64 * 1024;

describe('local cluster through the CLI', { timeout: 900_000 }, () => {
  let tmp: TempDir;
  let ufs: string;
  let state: string;
  let env: Record<string, string>;
  const portBase = localPortBase([1, 2]);
  const data = randomBytes(5 * PAGE + 123);

  const cli = (...args: string[]) => runCli(args, env);
  const start = async () => {
    const r = await cli('local', 'start', '--workers', '2', '--ufs', ufs, '--dir', state, '--page-size', '64KB', '--cache-size', '64MB', '--port-base', String(portBase));
    assert.equal(r.code, 0, r.stderr + r.stdout);
    return r;
  };
  const stop = async () => assert.equal((await cli('local', 'stop', '--dir', state)).code, 0);

  before(async () => {
    tmp = await makeTempDir('alluxio-local-');
    ufs = join(tmp.path, 'ufs');
    state = join(tmp.path, 'state');
    mkdirSync(join(ufs, 'sub'), { recursive: true });
    writeFileSync(join(ufs, 'a.bin'), data);
    writeFileSync(join(ufs, 'sub', 'b.txt'), 'hello\n');
    env = { ALLUXIO_CONF_DIR: join(state, 'conf') };
    const r = await start();
    assert.match(r.stdout, /REST/);
  });

  after(async () => {
    await runCli(['local', 'stop', '--dir', state], env);
    await tmp.cleanup();
  });

  /** The owner worker's web endpoint, from `fs location --json`. */
  async function ownerMetricsUrl(path: string): Promise<string> {
    const r = await cli('fs', 'location', path, '--json');
    assert.equal(r.code, 0, r.stderr);
    const loc = JSON.parse(r.stdout) as { workers: Array<{ address: string }> };
    const [host, port] = loc.workers[0]!.address.split(':');
    return `http://${host}:${Number(port) + (30000 - 28080)}/metrics`;
  }

  test('fs ls lists the UFS files, recursively and as JSON', async () => {
    const top = await cli('fs', 'ls', '/');
    assert.equal(top.code, 0, top.stderr);
    assert.match(top.stdout, /\/a\.bin/);
    assert.match(top.stdout, /DIR\s+\/sub/);
    assert.doesNotMatch(top.stdout, /b\.txt/);
    const rec = JSON.parse((await cli('fs', 'ls', '-R', '/', '--json')).stdout) as Array<{ path: string; length: number }>;
    assert.deepEqual(rec.map((e) => e.path).sort(), ['/a.bin', '/sub', '/sub/b.txt']);
    assert.equal(rec.find((e) => e.path === '/a.bin')!.length, data.length);
  });

  test('fs cat is byte-identical and the second read is served from the cache', async () => {
    const metricsUrl = await ownerMetricsUrl('/a.bin');
    const first = await cli('fs', 'cat', '/a.bin');
    assert.equal(first.code, 0, first.stderr);
    assert.ok(first.stdoutBytes.equals(data), 'first read differs from the UFS file');
    const ufsBefore = await scrapeMetric(metricsUrl, 'alluxio_ufs_data_access_bytes_total');
    const cachedBefore = await scrapeMetric(metricsUrl, 'alluxio_cached_data_read_bytes_total');
    assert.ok(ufsBefore >= data.length, `the first read came from the UFS (${ufsBefore})`);
    const second = await cli('fs', 'cat', '/a.bin');
    assert.ok(second.stdoutBytes.equals(data));
    assert.equal(await scrapeMetric(metricsUrl, 'alluxio_ufs_data_access_bytes_total'), ufsBefore, 'second read touched the UFS');
    assert.equal(await scrapeMetric(metricsUrl, 'alluxio_cached_data_read_bytes_total') - cachedBefore, data.length);
  });

  test('fs head, tail, stat, du, count', async () => {
    const head = await cli('fs', 'head', '-c', '100', '/a.bin');
    assert.ok(head.stdoutBytes.equals(data.subarray(0, 100)));
    const tail = await cli('fs', 'tail', '-c', '1KB', '/a.bin');
    assert.ok(tail.stdoutBytes.equals(data.subarray(data.length - 1024)));
    const stat = JSON.parse((await cli('fs', 'stat', '/a.bin', '--json')).stdout) as { length: number; type: string };
    assert.equal(stat.length, data.length);
    assert.equal(stat.type, 'file');
    const count = JSON.parse((await cli('fs', 'count', '/', '--json')).stdout) as { fileCount: number; folderCount: number };
    assert.deepEqual([count.fileCount, count.folderCount], [2, 1]);
    const du = JSON.parse((await cli('fs', 'du', '-s', '/', '--json')).stdout) as { size: number; cached: number };
    assert.equal(du.size, data.length + 6);
  });

  test('fs cp both ways, mkdir and rm', async () => {
    const local = join(tmp.path, 'upload.bin');
    const payload = randomBytes(3 * PAGE + 7);
    writeFileSync(local, payload);
    let r = await cli('fs', 'mkdir', '/newdir');
    assert.equal(r.code, 0, r.stderr);
    r = await cli('fs', 'cp', `file://${local}`, '/newdir/up.bin', '--progress');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /100%/, 'progress bar shown');
    assert.ok(readFileSync(join(ufs, 'newdir', 'up.bin')).equals(payload), 'written through to the UFS');
    const back = join(tmp.path, 'down.bin');
    r = await cli('fs', 'cp', '/newdir/up.bin', `file://${back}`);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(readFileSync(back).equals(payload));
    r = await cli('fs', 'rm', '/newdir');
    assert.notEqual(r.code, 0, 'a non-empty directory needs -R');
    r = await cli('fs', 'rm', '-R', '/newdir');
    assert.equal(r.code, 0, r.stderr);
    assert.throws(() => statSync(join(ufs, 'newdir')));
  });

  test('an overwritten UFS file is served new after the metadata TTL, never mixed', async () => {
    const path = join(ufs, 'over.bin');
    const v1 = Buffer.alloc(4 * PAGE, 1);
    writeFileSync(path, v1);
    assert.ok((await cli('fs', 'cat', '/over.bin')).stdoutBytes.equals(v1));
    const v2 = Buffer.alloc(4 * PAGE + 10, 2);
    writeFileSync(path, v2);
    // Within the TTL the old version may still be served, but only whole: never a mix.
    const during = (await cli('fs', 'cat', '/over.bin')).stdoutBytes;
    assert.ok(during.equals(v1) || during.equals(v2), 'a read mixed two versions');
    await new Promise((r) => setTimeout(r, 10_500)); // alluxio.user.metadata.cache.expiration.time defaults to 10s
    assert.ok((await cli('fs', 'cat', '/over.bin')).stdoutBytes.equals(v2));
  });

  test('mount credentials are encrypted with a key file made for the cluster (0600), with no setup', async () => {
    const keyFile = join(state, 'mount-credentials.key');
    assert.equal(statSync(keyFile).mode & 0o777, 0o600);
    assert.match(readFileSync(join(state, 'conf', 'alluxio-site.properties'), 'utf8'), new RegExp(`^alluxio\\.mount\\.credentials\\.encryption\\.key\\.file=${keyFile}$`, 'm'));
    const secret = `local-secret-${randomBytes(4).toString('hex')}`;
    mkdirSync(join(tmp.path, 'creds'), { recursive: true });
    const r = await cli('mount', 'add', '--path', '/creds', '--ufs-uri', join(tmp.path, 'creds'), '--option', `s3a.secretKey=${secret}`);
    assert.equal(r.code, 0, r.stderr);
    // The local etcd holds it sealed; the mount stays for the restart test, whose workers must decrypt it.
    const etcd = new Etcd3({ hosts: `http://127.0.0.1:${2379 + portBase}` });
    try {
      const all = JSON.stringify(await etcd.getAll().prefix('/alluxio/').strings());
      assert.ok(!all.includes(secret), 'the secret is in the local etcd in plain text');
      assert.match(all, /enc:v1:/);
    } finally {
      etcd.close();
    }
  });

  test('restarting the workers keeps the cache; a corrupted page is dropped and re-read', async () => {
    assert.ok((await cli('fs', 'cat', '/a.bin')).stdoutBytes.equals(data));
    const key = readFileSync(join(state, 'mount-credentials.key'));
    await stop();
    await start();
    assert.ok(readFileSync(join(state, 'mount-credentials.key')).equals(key), 'a restart must keep the key, or stored credentials become unreadable');
    assert.equal((await cli('fs', 'ls', '/creds')).code, 0, 'the mount with encrypted credentials is served after the restart');
    const metricsUrl = await ownerMetricsUrl('/a.bin');
    // Wait until the restarted owner has indexed its pages (it serves misses while it scans).
    const deadline = Date.now() + 15_000;
    while ((await scrapeMetric(metricsUrl, 'alluxio_data_cached_pages')) < 6 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.ok((await cli('fs', 'cat', '/a.bin')).stdoutBytes.equals(data));
    assert.equal(await scrapeMetric(metricsUrl, 'alluxio_ufs_data_access_bytes_total'), 0, 'a restarted worker re-read cached data from the UFS');
    assert.equal(await scrapeMetric(metricsUrl, 'alluxio_cached_data_read_bytes_total'), data.length);

    // Flip one byte of one cached page on disk.
    const fileId = createHash('sha256').update(`file://${ufs}/a.bin`).digest('hex');
    const pageFile = findPage(state, fileId, '2');
    const bytes = readFileSync(pageFile);
    bytes[10] = bytes[10]! ^ 0xff;
    writeFileSync(pageFile, bytes);
    assert.ok((await cli('fs', 'cat', '/a.bin')).stdoutBytes.equals(data), 'corrupted bytes were returned');
    assert.ok(await scrapeMetric(metricsUrl, 'alluxio_cached_corrupt_pages_total') >= 1);
    assert.equal(await scrapeMetric(metricsUrl, 'alluxio_ufs_data_access_bytes_total'), PAGE, 'exactly the corrupt page was re-read');
  });

  test('bad input gets a clear error', async () => {
    let r = await cli('fs', 'cat', '/sub/../a.bin');
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /'\.\.'/);
    r = await cli('--conf', 'alluxio.worker.page.store.sizez=1GB', 'fs', 'ls', '/');
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /alluxio\.worker\.page\.store\.sizez/);
    assert.match(r.stderr, /did you mean 'alluxio\.worker\.page\.store\.sizes'/);
    r = await cli('--conf', 'alluxio.worker.page.store.page.size=12XB', 'fs', 'ls', '/');
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /alluxio\.worker\.page\.store\.page\.size/);
    assert.match(r.stderr, /512MB/, 'names the accepted form');
    r = await cli('mount', 'add', '--path', '/a/b', '--ufs-uri', ufs);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /nested too deep/);
    r = await cli('fs', 'cat', '/nope.bin');
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /nope\.bin/);
    const rest = `http://127.0.0.1:${28080 + portBase}`;
    let res = await fetch(`${rest}/v1/read?path=/a.bin&offset=-1&length=5`);
    assert.equal(res.status, 416);
    assert.match(((await res.json()) as { message: string }).message, /offset -1/);
    res = await fetch(`${rest}/v1/read?path=/a.bin&offset=${data.length + 1}&length=5`);
    assert.equal(res.status, 416);
    assert.match(((await res.json()) as { message: string }).message, /past the end/);
    assert.ok(readFileSync(join(ufs, 'a.bin')).equals(data), 'bad requests lost no data');
  });
});

function findPage(root: string, fileId: string, index: string): string {
  for (const e of readdirSync(root, { withFileTypes: true, recursive: true } as never) as unknown as Array<{ name: string; parentPath?: string; path?: string; isFile(): boolean }>) {
    const dir = e.parentPath ?? e.path ?? '';
    if (e.isFile() && e.name === index && dir.endsWith(fileId) && !dir.includes('TEMP')) return join(dir, e.name);
  }
  throw new Error(`no page ${index} of ${fileId} under ${root}`);
}

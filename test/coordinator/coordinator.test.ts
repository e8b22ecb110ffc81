// The coordinator against a real etcd and real workers (in this process, ETCD membership and an
// ETCD mount table): REST API, mount administration seen by the workers through etcd watches,
// cluster figures, and the `alluxio info` and `process start coordinator` commands.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createClient } from '../../src/client/from-conf.js';
import type { AlluxioClient } from '../../src/client/alluxio-client.js';
import { startCoordinator, type RunningCoordinator } from '../../src/coordinator/coordinator-process.js';
import { createLogger } from '../../src/common/logging.js';
import { workerName } from '../../src/hashring/worker-info.js';
import type { RunningWorker } from '../../src/worker/worker-process.js';
import { BIN, runCli } from '../support/cli.js';
import { freePort, startEtcd, waitFor, type EtcdCluster } from '../support/etcd.js';
import { makeTempDir, type TempDir } from '../support/tmp.js';
import { readAll, startInProcessWorker, writeEtcdConf, type EtcdClusterConf } from '../cluster/harness.js';

describe('coordinator', () => {
  let tmp: TempDir;
  let etcd: EtcdCluster;
  let cc: EtcdClusterConf;
  let workers: RunningWorker[] = [];
  let coord: RunningCoordinator;
  let client: AlluxioClient;
  let ufs: string;
  let extra: string;
  const data = randomBytes(200_000);
  const secret = 'sup3r-s3cret-value';

  const api = (path: string, init?: RequestInit) => fetch(`${coord.url}${path}`, init);
  const postMount = (body: unknown) => api('/api/v1/mount', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  before(async () => {
    tmp = await makeTempDir('alluxio-coord-');
    etcd = await startEtcd();
    ufs = join(tmp.path, 'ufs');
    extra = join(tmp.path, 'extra');
    mkdirSync(ufs);
    mkdirSync(extra);
    writeFileSync(join(ufs, 'a.bin'), data);
    writeFileSync(join(extra, 'e.txt'), 'extra mount\n');
    writeFileSync(join(tmp.path, 'plain-file'), 'x');
    // Mount credentials are encrypted in etcd with this key (without one they are refused).
    const keyFile = join(tmp.path, 'mount-credentials.key');
    writeFileSync(keyFile, randomBytes(32).toString('base64'), { mode: 0o600 });
    cc = writeEtcdConf(tmp.path, etcd.endpoints, { 'alluxio.master.mount.table.root.ufs': ufs, 'alluxio.coordinator.web.port': '0', 'alluxio.mount.credentials.encryption.key.file': keyFile });
    workers = [await startInProcessWorker(cc, tmp.path, 0), await startInProcessWorker(cc, tmp.path, 1)];
    coord = await startCoordinator(cc.conf(), { log: createLogger('test-coordinator', 'silent') });
    client = await createClient(cc.conf(), { log: createLogger('test-client', 'silent') });
  });

  after(async () => {
    await client?.close().catch(() => {});
    await coord?.close();
    await Promise.all(workers.map((w) => w.close()));
    await etcd?.cleanup();
    await tmp?.cleanup();
  });

  test('health, info and metrics answer on the web port', async () => {
    const h = await api('/api/v1/health');
    assert.equal(h.status, 200);
    assert.match(h.headers.get('content-type') ?? '', /json/);
    const body = await h.json() as { status: string; component: string; membership: string; mountTable: string; clusterName: string };
    assert.deepEqual([body.status, body.component, body.membership, body.mountTable, body.clusterName], ['ok', 'coordinator', 'ETCD', 'ETCD', cc.clusterName]);
    const m = await (await api('/metrics')).text();
    assert.match(m, /alluxio_version_info\{[^}]*component="coordinator"/);
    assert.equal((await api('/api/v1/nope')).status, 404);
    assert.equal((await api('/api/v1/health', { method: 'POST' })).status, 405);
  });

  test('GET /api/v1/workers lists the registered workers ONLINE', async () => {
    const rows = await (await api('/api/v1/workers')).json() as Array<{ workerId: string; address: string; status: string }>;
    const expected = workers.map((w) => workerName(w.info.identity)).sort();
    assert.deepEqual(rows.map((r) => r.workerId).sort(), expected);
    assert.ok(rows.every((r) => r.status === 'ONLINE'));
    const w0 = rows.find((r) => r.workerId === workerName(workers[0]!.info.identity))!;
    assert.equal(w0.address, `127.0.0.1:${workers[0]!.info.address.HttpServerPort}`);
  });

  test('a mount added through the REST API is seen by every worker within seconds, with secrets redacted', async () => {
    const res = await postMount({ path: '/extra', ufs: extra, options: { 's3a.secretKey': secret, 'some.option': 'v1' } });
    assert.equal(res.status, 200, await res.clone().text());
    const listed = await (await api('/api/v1/mount')).json() as Array<{ path: string; ufs: string; options: Record<string, string> }>;
    const m = listed.find((x) => x.path === '/extra');
    assert.ok(m, JSON.stringify(listed));
    assert.equal(m.ufs, `file://${extra}/`);
    assert.deepEqual(m.options, { 's3a.secretKey': '***', 'some.option': 'v1' });
    assert.ok(!JSON.stringify(listed).includes(secret), 'the secret leaked into GET /api/v1/mount');
    // Every worker's namespace follows the etcd watch: a read of the new mount works on each of them.
    for (const w of workers) {
      await waitFor(`worker ${w.info.address.HttpServerPort} sees /extra`, async () => {
        const r = await fetch(`http://127.0.0.1:${w.info.address.HttpServerPort}/v1/read?path=/extra/e.txt`);
        return r.ok && (await r.text()) === 'extra mount\n';
      }, 5000);
    }
    const del = await api('/api/v1/mount?path=/extra', { method: 'DELETE' });
    assert.equal(del.status, 200);
    assert.ok(!((await (await api('/api/v1/mount')).json()) as Array<{ path: string }>).some((x) => x.path === '/extra'));
    for (const w of workers) {
      await waitFor('worker drops /extra', async () => (await fetch(`http://127.0.0.1:${w.info.address.HttpServerPort}/v1/read?path=/extra/e.txt`)).status === 404, 15_000);
    }
  });

  test('a bad mount fails with the UFS error and a stable code, never echoing the secret', async () => {
    let res = await postMount({ path: '/missing', ufs: join(tmp.path, 'does-not-exist'), options: { 'aws.secretKey': secret } });
    assert.equal(res.status, 400);
    let body = await res.json() as { code: string; message: string };
    assert.equal(body.code, 'ALX_ERR_MOUNT');
    assert.match(body.message, /does not exist/);
    assert.ok(!JSON.stringify(body).includes(secret));
    res = await postMount({ path: '/file', ufs: join(tmp.path, 'plain-file') });
    assert.equal(res.status, 400);
    assert.match((await res.json() as { message: string }).message, /is a file/);
    res = await postMount({ path: '/a/b', ufs: extra });
    assert.equal(res.status, 400);
    assert.match((await res.json() as { message: string }).message, /nested too deep/);
    res = await postMount({ ufs: extra });
    body = await res.json() as { code: string; message: string };
    assert.deepEqual([res.status, body.code], [400, 'ALX_ERR_INVALID_ARGUMENT']);
    assert.match(body.message, /"path"/);
    res = await api('/api/v1/mount', { method: 'POST', body: '{nope' });
    assert.equal(res.status, 400);
    res = await api('/api/v1/mount?path=/never-mounted', { method: 'DELETE' });
    assert.ok(res.status >= 400 && res.status < 500, `status ${res.status}`);
    assert.ok(!((await (await api('/api/v1/mount')).json()) as Array<{ path: string }>).some((x) => x.path === '/missing'));
  });

  test('GET /api/v1/cluster sums capacity and use and reports the hit rate', async () => {
    assert.ok((await readAll(client, '/a.bin')).equals(data));
    assert.ok((await readAll(client, '/a.bin')).equals(data));
    // Pages are stored just after they are served: wait until they all are.
    await waitFor('pages stored', () => workers.reduce((n, w) => n + w.store.stats().usedBytes, 0) >= data.length);
    const r = await (await api('/api/v1/cluster')).json() as { liveWorkers: number; lostWorkers: number; capacityBytes: number; usedBytes: number; hitRate: number; cachedReadBytes: number; workers: unknown[] };
    assert.equal(r.liveWorkers, 2);
    assert.equal(r.lostWorkers, 0);
    const cap = workers.reduce((n, w) => n + w.store.stats().capacityBytes, 0);
    assert.equal(r.capacityBytes, cap);
    assert.equal(r.usedBytes, workers.reduce((n, w) => n + w.store.stats().usedBytes, 0));
    assert.ok(r.usedBytes >= data.length, `used ${r.usedBytes}`);
    assert.ok(r.cachedReadBytes >= data.length);
    assert.ok(r.hitRate > 0 && r.hitRate <= 1, `hit rate ${r.hitRate}`);
  });

  test('job endpoints answer (the jobs themselves: test/coordinator/jobs.test.ts)', async () => {
    const res = await api('/api/v1/load');
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { jobs: [] });
    assert.equal((await api('/api/v1/free?id=free-0000000000000000')).status, 404);
  });

  test('alluxio info nodes, cluster and report; a worker that leaves shows OFFLINE', async () => {
    const w1 = workers[1]!;
    const name1 = workerName(w1.info.identity);
    let r = await runCli(['info', 'cluster', '--json'], cc.env);
    assert.equal(r.code, 0, r.stderr);
    const cl = JSON.parse(r.stdout) as { liveWorkers: number; capacityBytes: number; clusterName: string };
    assert.deepEqual([cl.liveWorkers, cl.clusterName], [2, cc.clusterName]);
    assert.equal(cl.capacityBytes, workers.reduce((n, w) => n + w.store.stats().capacityBytes, 0));

    await w1.close();
    workers = workers.slice(0, 1);
    r = await runCli(['info', 'nodes'], cc.env);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.match(lines[0]!, /^WorkerId\s+Address\s+Status$/);
    const row1 = lines.find((l) => l.startsWith(name1));
    assert.ok(row1, r.stdout);
    assert.match(row1, /\sOFFLINE$/);
    assert.match(lines.find((l) => l.startsWith(workerName(workers[0]!.info.identity)))!, /\sONLINE$/);

    r = await runCli(['info', 'report', '--conf', `alluxio.coordinator.web.port=${coord.port}`], cc.env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Workers:\s+1 live, 1 lost/);
    assert.match(r.stdout, /Coordinator:\s+http:\/\/127\.0\.0\.1:\d+ \(ONLINE\)/);
    assert.match(r.stdout, new RegExp(`${name1}\\s+\\S+\\s+OFFLINE`));
    assert.match(r.stdout, /Mounts:\n\s+file:\/\/.*on\s+\//);
  });

  test('alluxio process start coordinator serves the REST API until SIGTERM', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, [BIN, 'process', 'start', 'coordinator', '--conf', `alluxio.coordinator.web.port=${port}`],
      { env: { ...process.env, ...cc.env, ALLUXIO_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d) => { stderr += d; });
    const exit = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    try {
      // Starting a process through tsx can take long on a loaded machine: wait generously, stop as soon as it answers.
      await waitFor('coordinator process healthy', async () => {
        if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode}: ${stderr}`);
        return (await fetch(`http://127.0.0.1:${port}/api/v1/health`)).ok;
      }, 120_000, 100);
      const rows = await (await fetch(`http://127.0.0.1:${port}/api/v1/workers`)).json() as unknown[];
      assert.ok(rows.length >= 1);
    } catch (err) {
      child.kill('SIGKILL'); // a failure above is the one to report, not the exit code of a half-started process
      await exit;
      throw err;
    }
    child.kill('SIGTERM');
    assert.equal(await exit, 0, stderr);
  });
});

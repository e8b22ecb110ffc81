// Load and free jobs on a cluster with authentication on (issue 13): the coordinator sends its tasks
// with the cluster credentials it already has (no token file of its own); `--replicas 2` caches a
// file on its two first owners and a read is then served by the second when the first is gone, with
// zero UFS bytes; a free drops a file's pages from every worker that holds them, not only the owner.
// Real etcd, three worker processes, a coordinator process, the `alluxio` CLI, a local UFS.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createClient } from '../../src/client/from-conf.js';
import type { AlluxioClient } from '../../src/client/alluxio-client.js';
import { createLogger } from '../../src/common/logging.js';
import { metrics } from '../../src/common/metrics.js';
import { identityKey, type WorkerInfo } from '../../src/hashring/worker-info.js';
import { runCli, scrapeMetric } from '../support/cli.js';
import { freePort, startEtcd, waitFor, type EtcdCluster } from '../support/etcd.js';
import { makeTempDir, type TempDir } from '../support/tmp.js';
import { CoordinatorProcess, readAll, startWorkerProcesses, writeEtcdConf, type EtcdClusterConf, type WorkerProcess } from '../cluster/harness.js';

const TOKEN = 'jobs-replicas-token-0123456789abcdef';
const FILE_BYTES = 200 * 1024;

interface JobJson { jobState: string; filesDone: number; filesFailed: number; failedFiles: Array<{ path: string; error: string }> }

describe('load and free jobs with auth on: credentials, replicas, free everywhere', { timeout: 900_000 }, () => {
  let tmp: TempDir;
  let etcd: EtcdCluster;
  let cc: EtcdClusterConf;
  let ufs: string;
  let tokenFile: string;
  let workers: WorkerProcess[] = [];
  let coord: CoordinatorProcess;
  let client: AlluxioClient;
  const data = new Map<string, Buffer>();

  /** The CLI as a user holding the token (the coordinator itself has no token file). */
  const cli = (...args: string[]) => runCli(['--conf', `alluxio.user.auth.token.file=${tokenFile}`, ...args], cc.env);
  const progress = async (type: 'load' | 'free', path: string): Promise<JobJson> => {
    const r = await fetch(`${coord.url}/api/v1/${type}?path=${encodeURIComponent(path)}&verbose=true`);
    assert.equal(r.status, 200, await r.clone().text());
    return await r.json() as JobJson;
  };
  const waitDone = (type: 'load' | 'free', path: string) => waitFor(`${type} job of ${path} to end`, async () => {
    const p = await progress(type, path);
    return p.jobState === 'RUNNING' ? undefined : p;
  }, 300_000, 200);
  const ufsBytes = async (ws: WorkerProcess[]) => {
    let n = 0;
    for (const w of ws) n += await scrapeMetric(w.metricsUrl, 'alluxio_ufs_data_access_bytes_total');
    return n;
  };
  // The client in this process records into the metric objects; a process registers them only for
  // its own /metrics (startProcessMetrics), so they are read directly.
  const counter = async (name: string) => {
    const metric = Object.values(metrics).find((m) => (m as unknown as { name: string }).name === name)!;
    return (await metric.get()).values.reduce((n, v) => n + v.value, 0);
  };
  /** The worker process behind a ring entry. */
  const processOf = (w: WorkerInfo) => workers.find((p) => p.ports.http === w.address.HttpServerPort)!;

  function writeFiles(dir: string, n: number): string[] {
    mkdirSync(join(ufs, dir), { recursive: true });
    return Array.from({ length: n }, (_, i) => {
      const path = `/${dir}/f${i}.bin`;
      const body = randomBytes(FILE_BYTES);
      writeFileSync(join(ufs, dir, `f${i}.bin`), body);
      data.set(path, body);
      return path;
    });
  }

  async function load(dir: string, ...opts: string[]): Promise<void> {
    const sub = await cli('job', 'load', '--path', `/${dir}`, '--submit', ...opts);
    assert.equal(sub.code, 0, sub.stderr);
    const end = await waitDone('load', `/${dir}`);
    assert.equal(end.jobState, 'SUCCEEDED', JSON.stringify(end.failedFiles));
    assert.equal(end.filesFailed, 0);
  }

  before(async () => {
    tmp = await makeTempDir('alluxio-jobs-replicas-');
    ufs = join(tmp.path, 'ufs');
    mkdirSync(ufs);
    // A credentials file with a key pair and a token; the CLI's token file holds the same token.
    const cred = join(tmp.path, 'credentials');
    writeFileSync(cred, `jobs-user:jobs-secret-0123456789abcdef\ntoken ops ${TOKEN}\n`, { mode: 0o600 });
    tokenFile = join(tmp.path, 'token');
    writeFileSync(tokenFile, `${TOKEN}\n`, { mode: 0o600 });
    etcd = await startEtcd();
    const coordPort = await freePort();
    cc = writeEtcdConf(tmp.path, etcd.endpoints, {
      'alluxio.coordinator.web.port': String(coordPort),
      'alluxio.master.mount.table.root.ufs': ufs,
      'alluxio.worker.s3.auth.enabled': 'true',
      'alluxio.worker.s3.auth.credentials.file': cred,
      'alluxio.job.lease.ttl': '3s',
    });
    workers = await startWorkerProcesses(cc, tmp.path, 3);
    coord = await CoordinatorProcess.start(cc, coordPort);
    client = await createClient(cc.conf({ 'alluxio.user.auth.token.file': tokenFile }), { log: createLogger('test-client', 'silent') });
    await waitFor('3 workers in the client ring', () => client.ring.liveWorkers.length === 3, 30_000, 100);
  });

  after(async () => {
    await client?.close().catch(() => {});
    await coord?.kill();
    await Promise.all(workers.map((w) => w.kill()));
    await etcd?.cleanup();
    await tmp?.cleanup();
  });

  test('with auth on, the coordinator sends its tasks with the cluster credentials (no token file of its own)', async () => {
    const files = writeFiles('auth', 12);
    // Authentication is on: a submit without credentials is refused.
    const anon = await runCli(['job', 'load', '--path', '/auth', '--submit'], cc.env);
    assert.notEqual(anon.code, 0);
    assert.match(anon.stderr, /credentials|401|Unauthorized|Bearer/i);
    await load('auth');
    for (const p of files) {
      const st = await client.fileCacheStatus(client.owners(p, 1)[0]!, p);
      assert.equal(st.cachedBytes, FILE_BYTES, `${p} cached on its owner`);
    }
  });

  test('free drops the pages of a file from every worker that holds them, not only its owner', async () => {
    const files = writeFiles('freeall', 20);
    await load('freeall', '--replicas', '2');
    for (const p of files) {
      for (const w of client.owners(p, 2)) assert.equal((await client.fileCacheStatus(w, p)).cachedBytes, FILE_BYTES, `${p} cached on owner ${w.address.HttpServerPort}`);
    }
    const free = await cli('fs', 'free', '/freeall');
    assert.equal(free.code, 0, free.stderr);
    for (const p of files) {
      for (const w of client.ring.liveWorkers) {
        assert.equal((await client.fileCacheStatus(w, p)).cachedBytes, 0, `${p} still cached on worker ${w.address.HttpServerPort} after the free`);
      }
    }
  });

  test('--replicas 2: with the first owner killed, reads are served by the other replica, zero UFS bytes', async () => {
    const files = writeFiles('rep', 60);
    await load('rep', '--replicas', '2');
    for (const p of files) {
      for (const w of client.owners(p, 2)) assert.equal((await client.fileCacheStatus(w, p)).cachedBytes, FILE_BYTES, `${p} cached on owner ${w.address.HttpServerPort}`);
    }
    // The victim: the worker that is the first owner of the most files.
    const firstOwned = new Map<string, string[]>();
    for (const p of files) {
      const k = identityKey(client.owners(p, 1)[0]!.identity);
      firstOwned.set(k, [...(firstOwned.get(k) ?? []), p]);
    }
    const [victimKey, victimFiles] = [...firstOwned].sort((a, b) => b[1].length - a[1].length)[0]!;
    const victimInfo = client.ring.liveWorkers.find((w) => identityKey(w.identity) === victimKey)!;
    const victim = processOf(victimInfo);
    const survivors = workers.filter((w) => w !== victim);
    const ufsBefore = await ufsBytes(survivors);
    const fallbackBefore = await counter('alluxio_client_ufs_fallback_total');
    const failoverBefore = await counter('alluxio_client_read_failover_total');
    await victim.kill('SIGKILL');

    // At once: the client's ring still names the dead worker first; the read moves to the next replica.
    const ringStillHadVictim = client.ring.liveWorkers.length === 3;
    for (const p of victimFiles) assert.ok((await readAll(client, p)).equals(data.get(p)!), `${p} read right after the kill`);
    if (ringStillHadVictim) assert.ok(await counter('alluxio_client_read_failover_total') > failoverBefore, 'reads moved to another replica and were counted');

    // Once every ring has dropped it: the new owner of a key may be a worker that holds no replica;
    // it asks the key's previous owners, and the surviving replica answers from its cache.
    await waitFor('the client ring without the killed worker', () => client.ring.liveWorkers.length === 2, 60_000, 100);
    for (const w of survivors) {
      await waitFor(`worker ${w.index}'s ring without the killed worker`, async () => {
        const r = await fetch(`${w.rest}/v1/node?path=${encodeURIComponent(victimFiles[0]!)}&count=3`);
        return r.ok && ((await r.json()) as unknown[]).length === 2;
      }, 60_000, 100);
    }
    for (const p of files) assert.ok((await readAll(client, p)).equals(data.get(p)!), `${p} read after the ring change`);
    assert.equal(await ufsBytes(survivors) - ufsBefore, 0, 'no byte was read from the UFS: every read was served by a replica');
    assert.equal(await counter('alluxio_client_ufs_fallback_total'), fallbackBefore, 'no client read went to the UFS directly');
  });
});

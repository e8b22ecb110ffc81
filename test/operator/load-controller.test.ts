// The Load controller against a REAL coordinator: a real etcd, real workers and a coordinator
// process (`alluxio process start coordinator`) with a local directory mounted at /data. There is
// no Kubernetes API server on these machines, so the Kubernetes side is the in-memory API of
// support/memory-api.ts (with the CRD's validation); only the coordinator's URL resolution is
// overridden (the in-cluster Service name does not resolve here).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { API_VERSION, CONDITION, FINALIZER, REASON } from '../../src/operator/constants.js';
import { HttpLoadJobClient } from '../../src/operator/controllers/job-client.js';
import { LOAD_RETRY_MS, LoadReconciler } from '../../src/operator/controllers/load-controller.js';
import { createManager } from '../../src/operator/operator.js';
import type { KubeObject, ObjectRef } from '../../src/operator/kube/types.js';
import type { RunningWorker } from '../../src/worker/worker-process.js';
import { freePort, startEtcd, waitFor, type EtcdCluster } from '../support/etcd.js';
import { makeTempDir, type TempDir } from '../support/tmp.js';
import { CoordinatorProcess, startInProcessWorker, writeEtcdConf, type EtcdClusterConf } from '../cluster/harness.js';
import type { MemoryKubeApi } from './support/memory-api.js';
import type { ManualClock } from '../../src/operator/controllers/clock.js';
import { bindEtcdPvcs, clusterCr, healthyCluster, markWorkloadsReady, newApi } from './support/sim.js';

const NS = 'alx-ns';
const KiB = 1024;
const loadRef = (name: string): ObjectRef => ({ apiVersion: API_VERSION, kind: 'Load', namespace: NS, name });
const loadCr = (name: string, spec: Record<string, unknown>): KubeObject =>
  ({ apiVersion: API_VERSION, kind: 'Load', metadata: { name, namespace: NS }, spec: { clusterRef: 'alluxio', ...spec } });

interface JobJson { jobId: string; jobState: string; filesDone: number; bytesDone: number; startTimeMs: number }

describe('Load controller with a real coordinator', { timeout: 600_000 }, () => {
  let tmp: TempDir;
  let etcd: EtcdCluster;
  let coord: CoordinatorProcess;
  let cc: EtcdClusterConf;
  let authedCoord: CoordinatorProcess | undefined;
  const workers: RunningWorker[] = [];
  const sizes = new Map<string, number>();

  /** Files under <ufs>/<dir>: name → size. */
  function writeFiles(dir: string, files: Record<string, number>): void {
    for (const [name, size] of Object.entries(files)) {
      const p = join(tmp.path, 'ufs', dir, name);
      mkdirSync(join(p, '..'), { recursive: true });
      writeFileSync(p, Buffer.alloc(size, name));
      sizes.set(`${dir}/${name}`, size);
    }
  }
  const bytesOf = (dir: string) => [...sizes].filter(([k]) => k.startsWith(`${dir}/`)).reduce((n, [, v]) => n + v, 0);
  const filesOf = (dir: string) => [...sizes.keys()].filter((k) => k.startsWith(`${dir}/`)).length;
  const job = async (path: string): Promise<JobJson | undefined> => {
    const r = await fetch(`${coord.url}/api/v1/load?path=${encodeURIComponent(path)}`);
    return r.status === 404 ? undefined : await r.json() as JobJson;
  };

  /** An in-memory Kubernetes API with a Ready AlluxioCluster 'alluxio', and a reconciler talking to the real coordinator. */
  async function kube(): Promise<{ api: MemoryKubeApi; clock: ManualClock; r: LoadReconciler; status: (n: string) => Promise<Record<string, any>> }> {
    const { api, clock } = newApi();
    await api.create(clusterCr('alluxio', NS));
    await api.patchStatus({ apiVersion: API_VERSION, kind: 'AlluxioCluster', namespace: NS, name: 'alluxio' }, { phase: 'Ready' }, { fieldManager: 'test' });
    const r = new LoadReconciler({ api, clock, jobs: new HttpLoadJobClient(10_000), coordinatorUrl: () => coord.url });
    return { api, clock, r, status: async (n) => (await api.get(loadRef(n)))?.status ?? {} };
  }
  /** Reconciles until the Load's phase is `phase` (the job runs on real workers, in real time). */
  const reconcileUntil = (r: LoadReconciler, status: (n: string) => Promise<Record<string, any>>, name: string, phase: string) =>
    waitFor(`Load ${name} ${phase}`, async () => {
      await r.reconcile(loadRef(name));
      const s = await status(name);
      return s.phase === phase ? s : undefined;
    }, 120_000, 100);

  before(async () => {
    tmp = await makeTempDir('alluxio-load-cr-');
    writeFiles('set', { 'a.bin': 100 * KiB, 'b.bin': 300 * KiB + 7, 'sub/c.bin': 50 * KiB });
    writeFiles('sched', { 'x.bin': 70 * KiB, 'y.bin': 20 * KiB });
    // 4 MiB read at 32 KiB/s: the job runs about two minutes, long enough to be deleted mid-way.
    writeFiles('slow', Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`f${i}.bin`, 256 * KiB])));
    etcd = await startEtcd();
    const web = await freePort();
    cc = writeEtcdConf(tmp.path, etcd.endpoints, { 'alluxio.coordinator.web.port': String(web) });
    for (let i = 0; i < 2; i++) workers.push(await startInProcessWorker(cc, tmp.path, i));
    coord = await CoordinatorProcess.start(cc, web);
    const res = await fetch(`${coord.url}/api/v1/mount`, { method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ path: '/data', ufs: join(tmp.path, 'ufs'), options: {} }) });
    assert.equal(res.status, 200, await res.text());
  });

  after(async () => {
    await authedCoord?.kill();
    await coord?.kill();
    await Promise.all(workers.map((w) => w.close()));
    await etcd?.cleanup();
    await tmp?.cleanup();
  });

  test('submit → Running → Succeeded with the files and bytes of the directory; settled: no writes, no requeue', async () => {
    const { api, r, status } = await kube();
    await api.create(loadCr('set', { path: '/data/set', verify: true }));
    const first = await r.reconcile(loadRef('set'));
    const running = await status('set');
    assert.equal(running.phase, 'Running');
    assert.match(running.jobId, /^load-/);
    assert.equal(running.runGeneration, 1);
    assert.ok(first.requeueAfterMs! > 0 && first.requeueAfterMs! <= 30_000, 'polled again soon');
    assert.ok((await api.get(loadRef('set')))!.metadata.finalizers!.includes(FINALIZER));

    const done = await reconcileUntil(r, status, 'set', 'Succeeded');
    assert.equal(done.filesLoaded, filesOf('set'));
    assert.equal(done.filesTotal, filesOf('set'));
    assert.equal(done.bytesLoaded, bytesOf('set'));
    assert.equal(done.bytesTotal, bytesOf('set'));
    assert.equal(done.failures, undefined);
    assert.equal(done.errorMessage, undefined);
    assert.ok(done.startTime && done.completionTime);
    const cond = done.conditions.find((c: { type: string }) => c.type === CONDITION.Loaded);
    assert.equal(cond.status, 'True');
    assert.equal(cond.reason, REASON.JobSucceeded);
    const j = (await job('/data/set'))!;
    assert.equal(j.jobState, 'SUCCEEDED');
    assert.equal(j.jobId, done.jobId);

    // kubectl describe: one Event per turn (submitted, succeeded), not one per progress poll.
    const events = (await api.list('v1', 'Event', { namespace: NS })).items.filter((e) => e.involvedObject.name === 'set');
    // (Listed by name, which is random: compare as sets.)
    assert.deepEqual(events.map((e) => e.reason).sort(), [REASON.JobRunning, REASON.JobSucceeded].sort());
    // Settled: another reconcile reads nothing new, writes nothing and does not requeue (no hot loop).
    const writes = { ...api.writes };
    assert.deepEqual(await r.reconcile(loadRef('set')), {});
    assert.deepEqual(api.writes, writes);
    assert.equal((await job('/data/set'))!.startTimeMs, j.startTimeMs, 'not submitted again');
  });

  test('a path outside every mount: Failed with the coordinator\'s reason, retried slowly, no write when nothing changed', async () => {
    const { api, r, status } = await kube();
    await api.create(loadCr('outside', { path: '/nomount/dataset' }));
    const res = await r.reconcile(loadRef('outside'));
    const s = await status('outside');
    assert.equal(s.phase, 'Failed');
    const cond = s.conditions.find((c: { type: string }) => c.type === CONDITION.Loaded);
    assert.equal(cond.reason, REASON.SubmitRejected);
    assert.match(cond.message, /ALX_ERR_NOT_FOUND: no mount point for \/nomount\/dataset/);
    assert.equal(s.errorMessage, cond.message);
    assert.equal(res.requeueAfterMs, LOAD_RETRY_MS);
    const writes = api.writes.patchStatus;
    await r.reconcile(loadRef('outside'));
    assert.equal(api.writes.patchStatus, writes, 'the same failure is not written again');
    const warnings = (await api.list('v1', 'Event', { namespace: NS })).items.filter((e) => e.involvedObject.name === 'outside');
    assert.deepEqual(warnings.map((e) => [e.type, e.reason]), [['Warning', REASON.SubmitRejected]]);

    // An option the coordinator does not support is its refusal too (501), not a retry storm.
    await api.create(loadCr('meta', { path: '/data/set', metadataOnly: true }));
    assert.equal((await r.reconcile(loadRef('meta'))).requeueAfterMs, LOAD_RETRY_MS);
    assert.match((await status('meta')).errorMessage, /ALX_ERR_NOT_IMPLEMENTED: --metadata-only is not supported/);

    // A missing cluster: Pending, saying so; a bad cron: Failed, not retried until the spec changes.
    await api.create({ ...loadCr('nocluster', { path: '/data/set' }), spec: { clusterRef: 'nope', path: '/data/set' } });
    assert.equal((await r.reconcile(loadRef('nocluster'))).requeueAfterMs, LOAD_RETRY_MS);
    assert.equal((await status('nocluster')).phase, 'Pending');
    assert.match((await status('nocluster')).errorMessage, /AlluxioCluster 'nope' not found in namespace alx-ns/);
    await api.create(loadCr('badcron', { path: '/data/set', schedule: '61 * * * *' }));
    assert.deepEqual(await r.reconcile(loadRef('badcron')), {});
    const bad = await status('badcron');
    assert.equal(bad.phase, 'Failed');
    assert.equal(bad.conditions[0].reason, REASON.InvalidSchedule);
    assert.match(bad.errorMessage, /spec\.schedule '61 \* \* \* \*' is not a cron schedule/);
  });

  test('deleting a Load while its job runs stops the job, then the Load goes', async () => {
    const { api, r, status } = await kube();
    await api.create(loadCr('slow', { path: '/data/slow', bandwidth: '32KB' }));
    await r.reconcile(loadRef('slow'));
    assert.equal((await status('slow')).phase, 'Running');
    assert.equal((await job('/data/slow'))!.jobState, 'RUNNING');
    await api.delete(loadRef('slow'));
    assert.ok((await api.get(loadRef('slow')))!.metadata.deletionTimestamp, 'held by the finalizer');
    await r.reconcile(loadRef('slow'));
    assert.equal(await api.get(loadRef('slow')), undefined, 'finalizer removed once the job was stopped');
    const stopped = await waitFor('job STOPPED', async () => {
      const j = await job('/data/slow');
      return j?.jobState === 'STOPPED' ? j : undefined;
    }, 30_000, 100);
    assert.ok(stopped.filesDone < filesOf('slow'), `stopped mid-way (${stopped.filesDone} files done)`);
  });

  test('a job stopped from outside (alluxio job load --stop) shows as Stopped, and is not run again', async () => {
    const { api, r, status } = await kube();
    await api.create(loadCr('stopped', { path: '/data/slow', bandwidth: '32KB' }));
    await r.reconcile(loadRef('stopped'));
    const { jobId } = await status('stopped');
    const res = await fetch(`${coord.url}/api/v1/load?id=${jobId}`, { method: 'DELETE' });
    assert.equal(res.status, 200, await res.text());
    const s = await reconcileUntil(r, status, 'stopped', 'Stopped');
    assert.equal(s.conditions[0].reason, REASON.JobStopped);
    assert.equal(s.conditions[0].status, 'False');
    assert.ok(s.completionTime);
    assert.deepEqual(await r.reconcile(loadRef('stopped')), {}, 'a one-shot Load is not run again');
    assert.equal((await job('/data/slow'))!.jobState, 'STOPPED');
  });

  test('a schedule: nothing before the first tick, a run at each tick (injected clock)', async () => {
    const { api, clock, r, status } = await kube();
    const t0 = clock.now().getTime(); // 2025-01-01T00:00:00Z, the Load's creationTimestamp
    await api.create(loadCr('nightly', { path: '/data/sched', schedule: '*/10 * * * *' }));
    const wait = await r.reconcile(loadRef('nightly'));
    let s = await status('nightly');
    assert.equal(s.phase, 'Pending');
    assert.equal(s.conditions[0].reason, REASON.WaitingForSchedule);
    assert.equal(s.nextScheduleTime, new Date(t0 + 600_000).toISOString());
    assert.equal(wait.requeueAfterMs, 600_000, 'requeued for the tick');
    assert.equal(await job('/data/sched'), undefined, 'nothing submitted before the first tick');

    clock.advance(600_000);
    await r.reconcile(loadRef('nightly'));
    s = await status('nightly');
    assert.equal(s.phase, 'Running');
    assert.equal(s.lastScheduleTime, new Date(t0 + 600_000).toISOString());
    assert.equal(s.nextScheduleTime, new Date(t0 + 1_200_000).toISOString());
    s = await reconcileUntil(r, status, 'nightly', 'Succeeded');
    assert.equal(s.filesLoaded, filesOf('sched'));
    const run1 = (await job('/data/sched'))!;
    assert.equal(run1.jobState, 'SUCCEEDED');
    // Between ticks: no new run.
    clock.advance(300_000);
    assert.equal((await r.reconcile(loadRef('nightly'))).requeueAfterMs, 300_000);
    assert.equal((await job('/data/sched'))!.startTimeMs, run1.startTimeMs);

    clock.advance(300_000);
    await r.reconcile(loadRef('nightly'));
    s = await status('nightly');
    assert.equal(s.phase, 'Running');
    assert.equal(s.lastScheduleTime, new Date(t0 + 1_200_000).toISOString());
    const run2 = (await job('/data/sched'))!;
    assert.ok(run2.startTimeMs > run1.startTimeMs, 'a new run on the coordinator');
    s = await reconcileUntil(r, status, 'nightly', 'Succeeded');
    assert.equal(s.bytesLoaded, bytesOf('sched'));
  });

  test('with authentication on, the Load is submitted with the operator token of <cluster>-s3-credentials; without it the coordinator refuses', async () => {
    // A second coordinator of the same cluster (same etcd, mounts and workers) whose REST API
    // wants credentials, as in Kubernetes: its credentials file holds the operator's token.
    const token = `op-${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`;
    const dir = join(tmp.path, 'authed-conf');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'credentials'), `token operator ${token}\n`, { mode: 0o600 });
    writeFileSync(join(dir, 'alluxio-site.properties'), readFileSync(join(cc.confDir, 'alluxio-site.properties'), 'utf8')
      + `alluxio.worker.s3.auth.enabled=true\nalluxio.worker.s3.auth.credentials.file=${join(dir, 'credentials')}\n`);
    authedCoord = await CoordinatorProcess.start({ ...cc, confDir: dir, env: { ALLUXIO_CONF_DIR: dir } });
    const url = authedCoord.url;
    writeFiles('authed', { 'k.bin': 33 * KiB });

    const { api, clock } = newApi();
    await api.create(clusterCr('alluxio', NS));
    await api.patchStatus({ apiVersion: API_VERSION, kind: 'AlluxioCluster', namespace: NS, name: 'alluxio' }, { phase: 'Ready' }, { fieldManager: 'test' });
    const r = new LoadReconciler({ api, clock, jobs: new HttpLoadJobClient(10_000), coordinatorUrl: () => url });
    const status = async (n: string) => (await api.get(loadRef(n)))?.status ?? {};
    await api.create(loadCr('authed', { path: '/data/authed' }));
    await r.reconcile(loadRef('authed'));
    assert.equal((await status('authed')).phase, 'Failed');
    assert.match((await status('authed')).errorMessage, /ALX_ERR_UNAUTHENTICATED/);

    await api.create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'alluxio-s3-credentials', namespace: NS },
      data: { 'operator-token': Buffer.from(token).toString('base64') } });
    await r.reconcile(loadRef('authed'));
    const s = await reconcileUntil(r, status, 'authed', 'Succeeded');
    assert.equal(s.bytesLoaded, 33 * KiB);
    assert.ok(!JSON.stringify(await api.get(loadRef('authed'))).includes(token), 'the token is in no status');
  });

  test('the operator runs Loads on its own: watch, poll, status (createManager)', async () => {
    const { api, clock } = newApi();
    await healthyCluster(api);
    writeFiles('managed', { 'm.bin': 10 * KiB });
    const m = createManager({ api, clock, coordinatorUrl: () => coord.url, onFatal: (e) => assert.fail(e) });
    await m.start();
    try {
      // The AlluxioCluster reconciler runs too: the cluster comes up as kubelet and the controllers would report it.
      await api.create(clusterCr('alluxio', NS));
      const cluster = { apiVersion: API_VERSION, kind: 'AlluxioCluster', namespace: NS, name: 'alluxio' };
      await waitFor('cluster objects', async () => (await api.get(cluster))?.status?.phase === 'WaitingForReady', 60_000, 50);
      await bindEtcdPvcs(api, NS, 'alluxio', 3);
      await markWorkloadsReady(api, NS);
      await waitFor('cluster Ready', async () => (await api.get(cluster))?.status?.phase === 'Ready', 60_000, 50);
      await api.create(loadCr('managed', { path: '/data/managed' }));
      const s = await waitFor('managed Load Succeeded', async () => {
        const st = (await api.get(loadRef('managed')))?.status;
        return st?.phase === 'Succeeded' ? st : undefined;
      }, 60_000, 50).catch(async (err) => { throw new Error(`${(err as Error).message}: ${JSON.stringify((await api.get(loadRef('managed')))?.status)}`); });
      assert.equal(s.filesLoaded, 1);
      assert.equal(s.bytesLoaded, 10 * KiB);
    } finally {
      m.stop();
    }
  });
});

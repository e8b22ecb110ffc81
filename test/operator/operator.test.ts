// The whole operator (manager, watches, queue, three reconcilers) on the in-memory Kubernetes
// API (no API server on these machines) with a fake coordinator; plus leader election and the CLI.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { API_VERSION, LABELS, MANAGED_BY } from '../../src/operator/constants.js';
import { buildClusterObjects } from '../../src/operator/builders/cluster.js';
import { parseAlluxioCluster } from '../../src/operator/api/validate.js';
import { REPO_ROOT } from '../../src/operator/api/generate-crds.js';
import { HttpMountClient } from '../../src/operator/controllers/coordinator-client.js';
import { WorkQueue } from '../../src/operator/controllers/work-queue.js';
import { registerOperatorCommands } from '../../src/operator/cli.js';
import { createManager } from '../../src/operator/operator.js';
import { MemoryKubeApi } from './support/memory-api.js';
import { FakeCoordinator } from './support/fake-coordinator.js';
import { bindEtcdPvcs, healthyCluster, markWorkloadsReady, newApi } from './support/sim.js';

async function until(what: string, fn: () => Promise<boolean>, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) { if (await fn()) return; await new Promise((r) => setTimeout(r, 10)); }
  assert.fail(`timed out waiting for ${what}`);
}

test('watch-driven: kubectl apply a cluster and a UFS, pods turn ready → cluster Ready, UFS mounted; delete → unmounted', async (t) => {
  const { api, clock } = newApi();
  await healthyCluster(api);
  const coord = new FakeCoordinator();
  await coord.start();
  t.after(() => coord.stop());
  const m = createManager({ api, clock, mounts: new HttpMountClient(3000), coordinatorUrl: () => coord.url, resyncMs: 60_000, onFatal: (e) => assert.fail(e) });
  await m.start();
  t.after(() => m.stop());
  const cluster = parse(readFileSync(join(REPO_ROOT, 'deploy/examples/alluxio-cluster.yaml'), 'utf8'));
  await api.create(cluster);
  const ref = { apiVersion: API_VERSION, kind: 'AlluxioCluster', namespace: 'alx-ns', name: 'alluxio-cluster' };
  await until('workloads', async () => !!(await api.get({ apiVersion: 'apps/v1', kind: 'StatefulSet', namespace: 'alx-ns', name: 'alluxio-cluster-worker' })));
  await until('WaitingForReady', async () => ['Creating', 'WaitingForReady'].includes((await api.get(ref))!.status?.phase));
  await bindEtcdPvcs(api, 'alx-ns', 'alluxio-cluster', 3);
  await markWorkloadsReady(api, 'alx-ns');
  await until('Ready', async () => (await api.get(ref))!.status?.phase === 'Ready');
  const ufsDocs = readFileSync(join(REPO_ROOT, 'deploy/examples/ufs-secret.yaml'), 'utf8');
  await api.create(parse(ufsDocs));
  await api.create(parse(readFileSync(join(REPO_ROOT, 'deploy/examples/ufs.yaml'), 'utf8')));
  const ufs = { apiVersion: API_VERSION, kind: 'UnderFileSystem', namespace: 'alx-ns', name: 'alluxio-s3' };
  await until('UFS Ready', async () => (await api.get(ufs))?.status?.phase === 'Ready');
  assert.equal(coord.mounts.get('/s3')?.ufs, 's3://my-bucket/datasets/');
  await api.delete(ufs);
  await until('UFS gone', async () => !(await api.get(ufs)));
  assert.equal(coord.mounts.size, 0);
  await api.delete(ref);
  await until('children gone', async () => (await api.list('apps/v1', 'StatefulSet', { namespace: 'alx-ns' })).items.length === 0);
});

test('a watch that keeps failing ends the manager (so Kubernetes restarts the operator)', async () => {
  const api = new MemoryKubeApi();
  let fatal: Error | undefined;
  const m = createManager({ api, onFatal: (e) => { fatal = e; } });
  (m as unknown as { opts: { maxWatchFailures: number } }).opts.maxWatchFailures = 2;
  await m.start();
  // Break every watch again whenever it is re-established (after its backoff), until the manager gives up.
  await until('fatal', async () => { api.breakWatches(500); return fatal !== undefined; }, 30_000);
  assert.match(fatal!.message, /watch of .* failed 2 times/);
});

test('Pods and Secrets are listed and watched by the operator\'s label only (never cluster-wide), and every pod it makes carries that label', async (t) => {
  const { api, clock } = newApi();
  const seen: { verb: string; kind: string; labelSelector?: Record<string, string> }[] = [];
  const list = api.list.bind(api);
  const watch = api.watch.bind(api);
  api.list = async (v, kind, opts = {}) => { seen.push({ verb: 'list', kind, labelSelector: opts.labelSelector }); return list(v, kind, opts); };
  api.watch = async (v, kind, opts, onEvent, onDone) => { seen.push({ verb: 'watch', kind, labelSelector: opts.labelSelector }); return watch(v, kind, opts, onEvent, onDone); };
  const m = createManager({ api, clock, resyncMs: 600_000, onFatal: (e) => assert.fail(e) });
  await m.start();
  t.after(() => m.stop());
  await until('Pod and Secret watches', async () => ['Pod', 'Secret'].every((k) => seen.some((x) => x.verb === 'watch' && x.kind === k)));
  for (const x of seen.filter((y) => ['Pod', 'Secret'].includes(y.kind))) {
    assert.deepEqual(x.labelSelector, { [LABELS.managedBy]: MANAGED_BY }, `${x.verb} ${x.kind}`);
  }
  const cluster = parseAlluxioCluster(parse(readFileSync(join(REPO_ROOT, 'deploy/examples/alluxio-cluster-full.yaml'), 'utf8')));
  for (const o of buildClusterObjects(cluster.value!, {}).filter((x) => x.spec?.template)) {
    assert.equal(o.spec.template.metadata.labels[LABELS.managedBy], MANAGED_BY, `${o.kind} ${o.metadata.name}: its pods are seen by the watch`);
  }
});

test('work queue: one run per key at a time, changes during a run cause one more run, failures back off', async () => {
  const runs: string[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  let fail = 2;
  // The first run of 'a' waits for the test to release it, so the add below lands during a run
  // whatever the machine's load (a fixed sleep raced the queue's setImmediate).
  let release!: () => void;
  const firstRunOfA = new Promise<void>((r) => { release = r; });
  const q = new WorkQueue(async (k) => {
    inFlight++; maxInFlight = Math.max(maxInFlight, inFlight);
    runs.push(k);
    if (k === 'a' && runs.filter((x) => x === 'a').length === 1) await firstRunOfA;
    await new Promise((r) => setTimeout(r, 5));
    inFlight--;
    if (k === 'bad' && fail-- > 0) throw new Error('boom');
  }, { baseBackoffMs: 1 });
  q.add('a'); q.add('a'); q.add('a');
  await until('a running', async () => runs.includes('a'));
  q.add('a');
  release();
  q.add('bad');
  await until('bad retried', async () => runs.filter((k) => k === 'bad').length === 3);
  await q.idle();
  assert.equal(runs.filter((k) => k === 'a').length, 2);
  assert.equal(maxInFlight <= 2, true);
  assert.equal(q.backoffFor('bad'), 1, 'backoff reset after success');
  q.close();
});


test('CLI: `k8s render -f` prints the manifests; warnings go to stderr', async () => {
  const program = new Command().exitOverride();
  registerOperatorCommands(program);
  let out = '';
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((s: string) => { out += s; return true; }) as typeof process.stdout.write;
  try {
    await program.parseAsync(['node', 'alluxio', 'k8s', 'render', '-f', join(REPO_ROOT, 'deploy/examples/alluxio-cluster-dev.yaml')]);
  } finally {
    process.stdout.write = write;
  }
  const docs = out.split(/^---$/m).map((d) => parse(d));
  // The pods' ServiceAccount first: a pod naming a missing ServiceAccount is refused at admission.
  assert.deepEqual(docs.map((d) => `${d.kind}/${d.metadata.name}`).slice(0, 3), ['ServiceAccount/alluxio-dev-alluxio', 'ConfigMap/alluxio-dev-alluxio-conf', 'Service/alluxio-dev-etcd']);
  assert.ok(program.commands.find((c) => c.name() === 'k8s')!.commands.some((c) => c.name() === 'preflight'));
  assert.ok(program.commands.some((c) => c.name() === 'operator'));
});

// Quiescence: the watch-driven operator (manager, watches, queue, the three reconcilers) with an
// AlluxioCluster, an UnderFileSystem and a License, on the in-memory Kubernetes API (there is no
// API server on these machines; the in-memory API emits a watch event for every write that
// changes an object, as a real one does). Once everything is settled, the operator must write
// nothing: no status patch, no apply, no update, not even when every object is reconciled again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { API_VERSION } from '../../src/operator/constants.js';
import { REPO_ROOT } from '../../src/operator/api/generate-crds.js';
import { HttpMountClient } from '../../src/operator/controllers/coordinator-client.js';
import { createManager } from '../../src/operator/operator.js';
import { FakeCoordinator } from './support/fake-coordinator.js';
import { bindEtcdPvcs, healthyCluster, markWorkloadsReady, newApi } from './support/sim.js';

const NS = 'alx-ns';
const example = (f: string) => parse(readFileSync(join(REPO_ROOT, 'deploy/examples', f), 'utf8'));
const total = (w: Record<string, number>) => Object.values(w).reduce((a, b) => a + b, 0);

async function until(what: string, fn: () => Promise<boolean>, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) { if (await fn()) return; await new Promise((r) => setTimeout(r, 20)); }
  assert.fail(`timed out waiting for ${what}`);
}

test('settled operator with every CR kind writes nothing (no hot loop), even when everything is reconciled again', async (t) => {
  const { api, clock } = newApi();
  await healthyCluster(api);
  const coord = new FakeCoordinator();
  await coord.start();
  t.after(() => coord.stop());
  const m = createManager({ api, clock, mounts: new HttpMountClient(3000), coordinatorUrl: () => coord.url, resyncMs: 600_000, onFatal: (e) => assert.fail(e) });
  await m.start();
  t.after(() => m.stop());

  const refs = {
    cluster: { apiVersion: API_VERSION, kind: 'AlluxioCluster', namespace: NS, name: 'alluxio-cluster' },
    ufs: { apiVersion: API_VERSION, kind: 'UnderFileSystem', namespace: NS, name: 'alluxio-s3' },
    license: { apiVersion: API_VERSION, kind: 'License', namespace: NS, name: 'alluxio-license' },
  };
  await api.create(example('alluxio-cluster.yaml'));
  await api.create(example('ufs-secret.yaml'));
  await api.create(example('ufs.yaml'));
  await api.create({ apiVersion: API_VERSION, kind: 'License', metadata: { name: 'alluxio-license', namespace: NS },
    spec: { clusters: [{ name: 'alluxio-cluster', namespace: NS }], licenseString: 'LICENSE-ABC-123' } });
  await until('etcd StatefulSet', async () => !!(await api.get({ apiVersion: 'apps/v1', kind: 'StatefulSet', namespace: NS, name: 'alluxio-cluster-etcd' })));
  await bindEtcdPvcs(api, NS, 'alluxio-cluster', 3);
  const phase = async (r: typeof refs.cluster) => (await api.get(r))?.status?.phase;
  // The License rolls the pods once; the kubelet/controllers stand-in reports them ready again.
  await until('all settled', async () => {
    await markWorkloadsReady(api, NS);
    return await phase(refs.cluster) === 'Ready' && await phase(refs.ufs) === 'Ready' && await phase(refs.license) === 'Completed';
  });
  await m.queue.idle();
  await new Promise((r) => setTimeout(r, 500));
  await m.queue.idle();

  const before = { ...api.writes };
  const rv = (await api.list('v1', 'ConfigMap')).resourceVersion;
  // Let any self-triggered reconcile loop show itself, then reconcile every object once more.
  await new Promise((r) => setTimeout(r, 2000));
  for (const r of Object.values(refs)) m.enqueue(r);
  await m.queue.idle();
  await new Promise((r) => setTimeout(r, 500));
  await m.queue.idle();
  const after = { ...api.writes };
  assert.deepEqual(after, before, `writes after settling: ${JSON.stringify(Object.fromEntries(Object.entries(after).map(([k, v]) => [k, v - before[k as keyof typeof before]])))}`);
  assert.equal(total(after) - total(before), 0);
  assert.equal((await api.list('v1', 'ConfigMap')).resourceVersion, rv, 'no object changed');
});

// etcd.replicaCount changes on a running cluster, with REAL etcd processes as the etcd pods
// (support/etcd-pods.ts starts each one from the rendered pod template and bootstrap ConfigMap,
// as a kubelet would), the AlluxioCluster reconciler on the in-memory Kubernetes API, and the
// operator reaching etcd's member API over HTTP. 1 -> 3 -> 1 -> 2: data written first is still
// there, every step adds or removes one member, and the member list is what the spec asks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Etcd3 } from 'etcd3';
import { API_VERSION } from '../../src/operator/constants.js';
import { AlluxioClusterReconciler } from '../../src/operator/controllers/alluxio-cluster-controller.js';
import { HttpEtcdMembers } from '../../src/operator/controllers/etcd-members.js';
import type { KubeObject } from '../../src/operator/kube/types.js';
import { waitFor } from '../support/etcd.js';
import { EtcdPods } from './support/etcd-pods.js';
import { clusterCr, healthyCluster, markWorkloadsReady, newApi } from './support/sim.js';

const NS = 'alx-ns';
const REF = { apiVersion: API_VERSION, kind: 'AlluxioCluster', namespace: NS, name: 'alluxio' };
const STS = { apiVersion: 'apps/v1', kind: 'StatefulSet', namespace: NS, name: 'alluxio-etcd' };
const peer = (i: number) => `http://alluxio-etcd-${i}.alluxio-etcd-headless.${NS}.svc:2380`;

async function get(url: string, key: string): Promise<string | null> {
  const c = new Etcd3({ hosts: [url] });
  try { return await c.get(key).string(); } finally { c.close(); }
}

interface Harness {
  api: ReturnType<typeof newApi>['api'];
  pods: EtcdPods;
  replicasSeen: number[];
  reconciler: () => AlluxioClusterReconciler;
}

async function harness(t: { after: (fn: () => Promise<void>) => void }): Promise<Harness> {
  const { api, clock } = newApi();
  await healthyCluster(api);
  const pods = new EtcdPods(api, NS, 'alluxio-etcd');
  t.after(() => pods.cleanup());
  // A new reconciler each pass: it keeps no memory, as after an operator restart.
  return { api, pods, replicasSeen: [], reconciler: () => new AlluxioClusterReconciler({ api, clock, etcdMembers: () => pods.memberApi() }) };
}

/** One pass: reconcile, then the StatefulSet controller and kubelets act. */
async function pass(h: Harness): Promise<void> {
  await h.reconciler().reconcile(REF);
  const replicas = (await h.api.get(STS))!.spec.replicas as number;
  if (replicas !== h.replicasSeen.at(-1)) h.replicasSeen.push(replicas);
  await markWorkloadsReady(h.api, NS); // coordinator and workers; etcd's status comes from pods.sync()
  await h.pods.sync();
}

async function listMembers(h: Harness) {
  try { return await h.pods.memberApi().list(); } catch { return []; } // no pod up yet
}

/** Passes until the etcd member list is `want` members, all started and voting, and the cluster Ready. */
async function settle(h: Harness, want: number) {
  const deadline = Date.now() + 120_000;
  for (;;) {
    await pass(h);
    const replicas = (await h.api.get(STS))!.spec.replicas as number;
    const cr = (await h.api.get(REF))!;
    const members = await listMembers(h);
    if (replicas === want && cr.status?.etcd?.members === want && cr.status?.phase === 'Ready'
      && members.length === want && members.every((m) => m.name && !m.isLearner)) return members;
    assert.ok(Date.now() < deadline, `etcd did not reach ${want} members: replicas ${replicas}, members ${JSON.stringify(members)}, `
      + `status ${JSON.stringify(cr.status?.etcd)} ${JSON.stringify(scalingCondition(cr))}, exits ${h.pods.exits().join(' | ')}`);
    await new Promise((res) => setTimeout(res, 200));
  }
}

const scalingCondition = (cr: KubeObject) => cr.status?.conditions?.find((c: { type: string }) => c.type === 'EtcdScaling');

async function setReplicas(h: Harness, n: number): Promise<void> {
  const cr = (await h.api.get(REF))!;
  await h.api.update({ ...cr, spec: { ...cr.spec, etcd: { ...cr.spec.etcd, replicaCount: n } } });
}

test('scaling etcd 1 -> 3 -> 1 -> 2 goes through member add/remove one member at a time and keeps the data', async (t) => {
  const h = await harness(t);
  const { api, pods } = h;

  await api.create(clusterCr('alluxio', NS, { etcd: { replicaCount: 1 } }));
  await settle(h, 1);
  assert.match(pods.starts[0]!.args.join(' '), /--initial-cluster-state=new/);
  const c0 = new Etcd3({ hosts: [await pods.clientUrl(0)] });
  await c0.put('/alluxio/mounts/s3').value('before scaling');
  c0.close();

  const template = (await api.get(STS))!.spec.template;
  await setReplicas(h, 3);
  let members = await settle(h, 3);
  assert.deepEqual((await api.get(STS))!.spec.template, template, 'the pod template (so the running members) is not touched by scaling');
  assert.deepEqual(members.map((m) => m.name).sort(), ['alluxio-etcd-0', 'alluxio-etcd-1', 'alluxio-etcd-2']);
  assert.deepEqual(members.map((m) => m.peerURLs[0]).sort(), [peer(0), peer(1), peer(2)]);
  // Each new member started once its predecessors were members: `existing`, and the members so far plus itself.
  for (const k of [1, 2]) {
    const first = pods.starts.find((s) => s.ordinal === k)!.args;
    assert.ok(first.includes('--initial-cluster-state=existing'), `member ${k} flags: ${first.join(' ')}`);
    const initial = first.find((a) => a.startsWith('--initial-cluster='))!;
    assert.equal(initial, `--initial-cluster=${Array.from({ length: k + 1 }, (_, i) => `alluxio-etcd-${i}=${peer(i)}`).join(',')}`);
  }
  assert.equal(await get(await pods.clientUrl(2), '/alluxio/mounts/s3'), 'before scaling');
  const c2 = new Etcd3({ hosts: [await pods.clientUrl(2)] });
  await c2.put('/alluxio/mounts/gcs').value('at 3 members');
  c2.close();

  await setReplicas(h, 1);
  members = await settle(h, 1);
  assert.deepEqual(members.map((m) => m.name), ['alluxio-etcd-0']);
  assert.equal(await get(await pods.clientUrl(0), '/alluxio/mounts/s3'), 'before scaling');
  assert.equal(await get(await pods.clientUrl(0), '/alluxio/mounts/gcs'), 'at 3 members');

  // Up again: member 1's old claim (with the data dir of the removed member) is deleted first,
  // else etcd refuses the returning member as removed.
  const startsBefore = pods.starts.length;
  await setReplicas(h, 2);
  members = await settle(h, 2);
  assert.deepEqual(members.map((m) => m.name).sort(), ['alluxio-etcd-0', 'alluxio-etcd-1']);
  assert.equal(pods.starts.filter((s, i) => i >= startsBefore && s.ordinal === 1).length >= 1, true);
  assert.equal(await get(await pods.clientUrl(1), '/alluxio/mounts/gcs'), 'at 3 members');

  assert.equal(pods.starts.filter((s) => s.ordinal === 0).length, 1, 'member 0 ran throughout, never restarted');
  // One member at a time, every step through the member API: replicas never jump.
  assert.deepEqual(h.replicasSeen, [1, 2, 3, 2, 1, 2]);
  const cond = scalingCondition((await api.get(REF))!);
  assert.ok(!cond || cond.status === 'True', JSON.stringify(cond));
});

test('scaling down waits while a member is down (removing another would lose quorum), then goes on', async (t) => {
  const h = await harness(t);
  await h.api.create(clusterCr('alluxio', NS, { etcd: { replicaCount: 3 } }));
  await settle(h, 3);
  await h.pods.kill(0);
  await setReplicas(h, 2);
  // Removing member 2 now would leave members 0 (down) and 1: no quorum. The operator waits.
  for (let i = 0; i < 8; i++) await pass(h);
  const members = await listMembers(h);
  assert.equal(members.length, 3, JSON.stringify(members));
  assert.equal((await h.api.get(STS))!.spec.replicas, 3);
  const cond = scalingCondition((await h.api.get(REF))!);
  assert.equal(cond.status, 'False');
  assert.match(cond.message, /waiting for every etcd member to be started and ready \(2\/3 pods ready\)/);
  h.pods.release(0);
  assert.deepEqual((await settle(h, 2)).map((m) => m.name).sort(), ['alluxio-etcd-0', 'alluxio-etcd-1']);
});

test('an operator that stopped right after member add (StatefulSet not raised yet) finishes the step', async (t) => {
  const h = await harness(t);
  await h.api.create(clusterCr('alluxio', NS, { etcd: { replicaCount: 1 } }));
  await settle(h, 1);
  await setReplicas(h, 2);
  // What the previous operator did before it died: the member call, nothing else.
  await waitFor('member add accepted', async () => {
    try { return await h.pods.memberApi().add(peer(1), { learner: true }); } catch { return undefined; }
  }, 30_000, 200);
  const members = await settle(h, 2);
  assert.deepEqual(members.map((m) => m.name).sort(), ['alluxio-etcd-0', 'alluxio-etcd-1']);
  assert.deepEqual(h.replicasSeen, [1, 2]);
});

test('the etcd member API client reports an unreachable etcd as an error, not as an empty member list', async () => {
  await assert.rejects(new HttpEtcdMembers(['http://127.0.0.1:1']).list(), /etcd not reachable/);
});

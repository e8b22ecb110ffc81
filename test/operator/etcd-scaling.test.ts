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

test('scaling etcd 1 -> 3 -> 1 -> 2 goes through member add/remove one member at a time and keeps the data', async (t) => {
  const { api, clock } = newApi();
  await healthyCluster(api);
  const pods = new EtcdPods(api, NS, 'alluxio-etcd');
  t.after(() => pods.cleanup());
  const r = new AlluxioClusterReconciler({ api, clock, etcdMembers: () => pods.memberApi() });
  const replicasSeen: number[] = [];

  /** Reconcile, let the kubelets act, until the etcd member list is `want` (all started and voting). */
  const settle = async (want: number) => {
    const deadline = Date.now() + 120_000;
    for (;;) {
      await r.reconcile(REF);
      const replicas = (await api.get(STS))!.spec.replicas as number;
      if (replicas !== replicasSeen.at(-1)) replicasSeen.push(replicas);
      await markWorkloadsReady(api, NS); // coordinator and workers; etcd's status comes from pods.sync()
      await pods.sync();
      const cr = (await api.get(REF))!;
      let members: { name: string; isLearner: boolean; peerURLs: string[] }[] = [];
      try { members = await pods.memberApi().list(); } catch { /* no pod up yet */ }
      if (replicas === want && cr.status?.etcd?.members === want && cr.status?.phase === 'Ready'
        && members.length === want && members.every((m) => m.name && !m.isLearner)) return members;
      assert.ok(Date.now() < deadline, `etcd did not reach ${want} members: replicas ${replicas}, members ${JSON.stringify(members)}, `
        + `status ${JSON.stringify(cr.status?.etcd)} ${JSON.stringify(cr.status?.conditions?.find((c: { type: string }) => c.type === 'EtcdScaling'))}, exits ${pods.exits().join(' | ')}`);
      await new Promise((res) => setTimeout(res, 200));
    }
  };
  const setReplicas = async (n: number) => {
    const cr = (await api.get(REF))!;
    await api.update({ ...cr, spec: { ...cr.spec, etcd: { ...cr.spec.etcd, replicaCount: n } } });
  };

  await api.create(clusterCr('alluxio', NS, { etcd: { replicaCount: 1 } }));
  await settle(1);
  assert.match(pods.starts[0]!.args.join(' '), /--initial-cluster-state=new/);
  const c0 = new Etcd3({ hosts: [await pods.clientUrl(0)] });
  await c0.put('/alluxio/mounts/s3').value('before scaling');
  c0.close();

  await setReplicas(3);
  let members = await settle(3);
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

  await setReplicas(1);
  members = await settle(1);
  assert.deepEqual(members.map((m) => m.name), ['alluxio-etcd-0']);
  assert.equal(await get(await pods.clientUrl(0), '/alluxio/mounts/s3'), 'before scaling');
  assert.equal(await get(await pods.clientUrl(0), '/alluxio/mounts/gcs'), 'at 3 members');

  // Up again: member 1's old claim (with the data dir of the removed member) is deleted first,
  // else etcd refuses the returning member as removed.
  const startsBefore = pods.starts.length;
  await setReplicas(2);
  members = await settle(2);
  assert.deepEqual(members.map((m) => m.name).sort(), ['alluxio-etcd-0', 'alluxio-etcd-1']);
  assert.equal(pods.starts.filter((s, i) => i >= startsBefore && s.ordinal === 1).length >= 1, true);
  assert.equal(await get(await pods.clientUrl(1), '/alluxio/mounts/gcs'), 'at 3 members');

  // One member at a time, every step through the member API: replicas never jump.
  assert.deepEqual(replicasSeen, [1, 2, 3, 2, 1, 2]);
  const cond = (await api.get(REF))!.status.conditions.find((c: { type: string }) => c.type === 'EtcdScaling');
  assert.ok(!cond || cond.status === 'True', JSON.stringify(cond));
});

test('the etcd member API client reports an unreachable etcd as an error, not as an empty member list', async () => {
  await assert.rejects(new HttpEtcdMembers(['http://127.0.0.1:1']).list(), /etcd not reachable/);
});

// Quantities as the API server stores them. A real kube-apiserver parses every resource.Quantity
// of a built-in kind and keeps its canonical form (1024Mi → 1Gi, cpu: 8 → "8"); the in-memory API
// (test/operator/support/server-rules.ts) does the same. The operator compares what it wants with
// what it reads back: a value spelt differently made an etcd StatefulSet's volumeClaimTemplates
// look changed, so it was orphan-deleted and recreated on every reconcile, and made every
// reconcile apply the worker again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalQuantity } from '../../src/operator/builders/quantity.js';
import { API_VERSION, REASON } from '../../src/operator/constants.js';
import { AlluxioClusterReconciler } from '../../src/operator/controllers/alluxio-cluster-controller.js';
import { bindEtcdPvcs, clusterCr, healthyCluster, markWorkloadsReady, newApi } from './support/sim.js';

const NS = 'alx-ns';
const REF = { apiVersion: API_VERSION, kind: 'AlluxioCluster', namespace: NS, name: 'alluxio' };
const sts = (name: string) => ({ apiVersion: 'apps/v1', kind: 'StatefulSet', namespace: NS, name });

test('canonicalQuantity gives the form kube-apiserver stores (apimachinery resource.Quantity)', () => {
  const cases: [string | number, string][] = [
    ['1024Mi', '1Gi'], ['1.5Gi', '1536Mi'], ['0.5Gi', '512Mi'], ['4096Gi', '4Ti'], ['90Gi', '90Gi'], ['5000Gi', '5000Gi'],
    ['0.5Ki', '512'], ['1.5Ki', '1536'], ['0.1Ki', '102400m'], ['1024', '1024'], ['1000', '1k'],
    ['0.5', '500m'], ['.5', '500m'], ['2000m', '2'], ['100m', '100m'], ['1000M', '1G'], ['1.5G', '1500M'], ['0.1n', '1n'],
    [8, '8'], ['8', '8'], ['0', '0'], ['0Gi', '0'], ['1e3', '1e3'], ['1.5e3', '1500'],
    ['90GB', '90GB'], // not a quantity: left for the server to refuse
  ];
  for (const [input, want] of cases) assert.equal(canonicalQuantity(input), want, `canonical form of ${JSON.stringify(input)}`);
});

test('the in-memory API stores quantities of built-in kinds in canonical form, as the server does', async () => {
  const { api } = newApi();
  await api.create({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'c', namespace: NS },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1024Mi' } } } });
  assert.equal((await api.get({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: NS, name: 'c' }))!.spec.resources.requests.storage, '1Gi');
  await api.apply({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: NS },
    spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: {
      containers: [{ name: 'c', image: 'i', resources: { requests: { cpu: 8, memory: '0.5Gi' }, limits: { cpu: '2000m' } } }],
      volumes: [{ name: 'v', emptyDir: { sizeLimit: '1024Mi' } }] } } } }, { fieldManager: 'm' });
  const pod = (await api.get({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: NS, name: 'd' }))!.spec.template.spec;
  assert.deepEqual(pod.containers[0].resources, { requests: { cpu: '8', memory: '512Mi' }, limits: { cpu: '2' } });
  assert.equal(pod.volumes[0].emptyDir.sizeLimit, '1Gi');
});

test('sizes and resources spelt as users write them (1024Mi, 0.5Gi, cpu: 8): once Ready, a reconcile writes nothing and recreates no StatefulSet', async () => {
  const { api, clock } = newApi();
  await healthyCluster(api);
  const resources = { requests: { cpu: 8, memory: '0.5Gi' }, limits: { memory: '1024Mi' } };
  await api.create(clusterCr('alluxio', NS, {
    etcd: { replicaCount: 1, persistence: { size: '1024Mi' } },
    worker: { resources, pagestore: { type: 'persistentVolumeClaim', size: '1.5Gi' } },
    coordinator: { resources, metastore: { type: 'persistentVolumeClaim', size: '2048Mi' } },
  }));
  const r = new AlluxioClusterReconciler({ api, clock });
  await r.reconcile(REF);
  await bindEtcdPvcs(api, NS, 'alluxio', 1);
  for (let i = 0; i < 5 && (await api.get(REF))!.status?.phase !== 'Ready'; i++) {
    await markWorkloadsReady(api, NS);
    await r.reconcile(REF);
  }
  assert.equal((await api.get(REF))!.status.phase, 'Ready', JSON.stringify((await api.get(REF))!.status.conditions));
  const uids = await Promise.all(['alluxio-etcd', 'alluxio-worker', 'alluxio-coordinator'].map(async (n) => (await api.get(sts(n)))?.metadata.uid));
  const before = { ...api.writes };

  await r.reconcile(REF);
  await r.reconcile(REF);

  assert.deepEqual(api.writes, before, 'no write once settled');
  assert.deepEqual(await Promise.all(['alluxio-etcd', 'alluxio-worker', 'alluxio-coordinator'].map(async (n) => (await api.get(sts(n)))?.metadata.uid)), uids, 'no StatefulSet recreated');
  const events = (await api.list('v1', 'Event', { namespace: NS })).items;
  assert.equal(events.filter((e) => e.reason === REASON.StatefulSetRecreated).length, 0);
  assert.equal((await api.get(REF))!.status.phase, 'Ready');
});

// The YAML of the installation guide (/work/shared/seeds/003, extracted verbatim into
// test/operator/fixtures/seeds/, see its README) must apply as written: the generated CRD schema
// accepts it, no field the user wrote is pruned (a real API server prunes fields its structural
// schema does not know, unless x-kubernetes-preserve-unknown-fields), and the operator reconciles
// the cluster to Ready. Fields alluxio-ts does not act on are kept and listed in the Ignored condition.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { CRDS, buildCrd } from '../../src/operator/api/crd.js';
import { API_VERSION, CONDITION } from '../../src/operator/constants.js';
import { AlluxioClusterReconciler } from '../../src/operator/controllers/alluxio-cluster-controller.js';
import type { KubeObject, ObjectRef } from '../../src/operator/kube/types.js';
import { HttpMountClient } from '../../src/operator/controllers/coordinator-client.js';
import { LicenseReconciler } from '../../src/operator/controllers/license-controller.js';
import { UnderFileSystemReconciler } from '../../src/operator/controllers/under-file-system-controller.js';
import { FakeCoordinator } from './support/fake-coordinator.js';
import { checkOpenApi } from './support/openapi-check.js';
import { bindEtcdPvcs, healthyCluster, markWorkloadsReady, newApi } from './support/sim.js';

const DIR = join(import.meta.dirname, 'fixtures/seeds');
type Obj = Record<string, any>;
const load = (f: string): Obj => parse(readFileSync(join(DIR, f), 'utf8'));
const fixtures = readdirSync(DIR).filter((f) => f.endsWith('.yaml')).sort();
const BASE = '003-01-alluxiocluster.yaml';

function merge(a: Obj, b: Obj): Obj {
  const out: Obj = { ...a };
  for (const [k, v] of Object.entries(b)) {
    out[k] = v && typeof v === 'object' && !Array.isArray(v) && out[k] && typeof out[k] === 'object' ? merge(out[k], v) : v;
  }
  return out;
}

/** The object the guide means: a fragment merged into the guide's alluxio-cluster.yaml. */
function objectOf(f: string): Obj {
  const doc = load(f);
  return f.includes('-fragment') ? merge(load(BASE), doc) : doc;
}

/** Every leaf path of `input` with its value, to find what the server would prune or change. */
function leaves(v: unknown, path: string, out: Map<string, unknown>): Map<string, unknown> {
  if (v && typeof v === 'object' && !Array.isArray(v)) for (const [k, x] of Object.entries(v)) leaves(x, `${path}.${k}`, out);
  else out.set(path, JSON.stringify(v));
  return out;
}

function schemaOf(kind: string): Obj {
  return (buildCrd(CRDS.find((c) => c.kind === kind)!) as Obj).spec.versions[0].schema.openAPIV3Schema;
}

test('every seed fixture is a custom resource of ours (the extraction found the guide\'s blocks)', () => {
  assert.ok(fixtures.length >= 12, fixtures.join());
  for (const f of fixtures) assert.ok(['AlluxioCluster', 'UnderFileSystem', 'License'].includes(objectOf(f).kind), f);
});

test('the strict check is strict: a seed block with a field the CRD does not define is refused, naming it (kubectl --validate=strict)', () => {
  const obj = objectOf(BASE);
  const typo = { ...obj, spec: { ...obj.spec, worker: { ...obj.spec.worker, pagestroe: { size: '10Gi' } } } };
  assert.deepEqual(checkOpenApi(schemaOf('AlluxioCluster'), typo, '', { strict: true }), ['unknown field "spec.worker.pagestroe"']);
  // Opaque maps (spec.properties) take any key, as x-kubernetes-preserve-unknown-fields / additionalProperties say.
  const props = { ...obj, spec: { ...obj.spec, properties: { 'alluxio.any.key': 'v' } } };
  assert.deepEqual(checkOpenApi(schemaOf('AlluxioCluster'), props, '', { strict: true }), []);
});

for (const f of fixtures) {
  test(`seed ${f}: the CRD schema accepts it and keeps every field; a cluster reconciles to Ready`, async () => {
    const obj = objectOf(f);
    assert.deepEqual(checkOpenApi(schemaOf(obj.kind), obj, '', { strict: true }), [], 'generated OpenAPI schema');
    const { api, clock } = newApi();
    await healthyCluster(api);
    const stored = await api.create(obj as KubeObject); // the CRD's checks, defaults and pruning
    const kept = leaves(stored.spec, 'spec', new Map());
    for (const [path, value] of leaves(obj.spec, 'spec', new Map())) {
      assert.equal(kept.get(path), value, `${path} is kept as written`);
    }
    if (obj.kind !== 'AlluxioCluster') return;
    const ref: ObjectRef = { apiVersion: API_VERSION, kind: 'AlluxioCluster', namespace: obj.metadata.namespace, name: obj.metadata.name };
    const r = new AlluxioClusterReconciler({ api, clock });
    await r.reconcile(ref);
    if (stored.spec.etcd.enabled) await bindEtcdPvcs(api, ref.namespace!, ref.name, stored.spec.etcd.replicaCount);
    for (let i = 0; i < 5 && (await api.get(ref))!.status?.phase !== 'Ready'; i++) {
      await markWorkloadsReady(api, ref.namespace!);
      await r.reconcile(ref);
    }
    const status = (await api.get(ref))!.status;
    assert.equal(status.phase, 'Ready', JSON.stringify(status.conditions));
  });
}

test('the GKE block: spec.gateway, spec.fuse.hostPathForMigration and spec.prometheus.persistence are kept and listed in the Ignored condition', async () => {
  const f = fixtures.find((x) => readFileSync(join(DIR, x), 'utf8').includes('hostPathForMigration'))!;
  const obj = objectOf(f);
  const { api, clock } = newApi();
  await healthyCluster(api);
  await api.create(obj as KubeObject);
  const ref: ObjectRef = { apiVersion: API_VERSION, kind: 'AlluxioCluster', namespace: obj.metadata.namespace, name: obj.metadata.name };
  await new AlluxioClusterReconciler({ api, clock }).reconcile(ref);
  const stored = (await api.get(ref))!;
  assert.equal(stored.spec.gateway.log.hostPath, '/home/alluxio/logs/gateway');
  const ignored = stored.status.conditions.find((c: { type: string }) => c.type === CONDITION.Ignored);
  assert.equal(ignored?.status, 'True');
  for (const p of ['spec.gateway', 'spec.fuse.hostPathForMigration', 'spec.prometheus.persistence']) assert.match(ignored.message, new RegExp(p.replace(/\./g, '\\.')));
  // The fields that do mean something were used: the worker page store is on /home/alluxio.
  const worker = (await api.get({ apiVersion: 'apps/v1', kind: 'StatefulSet', namespace: ref.namespace, name: `${ref.name}-worker` }))!;
  assert.ok(worker.spec.template.spec.volumes.some((v: Obj) => v.hostPath?.path === '/home/alluxio/pagestore'));
});

// Fields of Alluxio's operator named in issue 11 that the captured seeds do not show in a block.
const ISSUE_11 = `apiVersion: k8s-operator.alluxio.com/v1
kind: AlluxioCluster
metadata:
  name: alluxio
  namespace: alx-ns
spec:
  user: 0
  group: 0
  fsGroup: 0
  coordinator:
    jvmOptions:
      - "-Xmx4g"
      - "-Xms1g"
    resources:
      limits:
        cpu: 8
        memory: 16Gi
      requests:
        cpu: "4"
        memory: 8Gi
  worker:
    jvmOptions:
      - "-Xmx22g"
      - "-XX:MaxDirectMemorySize=10g"
    resources:
      limits:
        cpu: 8
        memory: 40Gi
`;

test('issue 11 fields: unquoted cpu: 8 (int-or-string), jvmOptions (kept, Ignored), user/group/fsGroup (used by the coordinator and worker pods)', async () => {
  const obj = parse(ISSUE_11);
  assert.deepEqual(checkOpenApi(schemaOf('AlluxioCluster'), obj, '', { strict: true }), [], 'generated OpenAPI schema');
  const { api, clock } = newApi();
  await healthyCluster(api);
  const stored = await api.create(obj as KubeObject);
  const kept = leaves(stored.spec, 'spec', new Map());
  for (const [path, value] of leaves(obj.spec, 'spec', new Map())) assert.equal(kept.get(path), value, `${path} is kept as written`);
  const ref: ObjectRef = { apiVersion: API_VERSION, kind: 'AlluxioCluster', namespace: 'alx-ns', name: 'alluxio' };
  const r = new AlluxioClusterReconciler({ api, clock });
  await r.reconcile(ref);
  const cur = (await api.get(ref))!;
  assert.equal(cur.status.conditions.find((c: { type: string }) => c.type === 'SpecValid')?.status, 'True', JSON.stringify(cur.status.conditions));
  const ignored = cur.status.conditions.find((c: { type: string }) => c.type === CONDITION.Ignored);
  assert.match(ignored?.message ?? '', /spec\.coordinator\.jvmOptions, spec\.worker\.jvmOptions/);
  for (const name of ['alluxio-coordinator', 'alluxio-worker']) {
    const sts = (await api.get({ apiVersion: 'apps/v1', kind: 'StatefulSet', namespace: 'alx-ns', name }))!;
    const pod = sts.spec.template.spec;
    assert.equal(pod.securityContext.runAsUser, 0, `${name} runs as root (spec.user: 0)`);
    assert.equal(pod.securityContext.runAsGroup, 0);
    assert.equal(pod.containers[0].resources.limits.cpu, '8', `${name}: cpu limit passed through (as the quantity the server stores)`);
    assert.match(pod.initContainers[0].command[2], /chown 0:0 /, 'host directories owned by the configured user');
  }
});

test('multi-disk page store (Alluxio\'s hostPath a,b with size 5000Gi,5000Gi): one volume, directory, size and disk check per disk', async () => {
  const yaml = `apiVersion: k8s-operator.alluxio.com/v1
kind: AlluxioCluster
metadata:
  name: alluxio
  namespace: alx-ns
spec:
  worker:
    pagestore:
      hostPath: /mnt/disk1/alluxio/pagestore,/mnt/disk2/alluxio/pagestore
      size: 5000Gi,5000Gi
      reservedSize: 500Gi
`;
  const obj = parse(yaml);
  assert.deepEqual(checkOpenApi(schemaOf('AlluxioCluster'), obj, '', { strict: true }), [], 'generated OpenAPI schema');
  const { api, clock } = newApi();
  await healthyCluster(api);
  await api.create(obj as KubeObject);
  const ref: ObjectRef = { apiVersion: API_VERSION, kind: 'AlluxioCluster', namespace: 'alx-ns', name: 'alluxio' };
  const r = new AlluxioClusterReconciler({ api, clock });
  await r.reconcile(ref);
  const cur = (await api.get(ref))!;
  assert.equal(cur.status.conditions.find((c: { type: string }) => c.type === 'SpecValid')?.status, 'True', JSON.stringify(cur.status.conditions));
  const cm = (await api.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'alx-ns', name: 'alluxio-alluxio-conf' }))!;
  const props = new Map(cm.data['alluxio-site.properties'].split('\n').map((l: string) => l.split('=') as [string, string]));
  assert.equal(props.get('alluxio.worker.page.store.dirs'), '/mnt/alluxio/pagestore-0,/mnt/alluxio/pagestore-1');
  assert.equal(props.get('alluxio.worker.page.store.sizes'), '5000Gi,5000Gi');
  assert.equal(props.get('alluxio.worker.page.store.reserved.size'), '500Gi');
  const pod = (await api.get({ apiVersion: 'apps/v1', kind: 'StatefulSet', namespace: 'alx-ns', name: 'alluxio-worker' }))!.spec.template.spec;
  for (const [i, host] of ['/mnt/disk1/alluxio/pagestore', '/mnt/disk2/alluxio/pagestore'].entries()) {
    assert.equal(pod.volumes.find((v: Obj) => v.name === `pagestore-${i}`)?.hostPath.path, host);
    assert.ok(pod.containers[0].volumeMounts.some((m: Obj) => m.name === `pagestore-${i}` && m.mountPath === `/mnt/alluxio/pagestore-${i}`));
    assert.match(pod.initContainers[0].command[2], new RegExp(`df -Pk '/mnt/alluxio/pagestore-${i}'`));
  }

  // A size count that does not match the directories is named, not guessed.
  const bad = parse(yaml.replace('size: 5000Gi,5000Gi', 'size: 5000Gi,5000Gi,5000Gi').replace('name: alluxio\n', 'name: alluxio2\n'));
  await api.create(bad as KubeObject);
  await r.reconcile({ ...ref, name: 'alluxio2' });
  const st = (await api.get({ ...ref, name: 'alluxio2' }))!.status;
  assert.equal(st.phase, 'Failed');
  assert.match(st.errorMessage, /2 hostPaths but 3 sizes/);
});

test('the guide end to end: its cluster Ready, then its UnderFileSystem mounted (fake coordinator) and its License applied', async (t) => {
  const { api, clock } = newApi();
  await healthyCluster(api);
  const cluster = load(BASE);
  await api.create(cluster as KubeObject);
  const ref: ObjectRef = { apiVersion: API_VERSION, kind: 'AlluxioCluster', namespace: cluster.metadata.namespace, name: cluster.metadata.name };
  const r = new AlluxioClusterReconciler({ api, clock });
  await r.reconcile(ref);
  await bindEtcdPvcs(api, ref.namespace!, ref.name, 3);
  for (let i = 0; i < 5 && (await api.get(ref))!.status?.phase !== 'Ready'; i++) { await markWorkloadsReady(api, ref.namespace!); await r.reconcile(ref); }
  assert.equal((await api.get(ref))!.status.phase, 'Ready');

  const coord = new FakeCoordinator();
  await coord.start();
  t.after(() => coord.stop());
  const ufs = load('003-02-underfilesystem.yaml');
  await api.create(ufs as KubeObject);
  const ufsRef: ObjectRef = { apiVersion: API_VERSION, kind: 'UnderFileSystem', namespace: ufs.metadata.namespace, name: ufs.metadata.name };
  await new UnderFileSystemReconciler({ api, clock, mounts: new HttpMountClient(5000), coordinatorUrl: () => coord.url }).reconcile(ufsRef);
  assert.equal((await api.get(ufsRef))!.status.phase, 'Ready', JSON.stringify((await api.get(ufsRef))!.status));
  assert.equal(coord.mounts.get('/s3')?.ufs, ufs.spec.path);

  const lic = load('003-08-license.yaml');
  await api.create(lic as KubeObject);
  const licRef: ObjectRef = { apiVersion: API_VERSION, kind: 'License', namespace: lic.metadata.namespace, name: lic.metadata.name };
  await new LicenseReconciler({ api, clock }).reconcile(licRef);
  assert.equal((await api.get(licRef))!.status.phase, 'Completed', JSON.stringify((await api.get(licRef))!.status));
});

// `alluxio k8s render`: every object for every example (deploy/examples and docs/kubernetes.md)
// validates against the Kubernetes OpenAPI schemas (kubernetes-models), the committed plain
// manifests are current, and the operator applies exactly what render prints (in-memory API).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { CRDS, buildCrd } from '../../src/operator/api/crd.js';
import { REPO_ROOT } from '../../src/operator/api/generate-crds.js';
import { parseSchema } from '../../src/operator/api/validate.js';
import { AlluxioClusterReconciler } from '../../src/operator/controllers/alluxio-cluster-controller.js';
import { renderCluster, renderClusterWithWarnings, toYamlStream, parseYamlDocuments } from '../../src/operator/render.js';
import { refOf, type KubeObject } from '../../src/operator/kube/types.js';
import { validateK8s } from './support/k8s-schema.js';
import { checkOpenApi } from './support/openapi-check.js';
import { healthyCluster, newApi, stripServerFields } from './support/sim.js';

const EXAMPLES = join(REPO_ROOT, 'deploy/examples');
const exampleFiles = () => readdirSync(EXAMPLES).filter((f) => f.startsWith('alluxio-cluster')).map((f) => join(EXAMPLES, f));

/** The ```yaml blocks of docs/kubernetes.md. */
export function docYamlBlocks(): string[] {
  const md = readFileSync(join(REPO_ROOT, 'docs/kubernetes.md'), 'utf8');
  return [...md.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

test('every object rendered for every example validates against the Kubernetes schemas', async () => {
  let n = 0;
  for (const f of exampleFiles()) {
    for (const o of renderCluster(readFileSync(f, 'utf8'))) { await validateK8s(o); n++; }
  }
  for (const block of docYamlBlocks()) {
    if (!/kind: AlluxioCluster/.test(block) || !/metadata:/.test(block)) continue;
    for (const o of renderCluster(block)) { await validateK8s(o); n++; }
  }
  assert.ok(n > 60, `validated ${n} objects`);
});

test('every custom resource in docs/kubernetes.md validates against our schemas', () => {
  let n = 0;
  for (const block of docYamlBlocks()) {
    for (const doc of parseYamlDocuments(block, 'docs/kubernetes.md')) {
      const d = doc as { apiVersion?: string; kind?: string; metadata?: unknown };
      if (d.apiVersion !== 'k8s-operator.alluxio.com/v1') continue;
      // Snippets without metadata are fragments of alluxio-cluster.yaml: check them merged into a named cluster.
      const full = d.metadata ? d : { ...d, metadata: { name: 'snippet' } };
      assert.deepEqual(parseSchema(d.kind as 'AlluxioCluster', full).errors, [], JSON.stringify(d).slice(0, 200));
      // kubectl validates strictly by default: a field the CRD does not define is an error, not dropped.
      const schema = (buildCrd(CRDS.find((c) => c.kind === d.kind)!) as Record<string, any>).spec.versions[0].schema.openAPIV3Schema;
      assert.deepEqual(checkOpenApi(schema, full, '', { strict: true }), [], JSON.stringify(d).slice(0, 200));
      n++;
    }
  }
  assert.ok(n >= 8, `checked ${n} custom resources`);
});

test('deploy/manifests/alluxio-cluster.yaml is `alluxio k8s render -f deploy/examples/alluxio-cluster.yaml`', () => {
  const rendered = toYamlStream(renderCluster(readFileSync(join(EXAMPLES, 'alluxio-cluster.yaml'), 'utf8')));
  const committed = readFileSync(join(REPO_ROOT, 'deploy/manifests/alluxio-cluster.yaml'), 'utf8');
  assert.equal(committed.replace(/^#.*\n/gm, ''), rendered, 'regenerate: npx tsx src/cli/main.ts k8s render -f deploy/examples/alluxio-cluster.yaml');
});

test('render output equals what the operator applies (except owner references, which need the live UID)', async () => {
  // Every example, through the test API's server rules (names, canonical quantities, declared fields, immutability).
  for (const f of exampleFiles()) {
    const text = readFileSync(f, 'utf8');
    const rendered = renderCluster(text);
    const { api, clock } = newApi();
    await healthyCluster(api);
    const cr = parse(text) as KubeObject;
    await api.create(cr);
    await new AlluxioClusterReconciler({ api, clock }).reconcile(refOf(cr));
    for (const o of rendered) {
      const live = await api.get(refOf(o));
      assert.ok(live, `${o.kind}/${o.metadata.name} applied`);
      assert.equal(live.metadata.ownerReferences?.[0]?.name, cr.metadata.name);
      assert.deepEqual(stripServerFields(live), o, `${o.kind}/${o.metadata.name}`);
    }
  }
});

test('the config map carries the operator properties, then spec.properties, which win', () => {
  const text = readFileSync(join(EXAMPLES, 'alluxio-cluster.yaml'), 'utf8').replace('alluxio.user.worker.selection.policy: CONSISTENT',
    'alluxio.user.worker.selection.policy: CONSISTENT\n    alluxio.worker.page.store.page.size: 1MB');
  const cm = renderCluster(text).find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'alluxio-cluster-alluxio-conf')!;
  const props = cm.data['alluxio-site.properties'] as string;
  for (const line of ['alluxio.worker.membership.manager.type=ETCD', 'alluxio.mount.table.source=ETCD',
    'alluxio.etcd.endpoints=http://alluxio-cluster-etcd.alx-ns:2379', 'alluxio.worker.page.store.sizes=90Gi',
    'alluxio.worker.page.store.reserved.size=9Gi', 'alluxio.worker.page.store.dirs=/mnt/alluxio/pagestore',
    'alluxio.worker.identity.uuid.file.path=/mnt/alluxio/system-info/worker_identity', 'alluxio.cluster.name=alx-ns-alluxio-cluster',
    'alluxio.coordinator.hostname=alluxio-cluster-coordinator-0.alluxio-cluster-coordinator-headless.alx-ns.svc',
    'alluxio.worker.page.store.page.size=1MB']) {
    assert.ok(props.split('\n').includes(line), `missing ${line}`);
  }
  assert.equal(props.match(/^alluxio\.worker\.page\.store\.page\.size=/gm)!.length, 1, 'the user value replaces the operator one');
  assert.deepEqual(Object.keys(cm.data).sort(), ['alluxio-env.sh', 'alluxio-site.properties', 'logging.properties', 'metrics.properties']);
});

test('components: etcd anti-affinity, worker probes and ports, user mounts, pull secrets, image overrides', () => {
  const objs = renderCluster(readFileSync(join(EXAMPLES, 'alluxio-cluster-full.yaml'), 'utf8'));
  const by = (kind: string, name: string) => objs.find((o) => o.kind === kind && o.metadata.name === name)!;
  const etcd = by('StatefulSet', 'alluxio-full-etcd');
  assert.equal(etcd.spec.template.spec.containers[0].image, 'registry.example.com/coreos/etcd:v3.5.17');
  assert.ok(etcd.spec.template.spec.affinity.nodeAffinity, 'user etcd affinity replaces the default');
  assert.equal(etcd.spec.volumeClaimTemplates[0].spec.storageClassName, 'standard');
  const w = by('StatefulSet', 'alluxio-full-worker');
  const pod = w.spec.template.spec;
  assert.deepEqual(pod.imagePullSecrets, [{ name: 'regcred' }]);
  assert.equal(pod.containers[0].image, 'registry.example.com/alluxio/alluxio-ts:0.1.0');
  assert.deepEqual(pod.containers[0].readinessProbe.httpGet, { path: '/v1/health', port: 28080 });
  assert.deepEqual(pod.containers[0].ports.map((p: { containerPort: number }) => p.containerPort), [28080, 29998, 30000]);
  assert.equal(pod.securityContext.runAsUser, 1000);
  assert.deepEqual(pod.nodeSelector, { 'alluxio.com/role': 'worker' });
  assert.equal(w.spec.volumeClaimTemplates[0].metadata.name, 'pagestore');
  assert.equal(w.spec.volumeClaimTemplates[0].spec.resources.requests.storage, '200Gi');
  const mounts = pod.containers[0].volumeMounts.map((m: { mountPath: string }) => m.mountPath);
  for (const p of ['/opt/alluxio/conf', '/mnt/alluxio/pagestore', '/opt/alluxio/secret', '/opt/alluxio/cachefilter', '/mnt/nas', '/data']) assert.ok(mounts.includes(p), p);
  assert.match(pod.containers[0].env.find((e: { name: string }) => e.name === 'ALLUXIO_JAVA_OPTS').value, /\$\(POD_NAME\)\/worker_identity/);
  const c = by('StatefulSet', 'alluxio-full-coordinator').spec.template.spec;
  assert.deepEqual(c.containers[0].readinessProbe.httpGet, { path: '/api/v1/health', port: 19999 });
  assert.deepEqual(c.containers[0].resources.limits, { cpu: '2', memory: '4Gi' });
  assert.deepEqual(c.volumes.find((v: { name: string }) => v.name === 'metastore').hostPath.path, '/home/alluxio/metastore');
  const fuse = by('DaemonSet', 'alluxio-full-fuse').spec.template.spec;
  assert.equal(fuse.securityContext.runAsUser, 0, 'FUSE runs as root');
  // Mounted on a subdirectory of hostPathForMount (fuse-daemonset.test.ts), in the foreground.
  assert.match(fuse.containers[0].command.at(-1), /exec alluxio 'fuse' 'mount' '-f' '\/home\/alluxio\/fuse\/alluxio' '-o' 'allow_other,kernel_cache,entry_timeout=60,attr_timeout=60'$/);
  const dev = renderCluster(readFileSync(join(EXAMPLES, 'alluxio-cluster-dev.yaml'), 'utf8'));
  const devEtcd = dev.find((o) => o.kind === 'StatefulSet' && o.metadata.name === 'alluxio-dev-etcd')!;
  assert.equal(devEtcd.spec.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey, 'kubernetes.io/hostname');
  assert.equal(dev.some((o) => o.kind === 'Deployment'), false, 'monitoring disabled');
});

test('the Grafana dashboard has the rows Cluster, Fuse, S3, Worker, UFS, Job, Process, ETCD over DESIGN §10 metric names', () => {
  const cm = renderCluster(readFileSync(join(EXAMPLES, 'alluxio-cluster.yaml'), 'utf8')).find((o) => o.metadata.name === 'alluxio-cluster-grafana-dashboards')!;
  const d = JSON.parse(cm.data['alluxio.json']);
  assert.deepEqual(d.panels.filter((p: { type: string }) => p.type === 'row').map((p: { title: string }) => p.title),
    ['Cluster', 'Fuse', 'S3', 'Worker', 'UFS', 'Job', 'Process', 'ETCD']);
  const exprs = d.panels.flatMap((p: { targets?: { expr: string }[] }) => (p.targets ?? []).map((t) => t.expr)).join('\n');
  for (const m of ['alluxio_cached_storage_bytes', 'alluxio_cached_capacity_bytes', 'alluxio_cached_data_read_bytes_total', 'alluxio_missed_data_read_bytes_total',
    'alluxio_cached_evicted_data_bytes_total', 'alluxio_data_cached_files', 'alluxio_data_cached_pages', 'alluxio_ufs_data_access_bytes_total',
    'alluxio_ufs_latency_seconds', 'alluxio_s3_api_call_latency_seconds', 'alluxio_fuse_call_latency_seconds', 'alluxio_active_job_count', 'alluxio_version_info',
    'alluxio_client_ufs_fallback_total']) assert.ok(exprs.includes(m), m);
});

test('render rejects an invalid cluster with every problem named, and warns on 90GB', () => {
  assert.throws(() => renderCluster('apiVersion: k8s-operator.alluxio.com/v1\nkind: AlluxioCluster\nmetadata: {name: x}\nspec: {worker: {count: -1}, fuse: {type: x}}\n'),
    /spec\.worker\.count[\s\S]*spec\.fuse\.type/);
  assert.throws(() => renderCluster('kind: ConfigMap\n'), /no AlluxioCluster/);
  const r = renderClusterWithWarnings('apiVersion: k8s-operator.alluxio.com/v1\nkind: AlluxioCluster\nmetadata: {name: x}\nspec: {worker: {pagestore: {size: 90GB}}}\n');
  assert.match(r.warnings[0]!, /90GB/);
  const w = r.objects.find((o) => o.kind === 'StatefulSet' && o.metadata.name === 'x-worker')!;
  assert.match(w.spec.template.spec.initContainers[0].command[2], /-ge 94371840 \]/, 'init container checks the disk against 90 GiB');
});

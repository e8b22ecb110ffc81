// One cluster, two routes: the chart (deploy/helm/alluxio, 3.x-style values) and the operator's
// builders (`alluxio k8s render` of the equivalent AlluxioCluster) must give the coordinator,
// worker, etcd and FUSE pods the same image, command, ports, probes, env, mounts, security and
// resources, and the same alluxio-site.properties. A change to one side only fails here.
// Differences by design, asserted as such: object names (2.x's alluxio-master, alluxio-config),
// the worker kind (a DaemonSet as in 2.x, the operator's is a StatefulSet), and the coordinator's
// metastore/logs on emptyDir (no hostPath, so no path-permission init container there).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findProperty, type PropertyName } from '../../src/conf/property-keys.js';
import { renderCluster } from '../../src/operator/render.js';
import type { KubeObject } from '../../src/operator/kube/types.js';
import { renderObjects } from './support/chart.js';

const CHART_VALUES = {
  master: { count: 1 },
  etcd: { replicaCount: 1 },
  tieredstore: { levels: [] },
  pagestore: { type: 'hostPath', size: '10Gi', reservedSize: '1024Mi' },
  shortCircuit: { enabled: false },
  security: { enabled: true },
  fuse: { enabled: true, mountPath: '/mnt/alluxio-fuse' },
};

const CLUSTER = `apiVersion: k8s-operator.alluxio.com/v1
kind: AlluxioCluster
metadata: {name: alluxio, namespace: default}
spec:
  coordinator: {count: 1}
  etcd: {replicaCount: 1}
  worker:
    pagestore: {type: hostPath, size: 10Gi}
  fuse: {type: daemonSet, hostPathForMount: /mnt/alluxio-fuse}
  prometheus: {enabled: false}
  grafana: {enabled: false}
`;

type Obj = Record<string, any>;
const chart = renderObjects(CHART_VALUES).map((o) => o.object);
const operator = renderCluster(CLUSTER);

function pod(objs: KubeObject[], kinds: string[], name: string): Obj {
  const o = objs.find((x) => kinds.includes(x.kind) && x.metadata.name === name);
  assert.ok(o, `${name} not rendered: ${objs.map((x) => `${x.kind}/${x.metadata.name}`).join(', ')}`);
  return o.spec.template.spec;
}

/** What must agree in a container; names of the container and of Secrets/ConfigMaps may differ. */
function shape(c: Obj): Obj {
  const mounts = (c.volumeMounts ?? []).map((m: Obj) => ({ name: m.name, mountPath: m.mountPath, readOnly: m.readOnly ?? false, mountPropagation: m.mountPropagation }))
    .sort((a: Obj, b: Obj) => a.mountPath.localeCompare(b.mountPath));
  return {
    image: c.image, imagePullPolicy: c.imagePullPolicy, command: c.command, args: c.args, ports: c.ports,
    readinessProbe: c.readinessProbe, livenessProbe: c.livenessProbe, startupProbe: c.startupProbe,
    env: c.env, securityContext: c.securityContext, resources: c.resources, lifecycle: c.lifecycle,
    terminationMessagePolicy: c.terminationMessagePolicy, mounts,
  };
}

const plain = (a: unknown) => JSON.parse(JSON.stringify(a ?? null)) as unknown;

function compare(what: string, chartPod: Obj, operatorPod: Obj, skipEnv = false): void {
  const a = shape(chartPod.containers[0]);
  const b = shape(operatorPod.containers[0]);
  if (skipEnv) { a.env = (a.env as Obj[]).map((e) => e.name); b.env = (b.env as Obj[]).map((e) => e.name); }
  assert.deepEqual(plain(a), plain(b), `${what}: the chart's container drifted from the operator's`);
  assert.deepEqual(chartPod.securityContext, operatorPod.securityContext, `${what}: pod securityContext`);
  const waitEtcd = (p: Obj) => p.initContainers?.find((c: Obj) => c.name === 'wait-etcd');
  assert.deepEqual(waitEtcd(chartPod), waitEtcd(operatorPod), `${what}: wait-etcd init container`);
}

test('coordinator: the chart\'s alluxio-master pod is the operator\'s coordinator pod', () => {
  compare('coordinator', pod(chart, ['StatefulSet'], 'alluxio-master'), pod(operator, ['StatefulSet'], 'alluxio-coordinator'));
});

test('worker: same container and init containers as the operator\'s worker', () => {
  const c = pod(chart, ['DaemonSet'], 'alluxio-worker');
  const o = pod(operator, ['StatefulSet'], 'alluxio-worker');
  compare('worker', c, o);
  // Both hand the hostPath directories to the Alluxio user, then wait for etcd, before the worker starts.
  assert.deepEqual(c.initContainers.map((x: Obj) => x.name), o.initContainers.map((x: Obj) => x.name));
  // The same node directories for the cache and the worker identity (the chart keeps metastore and logs on emptyDir).
  const hostPaths = (p: Obj) => Object.fromEntries(p.volumes.filter((v: Obj) => v.hostPath && ['pagestore', 'system-info'].includes(v.name)).map((v: Obj) => [v.name, v.hostPath]));
  assert.deepEqual(hostPaths(c), hostPaths(o));
  assert.equal(Object.keys(hostPaths(c)).length, 2);
});

test('etcd: same image, ports, probes, volumes; the initial cluster is a literal in the chart (env names agree)', () => {
  compare('etcd', pod(chart, ['StatefulSet'], 'alluxio-etcd'), pod(operator, ['StatefulSet'], 'alluxio-etcd'), true);
  const args = (objs: KubeObject[]) => pod(objs, ['StatefulSet'], 'alluxio-etcd').containers[0].args;
  assert.deepEqual(args(chart), args(operator));
});

test('FUSE: same command, probes, mounts and privileges', () => {
  compare('fuse', pod(chart, ['DaemonSet'], 'alluxio-fuse'), pod(operator, ['DaemonSet'], 'alluxio-fuse'));
});

test('alluxio-site.properties: the same keys and values (the chart also writes the worker ports, at the registry defaults)', () => {
  const props = (objs: KubeObject[]) => {
    const cm = objs.find((o) => o.kind === 'ConfigMap' && String(o.data?.['alluxio-site.properties'] ?? '') !== '')!;
    return Object.fromEntries((cm.data['alluxio-site.properties'] as string).split('\n').filter((l) => l && !l.startsWith('#'))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)])) as Record<string, string>;
  };
  const c = props(chart);
  const o = props(operator);
  const chartOnly: PropertyName[] = ['alluxio.worker.http.server.port', 'alluxio.worker.rest.port', 'alluxio.worker.web.port'];
  for (const k of chartOnly) {
    assert.equal(c[k], findProperty(k)!.default, k);
    delete c[k];
  }
  // 2.x's shortCircuit.enabled=false is the client switch (the operator leaves it at its default).
  assert.equal(c['alluxio.user.short.circuit.enabled'], 'false');
  delete c['alluxio.user.short.circuit.enabled'];
  // Names differ by design: the chart's coordinator is <release>-master.
  assert.equal(c['alluxio.coordinator.hostname'], 'alluxio-master-0.alluxio-master-headless.default.svc');
  assert.equal(o['alluxio.coordinator.hostname'], 'alluxio-coordinator-0.alluxio-coordinator-headless.default.svc');
  delete c['alluxio.coordinator.hostname'];
  delete o['alluxio.coordinator.hostname'];
  assert.deepEqual(c, o);
});

// Every port the operator renders for a worker (container ports, ports of the worker Services)
// answers on a running worker: a port a client is told about must be served. 2.x users probe
// 29999 (`nc -zv <IP> 29999` in the 2.x troubleshooting guide); alluxio-ts serves nothing there,
// so the operator must not render it (docs/alluxio-2x.md, "Port 29999"). Each rendered port is
// mapped to the worker property whose default it is, and a real worker process is started with
// every such property on a free port.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { PROPERTIES } from '../../src/conf/index.js';
import { renderCluster } from '../../src/operator/render.js';
import type { KubeObject } from '../../src/operator/kube/types.js';
import { freePort, startEtcd, type EtcdCluster } from '../support/etcd.js';
import { makeTempDir, type TempDir } from '../support/tmp.js';
import { startWorkerProcesses, writeEtcdConf, type WorkerProcess } from '../cluster/harness.js';

type Obj = KubeObject & { spec?: any };

/** The worker's port properties by their default port number (28080 → alluxio.worker.http.server.port). */
const WORKER_PORT_PROPERTY = new Map(PROPERTIES
  .filter((p) => p.name.startsWith('alluxio.worker.') && p.name.endsWith('.port') && p.default !== undefined)
  .map((p) => [Number(p.default), p.name]));

/** Container ports of one component's pods (the worker by default) and target ports of its Services, from every example cluster. */
function renderedPorts(which = 'worker'): Map<number, string> {
  const found = new Map<number, string>();
  for (const file of ['alluxio-cluster.yaml', 'alluxio-cluster-full.yaml', 'alluxio-cluster-dev.yaml']) {
    const objs = renderCluster(readFileSync(new URL(`../../deploy/examples/${file}`, import.meta.url), 'utf8')) as Obj[];
    for (const o of objs) {
      const component = o.metadata?.labels?.['app.kubernetes.io/component'];
      if (component !== which) continue;
      if (o.kind === 'StatefulSet' || o.kind === 'DaemonSet') {
        for (const c of o.spec.template.spec.containers) for (const p of c.ports ?? []) found.set(p.containerPort, `${file}: ${o.kind} ${o.metadata.name} container port ${p.name}`);
      }
      if (o.kind === 'Service') {
        for (const p of o.spec.ports) found.set(Number(p.targetPort ?? p.port), `${file}: Service ${o.metadata.name} port ${p.name}`);
      }
    }
  }
  return found;
}

/** Whether something accepts a TCP connection on 127.0.0.1:port. */
function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.setTimeout(5000);
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
    s.once('timeout', () => { s.destroy(); resolve(false); });
  });
}

test('the coordinator is rendered with its web port only: nothing listens on alluxio.coordinator.rpc.port', () => {
  const rendered = renderedPorts('coordinator');
  const web = Number(PROPERTIES.find((p) => p.name === 'alluxio.coordinator.web.port')!.default);
  assert.deepEqual([...rendered.keys()], [web], [...rendered.values()].join('; '));
});

describe('ports the operator renders for a worker', { timeout: 600_000 }, () => {
  let tmp: TempDir;
  let etcd: EtcdCluster;
  let worker: WorkerProcess;
  const rendered = renderedPorts();
  /** Property → the port the test worker got for it. */
  const assigned = new Map<string, number>();

  before(async () => {
    tmp = await makeTempDir('alluxio-ports-');
    etcd = await startEtcd();
    const cc = writeEtcdConf(tmp.path, etcd.endpoints);
    const extra: Record<string, string> = {};
    for (const port of rendered.keys()) {
      const name = WORKER_PORT_PROPERTY.get(port);
      // The harness picks the REST, S3 and web ports itself; every other port property gets a free port here.
      if (name && !['alluxio.worker.http.server.port', 'alluxio.worker.rest.port', 'alluxio.worker.web.port'].includes(name)) {
        extra[name] = String(await freePort());
      }
    }
    [worker] = await startWorkerProcesses(cc, tmp.path, 1, extra);
    assigned.set('alluxio.worker.http.server.port', worker.ports.http);
    assigned.set('alluxio.worker.rest.port', worker.ports.s3);
    assigned.set('alluxio.worker.web.port', worker.ports.web);
    for (const [k, v] of Object.entries(extra)) assigned.set(k, Number(v));
  });
  after(async () => {
    await worker?.kill();
    await etcd?.cleanup();
    await tmp?.cleanup();
  });

  test('the examples render worker ports, each the default of a worker port property', () => {
    assert.ok(rendered.size >= 3, [...rendered.values()].join('\n'));
    for (const [port, where] of rendered) assert.ok(WORKER_PORT_PROPERTY.has(port), `${where}: ${port} is the default of no alluxio.worker.*.port property`);
  });

  test('every rendered worker port answers on a running worker', async () => {
    const silent: string[] = [];
    for (const [port, where] of rendered) {
      const name = WORKER_PORT_PROPERTY.get(port)!;
      if (!(await answers(assigned.get(name)!))) silent.push(`${where} (${port}, ${name}) is rendered but nothing listens on it`);
    }
    assert.deepEqual(silent, []);
  });
});

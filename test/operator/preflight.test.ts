// Preflight checks against the in-memory Kubernetes API (no API server here) and a local fake
// registry speaking the Docker Registry v2 token flow.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { clusterForPreflight, formatTable, runPreflight } from '../../src/operator/preflight/preflight.js';
import { RegistryImageProber, parseImage, type ImageProber } from '../../src/operator/preflight/image-probe.js';
import { addNodes, addStorageClass, newApi } from './support/sim.js';

const okImages: ImageProber = { probe: async (image) => ({ ok: true, status: 'found', detail: `${image} found` }) };
const byCheck = (rows: { check: string }[], name: string) => rows.find((r) => r.check === name) as unknown as { result: string; detail: string; fix?: string };

test('a healthy cluster passes every check', async () => {
  const { api } = newApi();
  await addNodes(api, 3);
  await addStorageClass(api);
  const rows = await runPreflight({ api, cluster: clusterForPreflight(), images: okImages });
  assert.deepEqual(rows.map((r) => r.result), ['PASS', 'PASS', 'PASS', 'PASS', 'PASS', 'PASS']);
  assert.match(formatTable(rows), /^CHECK\s+RESULT\s+DETAIL\n/);
  assert.match(formatTable(rows), /all checks passed/);
});

test('each problem fails its check with a fix: old Kubernetes, no rights, no StorageClass, one node, small disk', async () => {
  const { api } = newApi();
  api.version = { major: '1', minor: '22+', gitVersion: 'v1.22.17-eks' };
  api.can = (a) => a.resource !== 'clusterrolebindings';
  await addNodes(api, 1, { ephemeralStorage: '80G' });
  await addStorageClass(api, 'manual', false);
  const yaml = 'apiVersion: k8s-operator.alluxio.com/v1\nkind: AlluxioCluster\nmetadata: {name: c, namespace: alx-ns}\nspec:\n  worker: {pagestore: {size: 90GB}}\n';
  const rows = await runPreflight({ api, cluster: clusterForPreflight(yaml), images: okImages });
  assert.match(byCheck(rows, 'kubernetes-version').detail, /v1\.22\.17-eks is older than 1\.24/);
  assert.equal(byCheck(rows, 'permissions').result, 'FAIL');
  assert.match(byCheck(rows, 'permissions').detail, /not allowed to create ClusterRoleBindings/);
  assert.equal(byCheck(rows, 'storage-class').result, 'FAIL');
  assert.match(byCheck(rows, 'storage-class').fix!, /storageClass: manual/);
  assert.equal(byCheck(rows, 'etcd-nodes').result, 'FAIL');
  assert.match(byCheck(rows, 'etcd-nodes').detail, /needs 3 schedulable nodes, found 1/);
  const disk = byCheck(rows, 'pagestore-disk');
  assert.equal(disk.result, 'FAIL');
  assert.match(disk.detail, /90GB \(96\.6 GB\) is larger than the disk of every worker node \(node-0: 80\.0 GB\)/);
  const table = formatTable(rows);
  assert.match(table, /fix: add nodes, or set spec\.etcd\.replicaCount: 1/);
  assert.match(table, /5 check\(s\) failed/);
});

test('GB vs GiB is a warning when the disk is large enough', async () => {
  const { api } = newApi();
  await addNodes(api, 3, { ephemeralStorage: '500Gi' });
  await addStorageClass(api);
  const rows = await runPreflight({ api, images: okImages,
    cluster: clusterForPreflight('apiVersion: k8s-operator.alluxio.com/v1\nkind: AlluxioCluster\nmetadata: {name: c}\nspec: {worker: {pagestore: {size: 90GB}}}\n') });
  assert.equal(byCheck(rows, 'pagestore-disk').result, 'WARN');
  assert.match(byCheck(rows, 'pagestore-disk').detail, /'90GB' is read as 90Gi/);
});

test('image pullability through the registry v2 token flow: found, missing, unauthorized, unreachable', async (t) => {
  const server = createServer((req, res) => {
    const url = new URL(req.url!, 'http://x');
    if (url.pathname === '/token') {
      const auth = req.headers.authorization;
      const privateRepo = url.searchParams.get('scope')?.includes('private/');
      if (privateRepo && auth !== `Basic ${Buffer.from('bob:pw').toString('base64')}`) { res.writeHead(401); return res.end(); }
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ token: privateRepo ? 'tok-private' : 'tok-public' }));
    }
    const m = /^\/v2\/(.+)\/manifests\/(.+)$/.exec(url.pathname);
    if (!m) { res.writeHead(404); return res.end(); }
    if (!req.headers.authorization?.startsWith('Bearer ')) {
      res.writeHead(401, { 'www-authenticate': `Bearer realm="http://127.0.0.1:${(server.address() as AddressInfo).port}/token",service="fake",scope="repository:${m[1]}:pull"` });
      return res.end();
    }
    const known = new Set(['alluxio/alluxio-ts:0.1.0', 'private/alluxio:1']);
    res.writeHead(known.has(`${m[1]}:${m[2]}`) ? 200 : 404);
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => server.close(() => r())));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const prober = new RegistryImageProber((reg) => (reg === 'nowhere.invalid' ? 'http://127.0.0.1:1' : base), 3000);
  assert.equal((await prober.probe('reg.example.com/alluxio/alluxio-ts:0.1.0')).status, 'found');
  assert.equal((await prober.probe('reg.example.com/alluxio/alluxio-ts:9.9.9')).status, 'not-found');
  assert.equal((await prober.probe('reg.example.com/private/alluxio:1')).status, 'unauthorized');
  assert.equal((await prober.probe('reg.example.com/private/alluxio:1', { username: 'bob', password: 'pw' })).status, 'found');
  assert.equal((await prober.probe('nowhere.invalid/x/y:1')).status, 'unreachable');
  assert.deepEqual(parseImage('etcd'), { registry: 'docker.io', repository: 'library/etcd', reference: 'latest' });
  assert.deepEqual(parseImage('localhost:5000/a/b@sha256:ab'), { registry: 'localhost:5000', repository: 'a/b', reference: 'sha256:ab' });

  // The pull secret named in the cluster is used for its registry.
  const { api } = newApi();
  await addNodes(api, 3);
  await addStorageClass(api);
  await api.create({ apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/dockerconfigjson', metadata: { name: 'regcred', namespace: 'alx-ns' },
    data: { '.dockerconfigjson': Buffer.from(JSON.stringify({ auths: { 'reg.example.com': { username: 'bob', password: 'pw' } } })).toString('base64') } });
  const cluster = clusterForPreflight('apiVersion: k8s-operator.alluxio.com/v1\nkind: AlluxioCluster\nmetadata: {name: c, namespace: alx-ns}\n' +
    'spec: {image: reg.example.com/private/alluxio, imageTag: "1", imagePullSecrets: [regcred], etcd: {enabled: false}, properties: {alluxio.etcd.endpoints: "http://e:2379"}, prometheus: {enabled: false}, grafana: {enabled: false}}\n');
  assert.equal(byCheck(await runPreflight({ api, cluster, images: prober }), 'image-pull').result, 'PASS');
  cluster.spec.imagePullSecrets = [];
  const fail = byCheck(await runPreflight({ api, cluster, images: prober }), 'image-pull');
  assert.equal(fail.result, 'FAIL');
  assert.match(fail.detail, /refused access/);
});

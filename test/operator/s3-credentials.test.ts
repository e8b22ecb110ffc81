// S3 and REST authentication in Kubernetes (issue 14 item 9): renders turn it on with credentials
// generated once into the Secret <cluster>-s3-credentials, mounted where the site properties say;
// the UnderFileSystem controller sends the operator's token, which the coordinator's real
// credentials check (worker/rest-auth.ts) accepts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bearerFromTokenFile } from '../../src/client/auth-token.js';
import { loadConfiguration } from '../../src/conf/index.js';
import { parseProperties } from '../../src/conf/properties-file.js';
import { API_VERSION } from '../../src/operator/constants.js';
import { AlluxioClusterReconciler } from '../../src/operator/controllers/alluxio-cluster-controller.js';
import { HttpMountClient } from '../../src/operator/controllers/coordinator-client.js';
import { UnderFileSystemReconciler } from '../../src/operator/controllers/under-file-system-controller.js';
import type { KubeObject, ObjectRef } from '../../src/operator/kube/types.js';
import { renderClusterWithWarnings } from '../../src/operator/render.js';
import { readCredentialsFile } from '../../src/worker/credentials-file.js';
import { coordinatorRestGuard } from '../../src/worker/rest-auth.js';
import { FakeCoordinator } from './support/fake-coordinator.js';
import { clusterCr, healthyCluster, newApi } from './support/sim.js';

const NS = 'alx-ns';
const REF: ObjectRef = { apiVersion: API_VERSION, kind: 'AlluxioCluster', namespace: NS, name: 'alluxio' };
const SECRET: ObjectRef = { apiVersion: 'v1', kind: 'Secret', namespace: NS, name: 'alluxio-s3-credentials' };
const CR = (spec = '{fuse: {type: daemonSet}}') => `apiVersion: k8s-operator.alluxio.com/v1\nkind: AlluxioCluster\nmetadata: {name: x, namespace: ns1}\nspec: ${spec}\n`;

function siteText(objects: KubeObject[]): string {
  return (objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name.endsWith('-alluxio-conf'))!.data as Record<string, string>)['alluxio-site.properties']!;
}
const siteProps = (objects: KubeObject[]) => new Map(parseProperties(siteText(objects)).map((e) => [e.key, e.value]));

/** Files the container sees from the Secret volume: mountPath/item.path for each item. */
function secretFiles(w: KubeObject, secretName: string): Map<string, string> {
  const pod = w.spec.template.spec;
  const vol = pod.volumes.find((v: { secret?: { secretName: string } }) => v.secret?.secretName === secretName);
  assert.ok(vol, `${w.kind} ${w.metadata.name} has a volume of Secret ${secretName}`);
  assert.equal(vol.secret.defaultMode, 0o400);
  const m = pod.containers[0].volumeMounts.find((x: { name: string }) => x.name === vol.name);
  assert.ok(m?.readOnly, `${w.metadata.name} mounts it read-only`);
  return new Map(vol.secret.items.map((i: { key: string; path: string }) => [`${m.mountPath}/${i.path}`, i.key]));
}

test('render: auth on, the credentials file for coordinator and workers, only the token for FUSE, and a warning with a command that makes a valid Secret', (t) => {
  const r = renderClusterWithWarnings(CR());
  const props = siteProps(r.objects);
  assert.equal(props.get('alluxio.worker.s3.auth.enabled'), 'true');
  const credFile = props.get('alluxio.worker.s3.auth.credentials.file')!;
  const tokenFile = props.get('alluxio.user.auth.token.file')!;
  for (const name of ['x-coordinator', 'x-worker', 'x-fuse']) {
    const w = r.objects.find((o) => o.metadata.name === name && /StatefulSet|DaemonSet/.test(o.kind))!;
    const files = secretFiles(w, 'x-s3-credentials');
    assert.equal(files.get(tokenFile), 'token', `${name}: the token file the properties name`);
    if (name === 'x-fuse') assert.equal(files.has(credFile), false, 'FUSE is a client: no key pair');
    else assert.equal(files.get(credFile), 'credentials', `${name}: the credentials file the properties name`);
  }
  assert.ok(!r.objects.some((o) => o.kind === 'Secret'), 'no Secret that changes on every render');

  // The printed command, run with a kubectl that records its arguments, makes a Secret whose files the servers accept.
  const warning = r.warnings.find((w) => w.includes('x-s3-credentials'));
  assert.ok(warning, r.warnings.join('\n'));
  const cmd = warning.slice(warning.indexOf('create it once: ') + 'create it once: '.length);
  const dir = mkdtempSync(join(tmpdir(), 'alx-s3cred-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const out = execFileSync('sh', ['-c', `kubectl() { for a in "$@"; do printf '%s\\0' "$a"; done; }; ${cmd}`], { encoding: 'utf8' });
  const lit = new Map(out.split('\0').filter((a) => a.startsWith('--from-literal=')).map((a) => {
    const kv = a.slice('--from-literal='.length);
    return [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)] as const;
  }));
  writeFileSync(join(dir, 'credentials'), lit.get('credentials')!);
  const creds = readCredentialsFile(join(dir, 'credentials'));
  assert.equal(creds.keys.get(lit.get('access-key')!), lit.get('secret-key'));
  assert.equal(creds.tokens.size, 2);
  assert.ok(lit.get('operator-token')!.length >= 32);
});

test('spec.properties can turn authentication off', () => {
  const r = renderClusterWithWarnings(CR('{properties: {alluxio.worker.s3.auth.enabled: "false"}}'));
  assert.equal(siteProps(r.objects).get('alluxio.worker.s3.auth.enabled'), 'false');
  assert.equal(siteText(r.objects).match(/^alluxio\.worker\.s3\.auth\.enabled=/gm)!.length, 1);
});

test('the controller generates the Secret once; the coordinator\'s own check turns on from the rendered files; the UnderFileSystem controller mounts with the operator token; no secret value in any status or Event', async (t) => {
  const { api, clock } = newApi();
  await healthyCluster(api);
  await api.create(clusterCr('alluxio', NS, { worker: { count: 1 } }));
  const r = new AlluxioClusterReconciler({ api, clock });
  await r.reconcile(REF);
  const s1 = (await api.get(SECRET))!;
  assert.ok(s1, 'Secret created');
  const data = Object.fromEntries(Object.entries(s1.data as Record<string, string>).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
  assert.deepEqual(Object.keys(data).sort(), ['access-key', 'credentials', 'operator-token', 'secret-key', 'token']);
  await r.reconcile(REF);
  const cr = (await api.get(REF))!;
  cr.spec.worker.count = 2;
  await api.update(cr);
  await r.reconcile(REF);
  const s2 = (await api.get(SECRET))!;
  assert.equal(s2.metadata.resourceVersion, s1.metadata.resourceVersion, 'never rewritten');

  // What a coordinator pod sees: the ConfigMap's site properties and the Secret's items at their paths.
  const dir = mkdtempSync(join(tmpdir(), 'alx-s3cred-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const cm = (await api.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: NS, name: 'alluxio-alluxio-conf' }))!;
  const coord = (await api.get({ apiVersion: 'apps/v1', kind: 'StatefulSet', namespace: NS, name: 'alluxio-coordinator' }))!;
  const files = secretFiles(coord, 'alluxio-s3-credentials');
  const local = (p: string) => join(dir, p);
  for (const [path, key] of files) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(local(path), data[key]!, { mode: 0o400 });
  }
  const site = (cm.data as Record<string, string>)['alluxio-site.properties']!.replaceAll('/etc/alluxio/', `${dir}/etc/alluxio/`);
  mkdirSync(join(dir, 'conf'));
  writeFileSync(join(dir, 'conf', 'alluxio-site.properties'), site);
  const conf = loadConfiguration({ confDir: join(dir, 'conf'), env: {}, javaOpts: '', onWarning: () => {} });
  const guard = coordinatorRestGuard(conf);
  assert.ok(guard, 'the rendered configuration turns the coordinator\'s credentials check on');
  // FUSE and the cluster's processes send the token file's token, which the check knows too.
  assert.equal(bearerFromTokenFile(local('/etc/alluxio/s3-credentials/token')), `Bearer ${data.token}`);

  const fake = new FakeCoordinator();
  fake.guard = guard;
  await fake.start();
  t.after(() => fake.stop());
  await api.patchStatus(REF, { phase: 'Ready' }, { fieldManager: 'test' });
  const UFS: ObjectRef = { apiVersion: API_VERSION, kind: 'UnderFileSystem', namespace: NS, name: 'data' };
  await api.create({ apiVersion: API_VERSION, kind: 'UnderFileSystem', metadata: { name: 'data', namespace: NS },
    spec: { alluxioCluster: 'alluxio', path: 's3://bucket/data/', mountPath: '/data' } });
  const ufs = new UnderFileSystemReconciler({ api, clock, mounts: new HttpMountClient(5000), coordinatorUrl: () => fake.url });
  await ufs.reconcile(UFS);
  const st = (await api.get(UFS))!.status;
  assert.equal(st.phase, 'Ready', JSON.stringify(st));
  assert.ok(fake.mounts.has('/data'));
  // Without a token the same coordinator refuses: the check is real.
  const res = await fetch(`${fake.url}/api/v1/mount`, { method: 'POST', body: JSON.stringify({ path: '/x', ufs: 's3://b/' }) });
  assert.equal(res.status, 401);

  const texts = [JSON.stringify((await api.get(REF))!.status), JSON.stringify(st), JSON.stringify((await api.list('v1', 'Event', { namespace: NS })).items)];
  for (const v of [data['secret-key']!, data.token!, data['operator-token']!]) {
    for (const text of texts) assert.ok(!text.includes(v), 'no secret value in status or Events');
  }
});

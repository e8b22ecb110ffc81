// The mount credentials key (issue 11 follow-up): since mount credentials are encrypted at rest,
// a mount with s3a.secretKey is refused without alluxio.mount.credentials.encryption.key.file.
// The operator creates the Secret <cluster>-mount-credentials-key once (32 random bytes), mounts
// it read-only in the coordinator, worker and FUSE pods, and names it in alluxio-site.properties.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCredentialCipher } from '../../src/common/credential-cipher.js';
import { parseProperties } from '../../src/conf/properties-file.js';
import { AlluxioClusterReconciler } from '../../src/operator/controllers/alluxio-cluster-controller.js';
import { renderClusterWithWarnings } from '../../src/operator/render.js';
import type { KubeObject, ObjectRef } from '../../src/operator/kube/types.js';
import { clusterCr, healthyCluster, newApi } from './support/sim.js';

const NS = 'alx-ns';
const REF: ObjectRef = { apiVersion: 'k8s-operator.alluxio.com/v1', kind: 'AlluxioCluster', namespace: NS, name: 'alluxio' };
const SECRET: ObjectRef = { apiVersion: 'v1', kind: 'Secret', namespace: NS, name: 'alluxio-mount-credentials-key' };
const KEY_PROP = 'alluxio.mount.credentials.encryption.key.file';

function siteProps(objects: KubeObject[]): Map<string, string> {
  const cm = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name.endsWith('-alluxio-conf'))!;
  return new Map(parseProperties((cm.data as Record<string, string>)['alluxio-site.properties']!).map((e) => [e.key, e.value]));
}

/** The container's mount of the key Secret, with its volume. */
function keyMount(w: KubeObject, secretName: string) {
  const pod = w.spec.template.spec;
  const vol = pod.volumes.find((v: { secret?: { secretName: string } }) => v.secret?.secretName === secretName);
  assert.ok(vol, `${w.kind} ${w.metadata.name} has a volume of Secret ${secretName}`);
  const m = pod.containers[0].volumeMounts.find((x: { name: string }) => x.name === vol.name);
  assert.ok(m, `${w.kind} ${w.metadata.name} mounts it`);
  return { vol, m };
}

test('render: coordinator, worker and FUSE mount the key Secret read-only (0400) at the path the site properties name; the Secret itself is left to the user, with a warning', () => {
  const yaml = 'apiVersion: k8s-operator.alluxio.com/v1\nkind: AlluxioCluster\nmetadata: {name: x, namespace: ns1}\nspec: {fuse: {enabled: true, type: daemonSet}}\n';
  const r = renderClusterWithWarnings(yaml);
  const keyFile = siteProps(r.objects).get(KEY_PROP);
  assert.ok(keyFile, `${KEY_PROP} is set`);
  for (const name of ['x-coordinator', 'x-worker', 'x-fuse']) {
    const w = r.objects.find((o) => o.metadata.name === name && (o.kind === 'StatefulSet' || o.kind === 'DaemonSet'));
    assert.ok(w, name);
    const { vol, m } = keyMount(w, 'x-mount-credentials-key');
    assert.equal(vol.secret.defaultMode, 0o400);
    assert.equal(vol.secret.optional, undefined, 'not optional: without the key a mount with credentials is refused');
    assert.equal(m.readOnly, true);
    const item = vol.secret.items[0];
    assert.equal(`${m.mountPath}/${item.path}`, keyFile, `${name}: the mounted file is the one the property names`);
  }
  assert.ok(!r.objects.some((o) => o.kind === 'Secret'), 'no Secret with a key that changes on every render');
  assert.ok(r.warnings.some((w) => w.includes('kubectl -n ns1 create secret generic x-mount-credentials-key --from-literal=key=')), r.warnings.join('\n'));
});

test('a user-set key file property wins over the operator\'s', () => {
  const yaml = 'apiVersion: k8s-operator.alluxio.com/v1\nkind: AlluxioCluster\nmetadata: {name: x}\nspec: {properties: {alluxio.mount.credentials.encryption.key.file: /secrets/k}}\n';
  assert.equal(siteProps(renderClusterWithWarnings(yaml).objects).get(KEY_PROP), '/secrets/k');
});

test('the controller creates the key Secret once (32 random bytes the real key loader accepts) and keeps it across reconciles and spec changes; the key is in no status or Event', async (t) => {
  const { api, clock } = newApi();
  await healthyCluster(api);
  await api.create(clusterCr('alluxio', NS, { worker: { count: 1 } }));
  const r = new AlluxioClusterReconciler({ api, clock });
  await r.reconcile(REF);
  const s1 = await api.get(SECRET);
  assert.ok(s1, 'Secret created');
  const file = Buffer.from(s1.data.key, 'base64');
  assert.equal(Buffer.from(file.toString('utf8').trim(), 'base64').length, 32, 'base64 of 32 bytes');

  // The key works with the cipher every Alluxio process loads from the property.
  const dir = mkdtempSync(join(tmpdir(), 'alx-mount-key-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'key'), file, { mode: 0o400 });
  const cipher = loadCredentialCipher(join(dir, 'key'));
  assert.equal(cipher.open('s3a.secretKey', cipher.seal('s3a.secretKey', 'wJalrXUtnFEMI'), 'mount /s3'), 'wJalrXUtnFEMI');

  // Reconcile again, change the spec (worker count, image tag, properties), reconcile again.
  await r.reconcile(REF);
  const cr = (await api.get(REF))!;
  cr.spec.worker.count = 3;
  cr.spec.imageTag = '0.2.0';
  cr.spec.properties = { 'alluxio.user.file.replication.min': '1' };
  await api.update(cr);
  await r.reconcile(REF);
  await r.reconcile(REF);
  const s2 = (await api.get(SECRET))!;
  assert.equal(s2.data.key, s1.data.key, 'same key');
  assert.equal(s2.metadata.resourceVersion, s1.metadata.resourceVersion, 'never written again');
  assert.equal((await api.get({ apiVersion: 'apps/v1', kind: 'StatefulSet', namespace: NS, name: 'alluxio-worker' }))!.spec.replicas, 3, 'the spec change was applied');

  const key = file.toString('utf8').trim();
  const status = JSON.stringify((await api.get(REF))!.status);
  const events = JSON.stringify((await api.list('v1', 'Event', { namespace: NS })).items);
  for (const text of [status, events]) {
    assert.ok(!text.includes(key) && !text.includes(s1.data.key), 'no key in status or Events');
  }
});

test('an existing key Secret (made by hand, or by kubectl before the operator) is kept as it is', async () => {
  const { api, clock } = newApi();
  await healthyCluster(api);
  const mine = Buffer.from('a'.repeat(64)).toString('base64'); // 64 hex characters
  await api.create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: SECRET.name, namespace: NS }, data: { key: mine } });
  const before = (await api.get(SECRET))!;
  await api.create(clusterCr('alluxio', NS));
  const r = new AlluxioClusterReconciler({ api, clock });
  await r.reconcile(REF);
  await r.reconcile(REF);
  const after = (await api.get(SECRET))!;
  assert.equal(after.data.key, mine);
  assert.equal(after.metadata.resourceVersion, before.metadata.resourceVersion);
});

// License reconciler and its effect on the cluster, on the in-memory Kubernetes API (no API server here).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { API_VERSION } from '../../src/operator/constants.js';
import { AlluxioClusterReconciler } from '../../src/operator/controllers/alluxio-cluster-controller.js';
import { LicenseReconciler } from '../../src/operator/controllers/license-controller.js';
import { clusterCr, healthyCluster, newApi } from './support/sim.js';

const NS = 'alx-ns';
const LIC = { apiVersion: API_VERSION, kind: 'License', namespace: NS, name: 'alluxio-license' };
const CLUSTER = { apiVersion: API_VERSION, kind: 'AlluxioCluster', namespace: NS, name: 'alluxio' };
const license = (clusters: { name: string; namespace: string }[]) => ({
  apiVersion: API_VERSION, kind: 'License', metadata: { name: 'alluxio-license', namespace: NS }, spec: { clusters, licenseString: 'LICENSE-ABC-123' },
});

test('a License reaches the cluster pods as a Secret-backed alluxio.license and rolls them; removed on deletion', async () => {
  const { api, clock } = newApi();
  await healthyCluster(api);
  await api.create(clusterCr('alluxio', NS));
  const cr = new AlluxioClusterReconciler({ api, clock });
  const lr = new LicenseReconciler({ api, clock });
  await cr.reconcile(CLUSTER);
  const sts = async () => (await api.get({ apiVersion: 'apps/v1', kind: 'StatefulSet', namespace: NS, name: 'alluxio-worker' }))!;
  const gen1 = (await sts()).metadata.generation!;
  await api.create(license([{ name: 'alluxio', namespace: NS }]));
  await lr.reconcile(LIC);
  const l = (await api.get(LIC))!;
  assert.equal(l.status.phase, 'Completed');
  assert.ok(!JSON.stringify(l.status).includes('LICENSE-ABC-123'));
  const secret = (await api.get({ apiVersion: 'v1', kind: 'Secret', namespace: NS, name: 'alluxio-license' }))!;
  assert.equal(Buffer.from(secret.data.license, 'base64').toString(), 'LICENSE-ABC-123');
  await cr.reconcile(CLUSTER);
  const w = await sts();
  assert.equal(w.metadata.generation, gen1 + 1, 'pods roll to pick up the license');
  const env = w.spec.template.spec.containers[0].env as { name: string; value?: string; valueFrom?: { secretKeyRef: { name: string } } }[];
  assert.equal(env.find((e) => e.name === 'ALLUXIO_LICENSE')!.valueFrom!.secretKeyRef.name, 'alluxio-license');
  assert.match(env.find((e) => e.name === 'ALLUXIO_JAVA_OPTS')!.value!, /-Dalluxio\.license=\$\(ALLUXIO_LICENSE\)/);
  await api.delete(LIC);
  await lr.reconcile(LIC);
  assert.equal(await api.get(LIC), undefined);
  assert.equal(await api.get({ apiVersion: 'v1', kind: 'Secret', namespace: NS, name: 'alluxio-license' }), undefined);
});

test('a License naming a missing cluster fails as a whole', async () => {
  const { api, clock } = newApi();
  await api.create(clusterCr('alluxio', NS));
  await api.create(license([{ name: 'alluxio', namespace: NS }, { name: 'ghost', namespace: 'other' }]));
  await new LicenseReconciler({ api, clock }).reconcile(LIC);
  const s = (await api.get(LIC))!.status;
  assert.equal(s.phase, 'Failed');
  assert.match(s.errorMessage, /other\/ghost not found/);
  assert.equal(await api.get({ apiVersion: 'v1', kind: 'Secret', namespace: NS, name: 'alluxio-license' }), undefined);
});

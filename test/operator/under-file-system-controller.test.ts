// UnderFileSystem reconciler against the in-memory Kubernetes API (no API server here) and a
// fake coordinator: an in-process HTTP server speaking POST/DELETE/GET /api/v1/mount.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { API_VERSION, FINALIZER } from '../../src/operator/constants.js';
import { HttpMountClient } from '../../src/operator/controllers/coordinator-client.js';
import { UnderFileSystemReconciler } from '../../src/operator/controllers/under-file-system-controller.js';
import type { ObjectRef } from '../../src/operator/kube/types.js';
import { ManualClock } from '../../src/operator/controllers/clock.js';
import { freePort } from '../support/ports.js';
import { FakeCoordinator } from './support/fake-coordinator.js';
import { clusterCr, newApi } from './support/sim.js';

const NS = 'alx-ns';
const UFS: ObjectRef = { apiVersion: API_VERSION, kind: 'UnderFileSystem', namespace: NS, name: 'alluxio-s3' };
const SECRET_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

async function setup(t: { after: (fn: () => Promise<void>) => void }, clusterPhase = 'Ready') {
  const { api, clock } = newApi();
  const coord = new FakeCoordinator();
  await coord.start();
  t.after(() => coord.stop());
  await api.create(clusterCr('alluxio', NS));
  await api.patchStatus({ apiVersion: API_VERSION, kind: 'AlluxioCluster', namespace: NS, name: 'alluxio' }, { phase: clusterPhase }, { fieldManager: 'test' });
  await api.create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's3-credentials', namespace: NS },
    data: { 's3a.accessKeyId': Buffer.from('AKIAEXAMPLE').toString('base64'), 's3a.secretKey': Buffer.from(SECRET_KEY).toString('base64') } });
  const r = new UnderFileSystemReconciler({ api, clock, mounts: new HttpMountClient(5000), coordinatorUrl: () => coord.url });
  const status = async () => (await api.get(UFS))!.status;
  return { api, coord, r, status };
}

const ufsCr = (spec: Record<string, unknown> = {}) => ({
  apiVersion: API_VERSION, kind: 'UnderFileSystem', metadata: { name: 'alluxio-s3', namespace: NS },
  spec: { alluxioCluster: 'alluxio', path: 's3://my-bucket/datasets/', mountPath: '/s3',
    mountOptions: { 'alluxio.underfs.s3.region': 'us-east-1' }, credentialsSecretRef: { name: 's3-credentials' }, ...spec },
});

test('mounts through the coordinator with credentials from the Secret; Ready; idempotent', async (t) => {
  const { api, coord, r, status } = await setup(t);
  await api.create(ufsCr());
  await r.reconcile(UFS);
  const s = await status();
  assert.equal(s.phase, 'Ready');
  assert.deepEqual(coord.mounts.get('/s3'), { path: '/s3', ufs: 's3://my-bucket/datasets/',
    options: { 'alluxio.underfs.s3.region': 'us-east-1', 's3a.accessKeyId': 'AKIAEXAMPLE', 's3a.secretKey': SECRET_KEY } });
  assert.ok((await api.get(UFS))!.metadata.finalizers!.includes(FINALIZER));
  assert.doesNotMatch(JSON.stringify(await api.get(UFS)), new RegExp(SECRET_KEY.slice(0, 12)));
  const posts = coord.requests.filter((x) => x.method === 'POST').length;
  await r.reconcile(UFS);
  assert.equal(coord.requests.filter((x) => x.method === 'POST').length, posts, 'no second mount when up to date');
});

test('bad credentials: Failed with the coordinator error, no secret in status', async (t) => {
  const { api, coord, r, status } = await setup(t);
  coord.validate = (m) => ({ status: 400, code: 'ALX_ERR_UFS', message: `S3 rejected access key ${m.options['s3a.accessKeyId']} with secret ${m.options['s3a.secretKey']}: InvalidAccessKeyId` });
  await api.create(ufsCr());
  const res = await r.reconcile(UFS);
  const s = await status();
  assert.equal(s.phase, 'Failed');
  assert.match(s.errorMessage, /ALX_ERR_UFS: S3 rejected access key .* InvalidAccessKeyId/);
  assert.ok(!JSON.stringify(await api.get(UFS)).includes(SECRET_KEY), 'secret value scrubbed from status');
  assert.ok(!JSON.stringify(await api.get(UFS)).includes('AKIAEXAMPLE'), 'secret-sourced key id scrubbed too');
  assert.ok(res.requeueAfterMs! > 0, 'retried later');
  // Credentials fixed (Secret rotated): the next reconcile mounts.
  coord.validate = () => undefined;
  await r.reconcile(UFS);
  assert.equal((await status()).phase, 'Ready');
  assert.equal((await status()).errorMessage, undefined);
});

test('Pending while the cluster is missing or not ready; Failed when the Secret is missing', async (t) => {
  const { api, r, status } = await setup(t, 'Creating');
  await api.create(ufsCr());
  await r.reconcile(UFS);
  assert.equal((await status()).phase, 'Pending');
  assert.match((await status()).errorMessage, /waiting for AlluxioCluster 'alluxio' \(phase Creating\)/);
  const other = { ...UFS, name: 'other' };
  await api.create({ ...ufsCr({ alluxioCluster: 'nope', credentialsSecretRef: { name: 'missing' } }), metadata: { name: 'other', namespace: NS } });
  await r.reconcile(other);
  assert.match((await api.get(other))!.status.errorMessage, /AlluxioCluster 'nope' not found/);
  await api.patchStatus({ apiVersion: API_VERSION, kind: 'AlluxioCluster', namespace: NS, name: 'alluxio' }, { phase: 'Ready' }, { fieldManager: 'test' });
  const third = { ...UFS, name: 'third' };
  await api.create({ ...ufsCr({ credentialsSecretRef: { name: 'missing' } }), metadata: { name: 'third', namespace: NS } });
  await r.reconcile(third);
  assert.equal((await api.get(third))!.status.phase, 'Failed');
  assert.match((await api.get(third))!.status.errorMessage, /Secret 'missing' not found/);
});

test('deletion unmounts through the coordinator, then the finalizer is removed', async (t) => {
  const { api, coord, r } = await setup(t);
  await api.create(ufsCr());
  await r.reconcile(UFS);
  assert.ok(coord.mounts.has('/s3'));
  await api.delete(UFS);
  assert.ok((await api.get(UFS))!.metadata.deletionTimestamp, 'held by the finalizer');
  await r.reconcile(UFS);
  assert.equal(coord.mounts.has('/s3'), false);
  assert.equal(await api.get(UFS), undefined);
});

test('changing mountPath moves the mount; an invalid spec is rejected by the schema', async (t) => {
  const { api, coord, r } = await setup(t);
  await api.create(ufsCr());
  await r.reconcile(UFS);
  const cur = (await api.get(UFS))!;
  cur.spec.mountPath = '/data';
  await api.update(cur);
  await r.reconcile(UFS);
  assert.deepEqual([...coord.mounts.keys()], ['/data']);
  const { path: _p, ...noPath } = ufsCr().spec;
  await assert.rejects(api.create({ ...ufsCr(), metadata: { name: 'bad', namespace: NS }, spec: noPath }), /spec\.path/);
  await assert.rejects(api.create({ ...ufsCr({ mountPath: '/a/b' }), metadata: { name: 'bad2', namespace: NS } }), /spec\.mountPath/);
});

test('a coordinator that does not answer: Failed saying it could not mount (not that it refused), retried later', async (t) => {
  const { api } = await setup(t);
  const closed = await freePort(); // nothing listens there
  const r = new UnderFileSystemReconciler({ api, clock: new ManualClock(), mounts: new HttpMountClient(5000), coordinatorUrl: () => `http://127.0.0.1:${closed}` });
  await api.create(ufsCr());
  const res = await r.reconcile(UFS);
  const s = (await api.get(UFS))!.status;
  assert.equal(s.phase, 'Failed');
  assert.match(s.errorMessage, new RegExp(`^could not mount s3://my-bucket/datasets/ at /s3: coordinator at http://127\\.0\\.0\\.1:${closed} is unreachable`));
  assert.doesNotMatch(s.errorMessage, /refused/);
  assert.ok(res.requeueAfterMs! > 0, 'retried later');
});

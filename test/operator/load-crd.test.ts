// The Load CRD: generated from src/operator/api/load.ts (crd.test.ts checks it is current and a
// valid CustomResourceDefinition); here, that it and the zod schema accept a good Load and refuse
// bad ones naming the field, that the in-memory API (standing in for the API server, which these
// machines do not have) refuses them too, and that the operator's ClusterRole covers loads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT } from '../../src/operator/api/generate-crds.js';
import { parseSchema } from '../../src/operator/api/validate.js';
import { LoadSpecSchema } from '../../src/operator/api/load.js';
import { jobOptions } from '../../src/operator/controllers/load-controller.js';
import { parseSubmission } from '../../src/coordinator/jobs/job-options.js';
import { checkOpenApi } from './support/openapi-check.js';
import { renderChart } from './support/helm-chart.js';
import { newApi } from './support/sim.js';

const crd = parse(readFileSync(join(REPO_ROOT, 'deploy/crds/loads.yaml'), 'utf8'));
const schema = crd.spec.versions[0].schema.openAPIV3Schema;
const example = parse(readFileSync(join(REPO_ROOT, 'deploy/examples/load.yaml'), 'utf8'));
const load = (spec: Record<string, unknown>) => ({ apiVersion: 'k8s-operator.alluxio.com/v1', kind: 'Load', metadata: { name: 'l', namespace: 'ns' }, spec });

test('a good Load is accepted by the zod schema and the generated OpenAPI, and by the API', async () => {
  for (const doc of [example, load({ clusterRef: 'c', path: '/s3' }), load({ clusterRef: 'c', path: '/s3/a b', replicas: 16, bandwidth: '1.5GiB', verify: true, schedule: '@daily' })]) {
    assert.deepEqual(parseSchema('Load', doc).errors, [], JSON.stringify(doc.spec));
    assert.deepEqual(checkOpenApi(schema, doc, '', { strict: true }), [], JSON.stringify(doc.spec));
  }
  const { api } = newApi();
  await api.create(example);
  assert.equal((await api.get({ apiVersion: 'k8s-operator.alluxio.com/v1', kind: 'Load', namespace: 'alx-ns', name: 'imagenet' }))!.spec.path, '/s3/imagenet');
  assert.deepEqual(crd.spec.names.shortNames, ['ld']);
  assert.equal(crd.spec.scope, 'Namespaced');
});

test('bad Loads are refused by both, naming the field: relative path, replicas < 1, no clusterRef, a bandwidth that is not a rate', async () => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ clusterRef: 'c', path: 's3/data' }, /spec\.path/],
    [{ clusterRef: 'c', path: '' }, /spec\.path/],
    [{ clusterRef: 'c', path: '/s3', replicas: 0 }, /spec\.replicas/],
    [{ clusterRef: 'c', path: '/s3', replicas: 1.5 }, /spec\.replicas/],
    [{ path: '/s3' }, /spec\.clusterRef/],
    [{ clusterRef: 'Not_A_Name', path: '/s3' }, /spec\.clusterRef/],
    [{ clusterRef: 'c', path: '/s3', bandwidth: 'fast' }, /spec\.bandwidth/],
    [{ clusterRef: 'c', path: '/s3', verify: 'yes' }, /spec\.verify/],
  ];
  const { api } = newApi();
  for (const [spec, field] of cases) {
    const doc = load(spec);
    const z = parseSchema('Load', doc);
    assert.ok(z.errors.some((e) => field.test(e)), `zod refuses ${JSON.stringify(spec)}: ${z.errors}`);
    const o = checkOpenApi(schema, doc);
    assert.ok(o.some((e) => field.test(e)), `OpenAPI refuses ${JSON.stringify(spec)}: ${o}`);
    await assert.rejects(api.create(doc), field);
  }
  const { spec: _s, ...noSpec } = load({});
  assert.ok(checkOpenApi(schema, noSpec).some((e) => /spec: required/.test(e)));
});

test('the operator ClusterRole may read and update loads, patch their status and set their finalizers; never create or delete them', () => {
  const rules = renderChart().find((o) => o.kind === 'ClusterRole')!.rules as { apiGroups: string[]; resources: string[]; verbs: string[] }[];
  const can = (resource: string, verb: string) => rules.some((r) => r.apiGroups.includes('k8s-operator.alluxio.com') && r.resources.includes(resource) && r.verbs.includes(verb));
  for (const verb of ['get', 'list', 'watch', 'update', 'patch']) assert.ok(can('loads', verb), verb);
  assert.ok(can('loads/status', 'patch'));
  assert.ok(can('loads/finalizers', 'update'));
  assert.equal(can('loads', 'create') || can('loads', 'delete'), false);
});

test('every spec option reaches the coordinator under the name its submission parser takes', () => {
  const spec = LoadSpecSchema.parse({ clusterRef: 'c', path: '/s3/x', verify: true, bandwidth: '100MB', skipIfExists: true,
    fileFilterRegx: '\\.jpg$', replicas: 3, partialListing: true });
  const options = jobOptions(spec);
  const s = parseSubmission('load', { path: spec.path, options }, 100);
  assert.deepEqual(s.options, { verify: true, bandwidth: 100 * 1024 * 1024, skipIfExists: true, fileFilterRegex: '\\.jpg$', replicas: 3, batchSize: 100 });
  // Unset options are not sent: the coordinator's defaults apply.
  assert.deepEqual(jobOptions(LoadSpecSchema.parse({ clusterRef: 'c', path: '/s3/x' })), {});
});

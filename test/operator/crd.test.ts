// The CRDs are generated from the zod schemas (src/operator/api); they must be up to date and
// agree with the zod schemas on what they accept.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT, staleCrdFiles } from '../../src/operator/api/generate-crds.js';
import { CRDS } from '../../src/operator/api/crd.js';
import { parseSchema, parseAlluxioCluster, sizeUnitWarning } from '../../src/operator/api/validate.js';
import { parseYamlDocuments } from '../../src/operator/render.js';
import { checkOpenApi } from './support/openapi-check.js';
import { validateK8s } from './support/k8s-schema.js';

const crd = (plural: string) => parse(readFileSync(join(REPO_ROOT, 'deploy/crds', `${plural}.yaml`), 'utf8'));
const schemaOf = (plural: string) => crd(plural).spec.versions[0].schema.openAPIV3Schema;

test('deploy/crds and the Helm chart copies are what generate-crds.ts produces (run it after changing src/operator/api)', () => {
  assert.deepEqual(staleCrdFiles(), []);
});

test('CRDs: group/version, status subresource, printer columns, short name, and valid CustomResourceDefinitions', async () => {
  for (const info of CRDS) {
    const c = crd(info.plural);
    await validateK8s(c);
    assert.equal(c.metadata.name, `${info.plural}.k8s-operator.alluxio.com`);
    const v = c.spec.versions[0];
    assert.equal(v.name, 'v1');
    assert.deepEqual(v.subresources, { status: {} });
    const cols = v.additionalPrinterColumns.map((x: { name: string }) => x.name.toUpperCase());
    const expected: Record<string, string[]> = { AlluxioCluster: ['CLUSTERPHASE', 'READY', 'REASON', 'AGE', 'MESSAGE', 'LICENSE'],
      UnderFileSystem: ['PHASE', 'AGE'], License: ['PHASE', 'VALID', 'AGE', 'MESSAGE'],
      Load: ['PHASE', 'PATH', 'FILES', 'BYTES', 'AGE', 'TOTAL', 'REASON', 'MESSAGE'] };
    assert.deepEqual(cols, expected[info.kind]);
    for (const col of v.additionalPrinterColumns.filter((x: { name: string }) => ['Message', 'License'].includes(x.name))) assert.equal(col.priority, 1, 'long columns only with -o wide');
    if (info.kind === 'Load') assert.deepEqual(v.additionalPrinterColumns.filter((x: { priority?: number }) => x.priority).map((x: { name: string }) => x.name), ['Total', 'Reason', 'Message']);
  }
  assert.deepEqual(crd('underfilesystems').spec.names.shortNames, ['ufs']);
});

test('CRD schemas are structural: every node typed, enums/defaults/required present', () => {
  const walk = (n: Record<string, any>, path: string) => {
    assert.ok(n.type || n['x-kubernetes-int-or-string'], `untyped node at ${path}`);
    assert.equal(n.$ref, undefined);
    assert.equal(n.anyOf, undefined, path);
    for (const [k, v] of Object.entries(n.properties ?? {})) walk(v as Record<string, any>, `${path}.${k}`);
    if (n.items) walk(n.items, `${path}[]`);
    if (typeof n.additionalProperties === 'object') walk(n.additionalProperties, `${path}{}`);
  };
  for (const info of CRDS) walk(schemaOf(info.plural), info.kind);
  const ac = schemaOf('alluxioclusters').properties.spec.properties;
  assert.deepEqual(ac.fuse.properties.type.enum, ['csi', 'daemonSet', 'none']);
  assert.equal(ac.worker.properties.count.minimum, 0);
  assert.equal(ac.worker.properties.count.default, 1);
  assert.equal(ac.etcd.properties.replicaCount.default, 3);
  assert.equal(ac.worker.properties.affinity['x-kubernetes-preserve-unknown-fields'], true);
  assert.deepEqual(schemaOf('underfilesystems').properties.spec.required.sort(), ['alluxioCluster', 'mountPath', 'path']);
  assert.deepEqual(schemaOf('underfilesystems').required, ['spec']);
});

const EXAMPLES = join(REPO_ROOT, 'deploy/examples');
function customResources(): { file: string; doc: Record<string, any> }[] {
  const out: { file: string; doc: Record<string, any> }[] = [];
  for (const f of readdirSync(EXAMPLES).filter((x) => x.endsWith('.yaml'))) {
    for (const doc of parseYamlDocuments(readFileSync(join(EXAMPLES, f), 'utf8'), f)) {
      const d = doc as Record<string, any>;
      if (d.apiVersion === 'k8s-operator.alluxio.com/v1') out.push({ file: f, doc: d });
    }
  }
  return out;
}
const PLURAL: Record<string, string> = { AlluxioCluster: 'alluxioclusters', UnderFileSystem: 'underfilesystems', License: 'licenses', Load: 'loads' };

test('every example custom resource is valid for both the zod schema and the generated OpenAPI', () => {
  const crs = customResources();
  assert.ok(crs.length >= 6);
  for (const { file, doc } of crs) {
    const z = parseSchema(doc.kind, doc);
    assert.deepEqual(z.errors, [], `${file}: zod`);
    assert.deepEqual(checkOpenApi(schemaOf(PLURAL[doc.kind]!), doc, '', { strict: true }), [], `${file}: OpenAPI`);
  }
});

test('invalid custom resources are rejected by both, naming the field', () => {
  const base = { apiVersion: 'k8s-operator.alluxio.com/v1', metadata: { name: 'x' } };
  const cases: [string, Record<string, any>, RegExp][] = [
    ['AlluxioCluster', { ...base, kind: 'AlluxioCluster', spec: { worker: { count: -2 } } }, /spec\.worker\.count/],
    ['AlluxioCluster', { ...base, kind: 'AlluxioCluster', spec: { fuse: { type: 'fuse3' } } }, /spec\.fuse\.type/],
    ['AlluxioCluster', { ...base, kind: 'AlluxioCluster', spec: { worker: { pagestore: { size: '90 XB' } } } }, /spec\.worker\.pagestore\.size/],
    ['AlluxioCluster', { ...base, kind: 'AlluxioCluster', spec: { etcd: { persistence: { size: '10GB' } } } }, /spec\.etcd\.persistence\.size/],
    ['UnderFileSystem', { ...base, kind: 'UnderFileSystem', spec: { alluxioCluster: 'a', mountPath: '/s3' } }, /spec\.path/],
    ['UnderFileSystem', { ...base, kind: 'UnderFileSystem', spec: { alluxioCluster: 'a', path: 's3://b/', mountPath: 's3' } }, /spec\.mountPath/],
    ['License', { ...base, kind: 'License', spec: { clusters: [], licenseString: 'x' } }, /spec\.clusters/],
  ];
  for (const [kind, doc, field] of cases) {
    const z = parseSchema(kind as 'AlluxioCluster', doc);
    assert.ok(z.errors.some((e) => field.test(e)), `zod rejects ${JSON.stringify(doc.spec)}: ${z.errors}`);
    const o = checkOpenApi(schemaOf(PLURAL[kind]!), doc);
    assert.ok(o.some((e) => field.test(e)), `OpenAPI rejects ${JSON.stringify(doc.spec)}: ${o}`);
  }
});

test('pagestore 90GB is accepted with a GB-vs-GiB warning; 90Gi is not warned about', () => {
  const mk = (size: string) => ({ apiVersion: 'k8s-operator.alluxio.com/v1', kind: 'AlluxioCluster', metadata: { name: 'x' }, spec: { worker: { pagestore: { size } } } });
  const w = parseAlluxioCluster(mk('90GB'));
  assert.ok(w.value);
  assert.equal(w.warnings.length, 1);
  assert.match(w.warnings[0]!, /spec\.worker\.pagestore\.size '90GB' is read as 90Gi \(96\.6 GB/);
  assert.deepEqual(parseAlluxioCluster(mk('90Gi')).warnings, []);
  assert.equal(sizeUnitWarning('f', '512MB')?.includes("'512Mi'"), true);
  const r = parseAlluxioCluster({ ...mk('10Gi'), spec: { worker: { pagestore: { size: '10Gi', reservedSize: '10Gi' } } } });
  assert.equal(r.value, undefined);
  assert.match(r.errors[0]!, /reservedSize '10Gi' must be smaller than size '10Gi'/);
});

test('defaults: an empty spec gets the documented defaults from zod, as the API server would from the CRD', () => {
  const r = parseSchema('AlluxioCluster', { apiVersion: 'k8s-operator.alluxio.com/v1', kind: 'AlluxioCluster', metadata: { name: 'x' } });
  const s = r.value!.spec;
  assert.equal(s.worker.count, 1);
  assert.equal(s.worker.pagestore.hostPath, '/mnt/alluxio/pagestore');
  assert.equal(s.etcd.enabled, true);
  assert.equal(s.fuse.type, 'none');
  const crdSpec = schemaOf('alluxioclusters').properties.spec;
  assert.equal(crdSpec.properties.worker.properties.pagestore.properties.hostPath.default, s.worker.pagestore.hostPath);
  assert.equal(crdSpec.properties.fuse.properties.type.default, s.fuse.type);
});

// deploy/kubectl/ is what `npm run gen:kubectl` renders from the chart (no hand edits, no stale
// files), laid out as Alluxio 2.x's template directories, and every object passes the Kubernetes schemas.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '../../src/operator/kube/types.js';
import { validateK8s } from '../operator/support/k8s-schema.js';
import { KUBECTL_DIR, PRESETS, kubectlTemplates } from './support/kubectl-templates.js';

function onDisk(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? onDisk(join(dir, f)) : [join(dir, f)]));
}

test('deploy/kubectl is current: every generated file matches, and there is no other template file', () => {
  const want = kubectlTemplates();
  const have = Object.keys(PRESETS).flatMap((d) => onDisk(join(KUBECTL_DIR, d))).map((f) => relative(KUBECTL_DIR, f)).sort();
  assert.deepEqual(have, [...want.keys()].sort(), 'run npm run gen:kubectl');
  for (const [path, text] of want) assert.equal(readFileSync(join(KUBECTL_DIR, path), 'utf8'), text, `${path} is stale: run npm run gen:kubectl`);
});

test('the three 2.x directories with the 2.x file names, and objects the Kubernetes schemas accept', async () => {
  for (const dir of ['singleMaster-localJournal', 'singleMaster-hdfsJournal', 'multiMaster-embeddedJournal']) {
    const files = onDisk(join(KUBECTL_DIR, dir)).map((f) => relative(join(KUBECTL_DIR, dir), f));
    for (const f of ['alluxio-configmap.yaml.template', 'master/alluxio-master-statefulset.yaml.template', 'master/alluxio-master-service.yaml.template',
      'worker/alluxio-worker-daemonset.yaml.template', 'alluxio-fuse.yaml.template', 'alluxio-fuse-client.yaml.template']) {
      assert.ok(files.includes(f), `${dir}/${f}`);
    }
    for (const f of files) {
      for (const d of parseAllDocuments(readFileSync(join(KUBECTL_DIR, dir, f), 'utf8'))) await validateK8s(d.toJS() as KubeObject);
    }
  }
  const masters = (dir: string) => (parseAllDocuments(readFileSync(join(KUBECTL_DIR, dir, 'master/alluxio-master-statefulset.yaml.template'), 'utf8'))[0]!.toJS() as KubeObject).spec.replicas;
  assert.equal(masters('singleMaster-localJournal'), 1);
  assert.equal(masters('multiMaster-embeddedJournal'), 3);
  assert.match(readFileSync(join(KUBECTL_DIR, 'singleMaster-hdfsJournal/worker/alluxio-worker-daemonset.yaml.template'), 'utf8'), /secretName: alluxio-hdfs-config/);
});

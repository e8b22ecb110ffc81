// Every YAML block in docs/kubernetes.md is tested: custom resources against our schemas (and
// rendered, see render.test.ts), Kubernetes objects against the Kubernetes schemas, Helm values
// against the chart's values.yaml.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT } from '../../src/operator/api/generate-crds.js';
import { parseSchema } from '../../src/operator/api/validate.js';
import { parseYamlDocuments } from '../../src/operator/render.js';
import type { KubeObject } from '../../src/operator/kube/types.js';
import { validateK8s } from './support/k8s-schema.js';
import { renderChart } from './support/helm-chart.js';

const md = readFileSync(join(REPO_ROOT, 'docs/kubernetes.md'), 'utf8');
const blocks = [...md.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);

function keysSubset(user: Record<string, unknown>, defaults: Record<string, unknown>, path = ''): string[] {
  const bad: string[] = [];
  for (const [k, v] of Object.entries(user)) {
    if (!(k in defaults)) bad.push(`${path}${k}`);
    else if (v && typeof v === 'object' && !Array.isArray(v)) bad.push(...keysSubset(v as Record<string, unknown>, defaults[k] as Record<string, unknown>, `${path}${k}.`));
  }
  return bad;
}

test('every YAML block of docs/kubernetes.md is valid for what it is', async () => {
  assert.ok(blocks.length >= 12, `${blocks.length} blocks`);
  const values = parse(readFileSync(join(REPO_ROOT, 'deploy/helm/alluxio-operator/values.yaml'), 'utf8'));
  const kinds: string[] = [];
  for (const block of blocks) {
    for (const doc of parseYamlDocuments(block, 'docs/kubernetes.md') as Record<string, any>[]) {
      if (doc.apiVersion === 'k8s-operator.alluxio.com/v1') {
        assert.ok(doc.metadata?.name, `every custom resource in the docs is complete: ${block.slice(0, 80)}`);
        assert.deepEqual(parseSchema(doc.kind, doc).errors, [], block.slice(0, 120));
      } else if (doc.apiVersion) {
        await validateK8s(doc as KubeObject);
      } else {
        assert.ok(doc.global, `unknown YAML block: ${block.slice(0, 80)}`);
        assert.deepEqual(keysSubset(doc, values), [], 'Helm values exist in values.yaml');
        for (const o of renderChart(doc)) await validateK8s(o);
      }
      kinds.push(doc.kind ?? 'helm-values');
    }
  }
  for (const k of ['AlluxioCluster', 'UnderFileSystem', 'License', 'Secret', 'helm-values']) assert.ok(kinds.includes(k), k);
});

test('the docs show the commands of the issue and the object names the operator creates', () => {
  for (const s of ['helm -n alluxio-operator install operator -f', 'kubectl apply -f alluxio-cluster.yaml', 'CLUSTERPHASE', 'get ufs',
    'alluxio mount list', 'alluxio fs ls /', 'alluxio k8s preflight', 'alluxio k8s render -f alluxio-cluster.yaml', 'helm -n alluxio-operator uninstall operator',
    'alluxio-cluster-coordinator-0', 'data-<name>-etcd-N', 'NoStorageClass', 'InsufficientNodesForAntiAffinity', 'ImagePullFailed', 'PagestoreExceedsDisk', 'HostPathNotWritable',
    'kubectl label namespace alx-ns pod-security.kubernetes.io/enforce=privileged', 'kubectl -n alx-ns describe alluxiocluster alluxio-cluster']) {
    assert.ok(md.includes(s), s);
  }
});

test('Appendix D names every cause the operator diagnoses, with its condition', async () => {
  const { CONDITION, REASON } = await import('../../src/operator/constants.js');
  const appendix = md.slice(md.indexOf('## Appendix D'), md.indexOf('## Appendix E'));
  for (const [type, reason] of [
    [CONDITION.EtcdStorage, REASON.NoStorageClass], [CONDITION.EtcdStorage, REASON.StorageClassNotFound],
    [CONDITION.EtcdStorage, REASON.WaitingForFirstConsumer], [CONDITION.EtcdStorage, REASON.NoPersistentVolume],
    [CONDITION.EtcdStorage, REASON.ProvisioningFailed], [CONDITION.EtcdStorage, REASON.ProvisionerNotResponding], [CONDITION.EtcdSchedulable, REASON.InsufficientNodes],
    [CONDITION.PodsScheduled, REASON.AntiAffinity], [CONDITION.PodsScheduled, REASON.InsufficientResources],
    [CONDITION.PodsScheduled, REASON.NodeSelectorMismatch], [CONDITION.PodsScheduled, REASON.UntoleratedTaint],
    [CONDITION.PodSecurityAdmitted, REASON.PodSecurityViolation], [CONDITION.ContainersRunning, REASON.OOMKilled],
    [CONDITION.ContainersRunning, REASON.CrashLoopBackOff], [CONDITION.PagestoreFits, REASON.PagestoreExceedsDisk],
    [CONDITION.HostPathWritable, REASON.HostPathNotWritable], [CONDITION.ImagesPulled, REASON.ImagePullFailed],
    [CONDITION.LicenseValid, REASON.LicenseExpired],
  ]) {
    assert.ok(new RegExp(`\\| \`${type}\` \\| [^|]*\`${reason}\``).test(appendix), `table row: ${type} ${reason}`);
  }
});

import { InvalidArgumentError } from '../../common/errors.js';
import { parseAlluxioCluster } from '../api/validate.js';
import type { AlluxioCluster } from '../api/alluxio-cluster.js';
import type { KubeApi } from '../kube/types.js';
import { parseYamlDocuments } from '../render.js';
import { CHECKS, type CheckOutcome } from './checks.js';
import type { ImageProber } from './image-probe.js';

// `alluxio k8s preflight [-f alluxio-cluster.yaml] [--json]`: every check, a table, exit 1 on FAIL.

const DEFAULT_CLUSTER = { apiVersion: 'k8s-operator.alluxio.com/v1', kind: 'AlluxioCluster', metadata: { name: 'alluxio-cluster', namespace: 'default' } };

export function clusterForPreflight(yamlText?: string): AlluxioCluster {
  const doc = yamlText ? parseYamlDocuments(yamlText).find((d) => (d as { kind?: string }).kind === 'AlluxioCluster') : DEFAULT_CLUSTER;
  if (!doc) throw new InvalidArgumentError('no AlluxioCluster in the file given with -f');
  const r = parseAlluxioCluster(doc);
  if (!r.value) throw new InvalidArgumentError(`the AlluxioCluster is invalid:\n  ${r.errors.join('\n  ')}`);
  r.value.metadata.namespace ??= 'default';
  return r.value;
}

export async function runPreflight(opts: { api: KubeApi; cluster: AlluxioCluster; images: ImageProber; operatorNamespace?: string }): Promise<CheckOutcome[]> {
  const ctx = { ...opts, operatorNamespace: opts.operatorNamespace ?? 'alluxio-operator' };
  const out: CheckOutcome[] = [];
  for (const check of CHECKS) {
    try {
      out.push(await check(ctx));
    } catch (err) {
      out.push({ check: check.name.replace(/^check/, '').replace(/[A-Z]/g, (c, i) => (i ? '-' : '') + c.toLowerCase()),
        result: 'FAIL', detail: `could not run: ${(err as Error).message}`, fix: 'check the kubeconfig and the connection to the API server' });
    }
  }
  return out;
}

export function formatTable(rows: CheckOutcome[]): string {
  const w = Math.max(5, ...rows.map((r) => r.check.length)) + 1;
  const lines = [`${'CHECK'.padEnd(w)}RESULT  DETAIL`];
  for (const r of rows) {
    lines.push(`${r.check.padEnd(w)}${r.result.padEnd(8)}${r.detail}`);
    if (r.fix && r.result !== 'PASS') lines.push(`${''.padEnd(w + 8)}fix: ${r.fix}`);
  }
  const fails = rows.filter((r) => r.result === 'FAIL').length;
  lines.push('', fails ? `${fails} check(s) failed` : 'all checks passed');
  return lines.join('\n') + '\n';
}

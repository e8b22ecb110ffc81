// Renders the chart with its values.yaml plus overrides (see helm-lite.ts).
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { REPO_ROOT } from '../../../src/operator/api/generate-crds.js';
import type { KubeObject } from '../../../src/operator/kube/types.js';
import { deepMerge, renderTemplate } from './helm-lite.js';

export const CHART = join(REPO_ROOT, 'deploy/helm/alluxio-operator');

export function renderChart(overrides: Record<string, unknown> = {}, namespace = 'alluxio-operator'): KubeObject[] {
  const values = deepMerge(parse(readFileSync(join(CHART, 'values.yaml'), 'utf8')), overrides);
  const out: KubeObject[] = [];
  for (const f of readdirSync(join(CHART, 'templates')).filter((x) => x.endsWith('.yaml')).sort()) {
    const text = renderTemplate(readFileSync(join(CHART, 'templates', f), 'utf8'), { Values: values, Release: { Name: 'operator', Namespace: namespace } });
    for (const d of parseAllDocuments(text)) {
      assert.deepEqual(d.errors, [], `${f}: ${d.errors[0]?.message}`);
      const v = d.toJS();
      if (v) out.push(v);
    }
  }
  return out;
}


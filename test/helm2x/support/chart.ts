// Renders deploy/helm/alluxio as `helm template <release> deploy/helm/alluxio -f values.yaml` does:
// values.yaml merged with the user's values, every template under templates/ (partials `_*.tpl`
// contribute defines only), objects tagged with the template they came from.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { REPO_ROOT } from '../../../src/operator/api/generate-crds.js';
import type { KubeObject } from '../../../src/operator/kube/types.js';
import { parseChart, renderFile, type Chart } from './go-template.js';

export const CHART_DIR = join(REPO_ROOT, 'deploy/helm/alluxio');

type Dict = Record<string, unknown>;

function listFiles(dir: string): string[] {
  return readdirSync(dir).sort().flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? listFiles(p) : [p];
  });
}

/** Helm's value merge: maps merge key by key, anything else (lists too) replaces. */
export function mergeValues(base: Dict, over: Dict): Dict {
  const out: Dict = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = v && typeof v === 'object' && !Array.isArray(v) && b && typeof b === 'object' && !Array.isArray(b)
      ? mergeValues(b as Dict, v as Dict) : v;
  }
  return out;
}

export function chartValues(user: Dict = {}): Dict {
  return mergeValues(parse(readFileSync(join(CHART_DIR, 'values.yaml'), 'utf8')) as Dict, user);
}

let parsed: Chart | undefined;
function chart(): Chart {
  if (!parsed) {
    const files: Record<string, string> = {};
    for (const f of listFiles(join(CHART_DIR, 'templates'))) files[relative(join(CHART_DIR, 'templates'), f)] = readFileSync(f, 'utf8');
    parsed = parseChart(files);
  }
  return parsed;
}

export interface RenderedObject { template: string; object: KubeObject }
export interface Release { name: string; namespace: string }

function root(user: Dict, release: Release): Dict {
  const meta = parse(readFileSync(join(CHART_DIR, 'Chart.yaml'), 'utf8')) as Dict;
  return {
    Values: chartValues(user),
    Release: { Name: release.name, Namespace: release.namespace, Service: 'Helm' },
    Chart: { Name: meta.name, Version: meta.version, AppVersion: meta.appVersion },
  };
}

/** Each template's text, by path under templates/ (manifests only). */
export function renderTexts(user: Dict = {}, release: Release = { name: 'alluxio', namespace: 'default' }): Map<string, string> {
  const c = chart();
  const ctx = root(user, release);
  const out = new Map<string, string>();
  for (const name of c.files.keys()) {
    if (name.split('/').pop()!.startsWith('_') || name.endsWith('NOTES.txt')) continue;
    out.set(name, renderFile(c, name, ctx));
  }
  return out;
}

export function renderObjects(user: Dict = {}, release?: Release): RenderedObject[] {
  const out: RenderedObject[] = [];
  for (const [template, text] of renderTexts(user, release)) {
    for (const d of parseAllDocuments(text)) {
      if (d.errors.length) throw new Error(`${template}: ${d.errors[0]!.message}\n${text}`);
      const object = d.toJS() as KubeObject | null;
      if (object) out.push({ template, object });
    }
  }
  return out;
}

export function renderNotes(user: Dict = {}, release: Release = { name: 'alluxio', namespace: 'default' }): string {
  return renderFile(chart(), 'NOTES.txt', root(user, release));
}

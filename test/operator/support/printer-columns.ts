import { CRDS, buildCrd } from '../../../src/operator/api/crd.js';
import type { KubeObject } from '../../../src/operator/kube/types.js';

// What `kubectl get <kind>` (and `-o wide`) prints for an object: the CRD's additionalPrinterColumns
// evaluated on it. Only the JSONPath forms our CRDs use: `.a.b` and `.a[?(@.k=="v")].b`.

function evaluate(obj: unknown, path: string): string {
  let cur: unknown[] = [obj];
  for (const step of path.match(/\.[A-Za-z0-9_]+|\[\?\(@\.[A-Za-z0-9_]+=="[^"]*"\)\]/g) ?? []) {
    const filter = /^\[\?\(@\.([A-Za-z0-9_]+)=="([^"]*)"\)\]$/.exec(step);
    cur = filter
      ? cur.flatMap((v) => (Array.isArray(v) ? v : [])).filter((v) => (v as Record<string, unknown>)?.[filter[1]!] === filter[2])
      : cur.map((v) => (v as Record<string, unknown> | undefined)?.[step.slice(1)]).filter((v) => v !== undefined);
  }
  return cur.map(String).join(' ');
}

/** Column name (upper case, as kubectl prints it) → value; `wide` adds priority-1 columns. */
export function printerRow(obj: KubeObject, wide = false): Record<string, string> {
  const info = CRDS.find((c) => c.kind === obj.kind)!;
  const cols = (buildCrd(info).spec as { versions: { additionalPrinterColumns: { name: string; jsonPath: string; priority?: number }[] }[] })
    .versions[0]!.additionalPrinterColumns;
  const row: Record<string, string> = { NAME: obj.metadata.name };
  for (const c of cols) if (wide || !c.priority) row[c.name.toUpperCase()] = evaluate(obj, c.jsonPath);
  return row;
}

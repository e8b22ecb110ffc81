import { CRDS } from '../../../src/operator/api/crd.js';
import { parseSchema, isCustomKind, type CustomKind } from '../../../src/operator/api/validate.js';
import type { MemoryKubeApi } from './memory-api.js';
import type { KubeObject } from '../../../src/operator/kube/types.js';

// The root CEL rules of the CRDs (x-kubernetes-validations): the two forms they use on
// metadata.name, evaluated here; any other form fails loudly so a new rule is not skipped.
function celRule(rule: string): (obj: KubeObject) => boolean {
  let m = /^self\.metadata\.name\.size\(\) <= (\d+)$/.exec(rule);
  if (m) { const max = Number(m[1]); return (o) => o.metadata.name.length <= max; }
  m = /^self\.metadata\.name\.matches\('(.*)'\)$/.exec(rule);
  if (m) { const re = new RegExp(m[1]!); return (o) => re.test(o.metadata.name); }
  throw new Error(`crd-validators: CEL rule not understood by the test API: ${rule}`);
}

/** Makes the in-memory API check and default custom resources as the CRDs make the API server do. */
export function registerCrdValidators(api: MemoryKubeApi): void {
  for (const kind of ['AlluxioCluster', 'UnderFileSystem', 'License', 'Load'] as CustomKind[]) {
    const rules = (CRDS.find((c) => c.kind === kind)?.rules ?? []).map((r) => ({ message: r.message, check: celRule(r.rule) }));
    api.registerValidator(kind, (obj: KubeObject) => {
      if (!isCustomKind(obj.kind)) return { value: obj, errors: [] };
      const broken = rules.filter((r) => !r.check(obj)).map((r) => `<nil>: Invalid value: "object": ${r.message}`);
      if (broken.length) return { errors: broken };
      const r = parseSchema(kind, obj);
      // Keep the status the caller wrote (the CRD schema only prunes unknown fields there).
      return r.value ? { value: r.value as unknown as KubeObject, errors: [] } : { errors: r.errors };
    });
  }
}

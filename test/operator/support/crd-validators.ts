import { parseSchema, isCustomKind, type CustomKind } from '../../../src/operator/api/validate.js';
import type { MemoryKubeApi } from './memory-api.js';
import type { KubeObject } from '../../../src/operator/kube/types.js';

/** Makes the in-memory API check and default custom resources as the CRDs make the API server do. */
export function registerCrdValidators(api: MemoryKubeApi): void {
  for (const kind of ['AlluxioCluster', 'UnderFileSystem', 'License'] as CustomKind[]) {
    api.registerValidator(kind, (obj: KubeObject) => {
      if (!isCustomKind(obj.kind)) return { value: obj, errors: [] };
      const r = parseSchema(kind, obj);
      // Keep the status the caller wrote (the CRD schema only prunes unknown fields there).
      return r.value ? { value: r.value as unknown as KubeObject, errors: [] } : { errors: r.errors };
    });
  }
}

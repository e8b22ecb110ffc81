import { randomBytes } from 'node:crypto';
import { FIELD_MANAGER } from '../constants.js';
import type { AlluxioCluster } from '../api/alluxio-cluster.js';
import { buildGrafanaAdminSecret } from '../builders/grafana-admin-secret.js';
import { isConflict, refOf, type KubeApi, type KubeObject } from '../kube/types.js';

// Secrets with generated values that the operator creates once and never rewrites (an existing
// one, whoever made it, is kept; a lost create race keeps the winner's). Values never reach a log,
// error, status or Event: a failure reports only the API's status code and reason.

export async function createOnce(api: KubeApi, secret: KubeObject): Promise<'exists' | 'created'> {
  if (await api.get(refOf(secret))) return 'exists';
  try {
    await api.create(secret, { fieldManager: FIELD_MANAGER });
    return 'created';
  } catch (err) {
    if (isConflict(err)) return 'exists';
    const e = err as { code?: number; reason?: string };
    throw new Error(`creating Secret ${secret.metadata.name} failed: ${e.code ?? ''} ${e.reason ?? (err as Error).name}`.trim());
  }
}

/** <cluster>-grafana-admin, when Grafana is enabled. */
export async function ensureGrafanaAdminSecret(api: KubeApi, c: AlluxioCluster): Promise<'exists' | 'created' | 'unused'> {
  if (!c.spec.grafana.enabled) return 'unused';
  return createOnce(api, buildGrafanaAdminSecret(c, randomBytes(16).toString('hex')));
}

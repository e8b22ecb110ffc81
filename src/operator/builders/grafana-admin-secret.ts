import type { AlluxioCluster } from '../api/alluxio-cluster.js';
import type { KubeObject } from '../kube/types.js';
import { clusterNames, meta } from './names.js';

// The Secret <cluster>-grafana-admin: Grafana's admin user and a random password, so no Grafana
// runs with the image's admin/admin. Created once by the operator (controllers/grafana-admin-secret.ts),
// left to the user by `k8s render`; Grafana reads it through GF_SECURITY_ADMIN_* (builders/monitoring.ts).

export const GRAFANA_ADMIN_KEYS = { user: 'admin-user', password: 'admin-password' } as const;

export function buildGrafanaAdminSecret(c: AlluxioCluster, password: string): KubeObject {
  const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
  return {
    apiVersion: 'v1', kind: 'Secret', metadata: meta(c, clusterNames(c).grafanaAdmin, 'grafana'), type: 'Opaque',
    data: { [GRAFANA_ADMIN_KEYS.user]: b64('admin'), [GRAFANA_ADMIN_KEYS.password]: b64(password) },
  };
}

/** Grafana's environment from the Secret. */
export function grafanaAdminEnv(c: AlluxioCluster): Record<string, unknown>[] {
  const ref = (key: string) => ({ secretKeyRef: { name: clusterNames(c).grafanaAdmin, key } });
  return [
    { name: 'GF_SECURITY_ADMIN_USER', valueFrom: ref(GRAFANA_ADMIN_KEYS.user) },
    { name: 'GF_SECURITY_ADMIN_PASSWORD', valueFrom: ref(GRAFANA_ADMIN_KEYS.password) },
  ];
}

export function grafanaAdminCreateCommand(c: AlluxioCluster): string {
  return `kubectl -n ${c.metadata.namespace ?? 'default'} create secret generic ${clusterNames(c).grafanaAdmin} `
    + `--from-literal=${GRAFANA_ADMIN_KEYS.user}=admin --from-literal=${GRAFANA_ADMIN_KEYS.password}="$(openssl rand -hex 16)"`;
}

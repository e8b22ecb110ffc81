import { parseAllDocuments, stringify } from 'yaml';
import { InvalidArgumentError } from '../common/errors.js';
import { parseAlluxioCluster } from './api/validate.js';
import { buildClusterObjects } from './builders/cluster.js';
import { clusterNames } from './builders/names.js';
import { s3CredentialsCreateCommand } from './builders/s3-credentials-secret.js';
import { grafanaAdminCreateCommand } from './builders/grafana-admin-secret.js';
import { MOUNT_KEY_SECRET_KEY } from './constants.js';
import type { KubeObject } from './kube/types.js';

// `alluxio k8s render -f alluxio-cluster.yaml`: the objects the operator would create for each
// AlluxioCluster in the file, for `kubectl apply -f -` on clusters without the operator.
// The operator applies the same objects plus owner references (which need the live UID).

export interface RenderResult { objects: KubeObject[]; warnings: string[] }

export function parseYamlDocuments(yamlText: string, source = 'input'): unknown[] {
  const docs = parseAllDocuments(yamlText);
  const out: unknown[] = [];
  for (const d of docs) {
    if (d.errors.length) throw new InvalidArgumentError(`${source}: YAML error: ${d.errors[0]!.message}`);
    const v = d.toJS();
    if (v !== null && v !== undefined) out.push(v);
  }
  return out;
}

export function renderClusterWithWarnings(yamlText: string, source = 'input'): RenderResult {
  const objects: KubeObject[] = [];
  const warnings: string[] = [];
  let clusters = 0;
  for (const doc of parseYamlDocuments(yamlText, source)) {
    if ((doc as { kind?: string }).kind !== 'AlluxioCluster') continue;
    clusters++;
    const name = (doc as { metadata?: { name?: string } }).metadata?.name ?? '(no name)';
    const r = parseAlluxioCluster(doc);
    if (!r.value) throw new InvalidArgumentError(`${source}: AlluxioCluster ${name} is invalid:\n  ${r.errors.join('\n  ')}`);
    warnings.push(...r.warnings.map((w) => `AlluxioCluster ${name}: ${w}`));
    const c = r.value;
    if (!c.metadata.namespace) c.metadata.namespace = 'default';
    objects.push(...buildClusterObjects(c));
    // Not rendered: a key generated on each render would be replaced by every `kubectl apply`,
    // and every mount credential sealed with the old key would become unreadable.
    const secret = clusterNames(c).mountCredentialsKey;
    warnings.push(`AlluxioCluster ${name}: the pods mount the Secret ${secret} (the key that encrypts mount credentials) and wait until it exists; `
      + `create it once, before or after applying, and never replace it: kubectl -n ${c.metadata.namespace} create secret generic ${secret} `
      + `--from-literal=${MOUNT_KEY_SECRET_KEY}="$(head -c 32 /dev/urandom | base64)"`);
    // Same for the S3/REST credentials: a Secret generated per render would change every client's keys.
    warnings.push(`AlluxioCluster ${name}: S3 and REST authentication is on; the pods mount the Secret ${clusterNames(c).s3Credentials} `
      + '(S3 key pair and bearer tokens) and wait until it exists; create it once: ' + s3CredentialsCreateCommand(c));
    if (c.spec.grafana.enabled) {
      warnings.push(`AlluxioCluster ${name}: Grafana reads its admin password from the Secret ${clusterNames(c).grafanaAdmin}; create it once: `
        + grafanaAdminCreateCommand(c));
    }
  }
  if (clusters === 0) throw new InvalidArgumentError(`${source}: no AlluxioCluster (apiVersion k8s-operator.alluxio.com/v1) found`);
  return { objects, warnings };
}

export function renderCluster(yamlText: string): KubeObject[] {
  return renderClusterWithWarnings(yamlText).objects;
}

export function toYamlStream(objects: readonly unknown[]): string {
  return objects.map((o) => stringify(o, { lineWidth: 0 })).join('---\n');
}

import { randomBytes } from 'node:crypto';
import { FIELD_MANAGER, S3_SECRET_KEYS } from '../constants.js';
import type { AlluxioCluster } from '../api/alluxio-cluster.js';
import { buildS3CredentialsSecret, type S3Credentials } from '../builders/s3-credentials-secret.js';
import { clusterNames } from '../builders/names.js';
import { isConflict, type KubeApi, type KubeObject } from '../kube/types.js';

// The Secret <cluster>-s3-credentials: generated once, never rewritten (S3 clients and the
// operator hold its values; an existing Secret, whoever made it, is kept; a lost create race keeps
// the winner's). No owner reference, like the mount credentials key: a cluster recreated with the
// same name keeps the credentials its clients were given. Values never reach a log, error, status
// or Event.

export function generateS3Credentials(): S3Credentials {
  return {
    // AWS-shaped: 20 upper-case characters, 40-character secret.
    accessKey: `AK${randomBytes(9).toString('hex').toUpperCase()}`,
    secretKey: randomBytes(20).toString('hex'),
    clusterToken: randomBytes(32).toString('hex'),
    operatorToken: randomBytes(32).toString('hex'),
  };
}

export async function ensureS3CredentialsSecret(api: KubeApi, c: AlluxioCluster): Promise<'exists' | 'created'> {
  const name = clusterNames(c).s3Credentials;
  const existing = await api.get({ apiVersion: 'v1', kind: 'Secret', namespace: c.metadata.namespace, name });
  if (existing) return 'exists';
  try {
    await api.create(buildS3CredentialsSecret(c, generateS3Credentials()), { fieldManager: FIELD_MANAGER });
    return 'created';
  } catch (err) {
    if (isConflict(err)) return 'exists';
    // Only the API's status reason: its message could echo the object we sent.
    const e = err as { code?: number; reason?: string };
    throw new Error(`creating Secret ${name} failed: ${e.code ?? ''} ${e.reason ?? (err as Error).name}`.trim());
  }
}

/** The operator's bearer token for a cluster's coordinator API, from that Secret; undefined when absent. */
export function operatorTokenOf(secret: KubeObject | undefined): string | undefined {
  const v = (secret?.data as Record<string, string> | undefined)?.[S3_SECRET_KEYS.operatorToken];
  const token = v ? Buffer.from(v, 'base64').toString('utf8').trim() : '';
  return token || undefined;
}

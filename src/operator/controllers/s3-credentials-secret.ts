import { randomBytes } from 'node:crypto';
import { S3_SECRET_KEYS } from '../constants.js';
import type { AlluxioCluster } from '../api/alluxio-cluster.js';
import { buildS3CredentialsSecret, type S3Credentials } from '../builders/s3-credentials-secret.js';
import type { KubeApi, KubeObject } from '../kube/types.js';
import { createOnce } from './generated-secrets.js';

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
  return createOnce(api, buildS3CredentialsSecret(c, generateS3Credentials()));
}

/** The operator's bearer token for a cluster's coordinator API, from that Secret; undefined when absent. */
export function operatorTokenOf(secret: KubeObject | undefined): string | undefined {
  const v = (secret?.data as Record<string, string> | undefined)?.[S3_SECRET_KEYS.operatorToken];
  const token = v ? Buffer.from(v, 'base64').toString('utf8').trim() : '';
  return token || undefined;
}

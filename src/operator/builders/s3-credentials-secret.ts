import { PATHS, S3_SECRET_KEYS } from '../constants.js';
import type { AlluxioCluster, Component } from '../api/alluxio-cluster.js';
import type { KubeObject } from '../kube/types.js';
import { clusterNames, meta } from './names.js';

// The Secret <cluster>-s3-credentials: in Kubernetes the S3 API and the REST APIs authenticate by
// default (docs/kubernetes.md "S3 and REST authentication"). Like the mount credentials key it is
// random, so it is not part of buildClusterObjects: the operator creates it once
// (controllers/s3-credentials-secret.ts) and `k8s render` leaves it to the user.

type Obj = Record<string, unknown>;

export interface S3Credentials {
  accessKey: string;
  secretKey: string;
  /** Bearer token of the cluster's own processes (worker to worker, coordinator to worker) and FUSE. */
  clusterToken: string;
  /** Bearer token the operator sends to the coordinator API (UnderFileSystem mounts). */
  operatorToken: string;
}

/** The token names in the credentials file: they appear in the servers' logs, the values never do. */
export const TOKEN_NAMES = { cluster: 'alluxio-cluster', operator: 'alluxio-operator' } as const;

/** alluxio.worker.s3.auth.credentials.file (src/worker/credentials-file.ts): the key pair, then the tokens. */
export function credentialsFileText(k: S3Credentials): string {
  return `${k.accessKey}:${k.secretKey}\ntoken ${TOKEN_NAMES.cluster} ${k.clusterToken}\ntoken ${TOKEN_NAMES.operator} ${k.operatorToken}\n`;
}

export function buildS3CredentialsSecret(c: AlluxioCluster, k: S3Credentials): KubeObject {
  const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: meta(c, clusterNames(c).s3Credentials, 's3-credentials'),
    type: 'Opaque',
    data: {
      [S3_SECRET_KEYS.accessKey]: b64(k.accessKey),
      [S3_SECRET_KEYS.secretKey]: b64(k.secretKey),
      [S3_SECRET_KEYS.clusterToken]: b64(k.clusterToken),
      [S3_SECRET_KEYS.operatorToken]: b64(k.operatorToken),
      [S3_SECRET_KEYS.credentials]: b64(credentialsFileText(k)),
    },
  };
}

/**
 * The Secret's volume in a pod. Coordinator and workers get the credentials file (they check
 * callers) and the cluster token (their own calls to workers); FUSE only the token: a client
 * needs no key pair. Mode 0400, group-readable through the pod's fsGroup as the mount key is.
 */
export function s3CredentialsVolume(c: AlluxioCluster, component: Component): Obj {
  const items: { key: string; path: string }[] = [{ key: S3_SECRET_KEYS.clusterToken, path: 'token' }];
  if (component !== 'fuse') items.unshift({ key: S3_SECRET_KEYS.credentials, path: 'credentials' });
  return { name: 's3-credentials', secret: { secretName: clusterNames(c).s3Credentials, defaultMode: 0o400, items } };
}

export const s3CredentialsMount: Obj = { name: 's3-credentials', mountPath: PATHS.s3CredentialsDir, readOnly: true };

/** The shell lines `k8s render` prints so a user without the operator can create the Secret once. */
export function s3CredentialsCreateCommand(c: AlluxioCluster): string {
  const ns = c.metadata.namespace ?? 'default';
  const k = S3_SECRET_KEYS;
  return 'AK=$(openssl rand -hex 10) SK=$(openssl rand -hex 20) T1=$(openssl rand -hex 32) T2=$(openssl rand -hex 32); '
    + `kubectl -n ${ns} create secret generic ${clusterNames(c).s3Credentials} --from-literal=${k.accessKey}=$AK --from-literal=${k.secretKey}=$SK `
    + `--from-literal=${k.clusterToken}=$T1 --from-literal=${k.operatorToken}=$T2 `
    + `--from-literal=${k.credentials}="$(printf '%s:%s\\ntoken ${TOKEN_NAMES.cluster} %s\\ntoken ${TOKEN_NAMES.operator} %s\\n' $AK $SK $T1 $T2)"`;
}

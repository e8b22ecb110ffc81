import { randomBytes } from 'node:crypto';
import { FIELD_MANAGER, MOUNT_KEY_SECRET_KEY } from '../constants.js';
import type { AlluxioCluster } from '../api/alluxio-cluster.js';
import { buildMountKeySecret } from '../builders/mount-key-secret.js';
import { clusterNames } from '../builders/names.js';
import { isConflict, type KubeApi } from '../kube/types.js';

// The Secret <cluster>-mount-credentials-key: 32 random bytes, created once and never rewritten.
// A new key would make every credential already sealed in etcd unreadable, so an existing Secret
// is kept as it is (whoever made it), and a lost create race (409) keeps the winner's key.
// No owner reference: like the etcd PVCs that hold the sealed credentials, it outlives the
// AlluxioCluster, so a cluster recreated over the same etcd data still reads its mounts.
// The key is never logged and never put in an error message, status or Event.

export type MountKeyResult = 'exists' | 'created';

export async function ensureMountKeySecret(api: KubeApi, c: AlluxioCluster): Promise<MountKeyResult> {
  const name = clusterNames(c).mountCredentialsKey;
  const existing = await api.get({ apiVersion: 'v1', kind: 'Secret', namespace: c.metadata.namespace, name });
  if (existing) return 'exists';
  try {
    await api.create(buildMountKeySecret(c, randomBytes(32).toString('base64')), { fieldManager: FIELD_MANAGER });
    return 'created';
  } catch (err) {
    if (isConflict(err)) return 'exists';
    // Only the API's status reason: its message could echo the object we sent.
    const e = err as { code?: number; reason?: string };
    throw new Error(`creating Secret ${name} (data key ${MOUNT_KEY_SECRET_KEY}) failed: ${e.code ?? ''} ${e.reason ?? (err as Error).name}`.trim());
  }
}

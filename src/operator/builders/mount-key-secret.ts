import type { AlluxioCluster } from '../api/alluxio-cluster.js';
import { MOUNT_KEY_SECRET_KEY } from '../constants.js';
import type { KubeObject } from '../kube/types.js';
import { clusterNames, meta } from './names.js';

/**
 * The Secret that holds the mount credentials key (alluxio.mount.credentials.encryption.key.file),
 * base64 of 32 random bytes. Not part of buildClusterObjects: the key is random and must never
 * change once mounts are stored, so the operator creates it once (controllers/mount-key-secret.ts)
 * and `k8s render` leaves it to the user (docs/kubernetes.md).
 */
export function buildMountKeySecret(c: AlluxioCluster, keyBase64: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: meta(c, clusterNames(c).mountCredentialsKey, 'mount-credentials-key'),
    type: 'Opaque',
    data: { [MOUNT_KEY_SECRET_KEY]: Buffer.from(keyBase64, 'utf8').toString('base64') },
  };
}

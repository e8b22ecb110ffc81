import type { AlluxioCluster } from '../api/alluxio-cluster.js';
import { coordinatorUrl } from '../builders/pod.js';
import { clusterNames } from '../builders/names.js';
import type { KubeApi, KubeObject } from '../kube/types.js';
import type { CoordinatorTarget } from './coordinator-client.js';
import { operatorTokenOf } from './s3-credentials-secret.js';

/** Base URL of a cluster's coordinator; tests override it (there is no cluster DNS here). */
export type CoordinatorUrlOf = (cluster: { metadata: { name: string; namespace?: string } }) => string;

/**
 * A cluster's coordinator: the in-cluster URL of its Service (the builder that names the
 * Service), with the operator's token from the Secret <cluster>-s3-credentials when it exists
 * (authentication on, the default; a coordinator with it off ignores the header).
 */
export async function coordinatorTarget(api: KubeApi, cluster: KubeObject, urlOf?: CoordinatorUrlOf): Promise<CoordinatorTarget> {
  const url = (urlOf ?? ((x) => coordinatorUrl(x as AlluxioCluster)))(cluster);
  const secret = await api.get({ apiVersion: 'v1', kind: 'Secret', namespace: cluster.metadata.namespace,
    name: clusterNames(cluster as AlluxioCluster).s3Credentials });
  const token = operatorTokenOf(secret);
  return token ? { url, token } : { url };
}

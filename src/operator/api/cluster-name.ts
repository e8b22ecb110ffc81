// The longest names derived from a cluster name: Services `<name>-coordinator-headless` are
// DNS-1035 labels (63 characters, starting with a letter), and a StatefulSet's pods carry the
// label controller-revision-hash=`<statefulset>-<10 characters>` (63 at most), so
// `<name>-coordinator` may have 52. Dots are allowed in most object names but not in those.
export const CLUSTER_NAME_MAX = 40;
export const CLUSTER_NAME_PATTERN = '^[a-z]([-a-z0-9]*[a-z0-9])?$';

/** Why a cluster name cannot be used, or undefined when it can. */
export function clusterNameProblem(name: string): string | undefined {
  if (name.length > CLUSTER_NAME_MAX) {
    return `metadata.name '${name}' is ${name.length} characters; an AlluxioCluster name may have at most ${CLUSTER_NAME_MAX} `
      + `(the Service ${name}-coordinator-headless and the StatefulSet pods' revision label must fit in 63)`;
  }
  if (!new RegExp(CLUSTER_NAME_PATTERN).test(name)) {
    return `metadata.name '${name}' must be a DNS-1035 label: lower-case letters, digits and '-', starting with a letter and `
      + `ending with a letter or digit (no dots), because the cluster's Services are named after it`;
  }
  return undefined;
}

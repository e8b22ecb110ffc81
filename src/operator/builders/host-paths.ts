import { PATHS } from '../constants.js';
import type { AlluxioCluster } from '../api/alluxio-cluster.js';
import { namespaceOf } from './names.js';

// Two clusters on one node must never share a directory (page store, identity, metastore, logs,
// FUSE mount point). A hostPath left at its default under /mnt/alluxio gets the cluster's own
// subdirectory: /mnt/alluxio/<namespace>/<cluster>/... (the coordinator's under coordinator/, as a
// coordinator and a worker of one cluster can share a node). A path the spec sets to anything else
// is used as written: it is the user's choice.

const ROOT = '/mnt/alluxio/';

/** The node directory of a default path for this cluster; other paths unchanged. */
export function clusterHostPath(c: AlluxioCluster, path: string, defaultPath: string, component?: 'coordinator'): string {
  if (path !== defaultPath || !path.startsWith(ROOT)) return path;
  const rest = path.slice(ROOT.length);
  return `${ROOT}${namespaceOf(c)}/${c.metadata.name}/${component ? `${component}/` : ''}${rest}`;
}

/** A copy of the cluster whose default hostPaths are the per-cluster ones (the builders read this). */
export function withClusterHostPaths(c: AlluxioCluster): AlluxioCluster {
  const s = structuredClone(c.spec);
  const w = s.worker;
  w.pagestore.hostPath = clusterHostPath(c, w.pagestore.hostPath, PATHS.pagestore);
  w.systemInfo.hostPath = clusterHostPath(c, w.systemInfo.hostPath, PATHS.systemInfo);
  w.metastore.hostPath = clusterHostPath(c, w.metastore.hostPath, PATHS.metastore);
  w.log.hostPath = clusterHostPath(c, w.log.hostPath, PATHS.logs);
  s.coordinator.metastore.hostPath = clusterHostPath(c, s.coordinator.metastore.hostPath, PATHS.metastore, 'coordinator');
  s.coordinator.log.hostPath = clusterHostPath(c, s.coordinator.log.hostPath, PATHS.logs, 'coordinator');
  s.fuse.hostPathForMount = clusterHostPath(c, s.fuse.hostPathForMount, PATHS.fuseMount);
  s.fuse.log.hostPath = clusterHostPath(c, s.fuse.log.hostPath, `${PATHS.logs}/fuse`);
  return { ...c, spec: s };
}

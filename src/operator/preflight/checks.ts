import { parseSize } from '../../common/sizes.js';
import { pagestoreDirs, type AlluxioCluster } from '../api/alluxio-cluster.js';
import { sizeUnitWarning } from '../api/validate.js';
import { defaultStorageClass, etcdSchedulable, schedulableNodes } from '../controllers/diagnose.js';
import { etcdImage } from '../builders/etcd.js';
import { alluxioImage } from '../builders/pod.js';
import type { KubeApi } from '../kube/types.js';
import { credentialsFromDockerConfig, parseImage, type ImageProber } from './image-probe.js';
import { parseQuantity } from './quantity.js';

// Each preflight check: what Alluxio's guide asks users to verify by hand before installing,
// run against the current kubeconfig through the KubeApi (so the in-memory API can test it).

export type CheckResult = 'PASS' | 'WARN' | 'FAIL';
export interface CheckOutcome { check: string; result: CheckResult; detail: string; fix?: string }
export interface PreflightContext { api: KubeApi; cluster: AlluxioCluster; images: ImageProber; operatorNamespace: string }

export const MIN_K8S = { major: 1, minor: 24 };

export async function checkVersion({ api }: PreflightContext): Promise<CheckOutcome> {
  const v = await api.serverVersion();
  const major = parseInt(v.major, 10);
  const minor = parseInt(v.minor, 10);
  const ok = major > MIN_K8S.major || (major === MIN_K8S.major && minor >= MIN_K8S.minor);
  return ok
    ? { check: 'kubernetes-version', result: 'PASS', detail: `${v.gitVersion} (>= ${MIN_K8S.major}.${MIN_K8S.minor})` }
    : { check: 'kubernetes-version', result: 'FAIL', detail: `${v.gitVersion} is older than ${MIN_K8S.major}.${MIN_K8S.minor}`, fix: 'upgrade the cluster to Kubernetes 1.24 or newer' };
}

const NEEDED: { verb: string; group: string; resource: string; label: string; namespaced?: boolean }[] = [
  { verb: 'create', group: 'apiextensions.k8s.io', resource: 'customresourcedefinitions', label: 'CRDs' },
  { verb: 'create', group: 'rbac.authorization.k8s.io', resource: 'clusterroles', label: 'ClusterRoles' },
  { verb: 'create', group: 'rbac.authorization.k8s.io', resource: 'clusterrolebindings', label: 'ClusterRoleBindings' },
  { verb: 'create', group: '', resource: 'serviceaccounts', label: 'ServiceAccounts', namespaced: true },
  { verb: 'create', group: '', resource: 'namespaces', label: 'Namespaces' },
];

export async function checkPermissions({ api, operatorNamespace }: PreflightContext): Promise<CheckOutcome> {
  const denied: string[] = [];
  for (const n of NEEDED) {
    const review = await api.create({
      apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', metadata: { name: '' },
      spec: { resourceAttributes: { verb: n.verb, group: n.group, resource: n.resource, ...(n.namespaced ? { namespace: operatorNamespace } : {}) } },
    });
    if (!review.status?.allowed) denied.push(n.label);
  }
  if (!denied.length) return { check: 'permissions', result: 'PASS', detail: `can create ${NEEDED.map((n) => n.label).join(', ')}` };
  return { check: 'permissions', result: 'FAIL', detail: `not allowed to create ${denied.join(', ')}`,
    fix: 'run the install with a kubeconfig that has cluster-admin (or these create rights)' };
}

export async function checkStorageClass({ api, cluster }: PreflightContext): Promise<CheckOutcome> {
  const c = 'storage-class';
  if (!cluster.spec.etcd.enabled) return { check: c, result: 'PASS', detail: 'etcd.enabled is false: no etcd PVCs' };
  const scs = (await api.list('storage.k8s.io/v1', 'StorageClass')).items;
  const names = scs.map((s) => s.metadata.name);
  const wanted = cluster.spec.etcd.persistence.storageClass;
  if (wanted) {
    return names.includes(wanted)
      ? { check: c, result: 'PASS', detail: `StorageClass '${wanted}' exists` }
      : { check: c, result: 'FAIL', detail: `etcd.persistence.storageClass '${wanted}' does not exist (${names.length ? `have: ${names.join(', ')}` : 'no StorageClass at all'})`,
        fix: 'set spec.etcd.persistence.storageClass to an existing class' };
  }
  const def = defaultStorageClass(scs);
  if (def) return { check: c, result: 'PASS', detail: `default StorageClass '${def}'` };
  return { check: c, result: 'FAIL', detail: `no default StorageClass${names.length ? ` (have: ${names.join(', ')})` : ' and no StorageClass at all'}: the etcd PVCs would stay Pending`,
    fix: names.length ? `set spec.etcd.persistence.storageClass: ${names[0]}, or mark a class default` : 'install a provisioner (EKS 1.23+: the EBS CSI driver) or create PersistentVolumes' };
}

export async function checkEtcdNodes({ api, cluster }: PreflightContext): Promise<CheckOutcome> {
  const c = 'etcd-nodes';
  if (!cluster.spec.etcd.enabled) return { check: c, result: 'PASS', detail: 'etcd.enabled is false' };
  const r = etcdSchedulable(cluster, (await api.list('v1', 'Node')).items);
  if (r.ok) return { check: c, result: 'PASS', detail: r.message };
  const n = /only (\d+) node/.exec(r.message)?.[1] ?? '0';
  return { check: c, result: 'FAIL', detail: `etcd.replicaCount ${cluster.spec.etcd.replicaCount} needs ${cluster.spec.etcd.replicaCount} schedulable nodes, found ${n}`,
    fix: 'add nodes, or set spec.etcd.replicaCount: 1 for a development cluster' };
}

export async function checkPagestoreDisk({ api, cluster }: PreflightContext): Promise<CheckOutcome> {
  const c = 'pagestore-disk';
  const ps = cluster.spec.worker.pagestore;
  const warn = sizeUnitWarning('worker.pagestore.size', ps.size);
  if (ps.type !== 'hostPath') {
    return warn ? { check: c, result: 'WARN', detail: warn, fix: `write the size in Gi` } : { check: c, result: 'PASS', detail: `${ps.type} page store: sized by its volume` };
  }
  // Several directories are on several disks: each must fit its own; the largest is what a node must hold.
  const want = Math.max(...pagestoreDirs(ps).map((d) => parseSize(d.size)));
  const nodes = schedulableNodes((await api.list('v1', 'Node')).items, cluster.spec.worker.nodeSelector, cluster.spec.worker.tolerations);
  const small = nodes.filter((n) => parseQuantity(n.status?.capacity?.['ephemeral-storage']) < want);
  const gb = (b: number) => `${(b / 1e9).toFixed(1)} GB`;
  if (nodes.length && small.length === nodes.length) {
    return { check: c, result: 'FAIL',
      detail: `worker.pagestore.size ${ps.size} (${gb(want)}) is larger than the disk of every worker node (${small.map((n) => `${n.metadata.name}: ${gb(parseQuantity(n.status.capacity['ephemeral-storage']))}`).join(', ')})`,
      fix: 'set worker.pagestore.size to about 90% of the disk, in Gi, or put pagestore.hostPath on a larger disk' };
  }
  if (cluster.spec.worker.count > nodes.length) {
    return { check: c, result: 'WARN', detail: `worker.count ${cluster.spec.worker.count} but ${nodes.length} node(s) for hostPath workers (one per node)`,
      fix: 'add nodes, lower worker.count, or use pagestore.type: persistentVolumeClaim' };
  }
  if (small.length) {
    return { check: c, result: 'WARN', detail: `nodes ${small.map((n) => n.metadata.name).join(', ')} have less disk than worker.pagestore.size ${ps.size} on their root filesystem`,
      fix: 'make sure pagestore.hostPath is on a large enough disk there' };
  }
  if (warn) return { check: c, result: 'WARN', detail: warn, fix: 'write the size in Gi' };
  return { check: c, result: 'PASS', detail: `${nodes.length} node(s) with at least ${ps.size} of disk` };
}

export async function checkImages({ api, cluster, images }: PreflightContext): Promise<CheckOutcome> {
  const list = [alluxioImage(cluster)];
  if (cluster.spec.etcd.enabled) list.push(etcdImage(cluster));
  if (cluster.spec.prometheus.enabled) list.push(cluster.spec.prometheus.image);
  if (cluster.spec.grafana.enabled) list.push(cluster.spec.grafana.image);
  const secrets = await Promise.all((cluster.spec.imagePullSecrets ?? []).map((name) =>
    api.get({ apiVersion: 'v1', kind: 'Secret', namespace: cluster.metadata.namespace, name })));
  const fails: string[] = [];
  const warns: string[] = [];
  const oks: string[] = [];
  for (const image of list) {
    const registry = parseImage(image).registry;
    const creds = secrets.map((s) => credentialsFromDockerConfig(s?.data, registry)).find(Boolean);
    const r = await images.probe(image, creds);
    if (r.ok) oks.push(image);
    else if (r.status === 'unreachable') warns.push(r.detail);
    else fails.push(r.detail);
  }
  if (fails.length) {
    return { check: 'image-pull', result: 'FAIL', detail: fails.join('; '),
      fix: 'push the images to a registry the nodes can reach (docker push), and set spec.imagePullSecrets for a private one' };
  }
  if (warns.length) return { check: 'image-pull', result: 'WARN', detail: warns.join('; '), fix: 'check from a node: crictl pull <image>' };
  return { check: 'image-pull', result: 'PASS', detail: `${oks.length} image(s) found: ${oks.join(', ')}` };
}

export const CHECKS = [checkVersion, checkPermissions, checkStorageClass, checkEtcdNodes, checkPagestoreDisk, checkImages] as const;

import { LABELS } from '../constants.js';
import type { AlluxioCluster } from '../api/alluxio-cluster.js';
import type { KubeObject } from '../kube/types.js';
import { clusterNames } from './names.js';

// What every pod the operator renders gets, in one pass over the built objects (so the component
// builders stay about what they run): resource requests when the spec sets none (no BestEffort
// pod, etcd included), a startupProbe in front of the liveness probe, a restricted container
// securityContext with a read-only root and an emptyDir /tmp, and the cluster's ServiceAccount
// without an API token (no pod of the cluster calls the Kubernetes API).
//
// Exempt: the FUSE container (builders/fuse.ts). Mounting a FUSE filesystem on the node and
// propagating it back (mountPropagation: Bidirectional) needs a privileged container; Kubernetes
// refuses Bidirectional propagation in an unprivileged one.

type Obj = Record<string, any>;

/** Requests per component when the spec sets neither a request nor a limit for that resource. */
export const DEFAULT_REQUESTS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  etcd: { cpu: '100m', memory: '256Mi' },
  coordinator: { cpu: '250m', memory: '512Mi' },
  worker: { cpu: '500m', memory: '1Gi' },
  fuse: { cpu: '250m', memory: '512Mi' },
  prometheus: { cpu: '100m', memory: '256Mi' },
  grafana: { cpu: '50m', memory: '128Mi' },
  /** Init containers (path-permission, wait-etcd): short shell or node scripts. */
  init: { cpu: '10m', memory: '64Mi' },
};

/** Containers that write only to their volumes; the rest (FUSE) keep a writable root. */
const READ_ONLY_ROOT = new Set(['etcd', 'coordinator', 'worker', 'prometheus', 'grafana']);

/** Capabilities the root init container `path-permission` needs for mkdir and chown on hostPaths. */
const PATH_PERMISSION_CAPS = ['CHOWN', 'DAC_OVERRIDE', 'FOWNER'];

/** The startupProbe allows this long (failureThreshold x periodSeconds) before liveness counts. */
export const STARTUP_SECONDS = 300;

export const TMP_VOLUME = 'tmp';

export function restrictedSecurityContext(readOnlyRoot: boolean, addCaps: string[] = []): Obj {
  return {
    allowPrivilegeEscalation: false,
    capabilities: { drop: ['ALL'], ...(addCaps.length ? { add: addCaps } : {}) },
    seccompProfile: { type: 'RuntimeDefault' },
    ...(readOnlyRoot ? { readOnlyRootFilesystem: true } : {}),
  };
}

/** requests filled in from `defaults` for each resource the container has neither a request nor a limit for. */
export function withDefaultRequests(resources: Obj | undefined, defaults: Readonly<Record<string, string>>): Obj {
  const requests: Obj = { ...(resources?.requests ?? {}) };
  for (const [k, v] of Object.entries(defaults)) {
    if (requests[k] === undefined && resources?.limits?.[k] === undefined) requests[k] = v;
  }
  return { ...(resources ?? {}), requests };
}

function startupProbe(from: Obj): Obj {
  const { initialDelaySeconds: _d, failureThreshold: _f, periodSeconds: _p, successThreshold: _s, ...handler } = from;
  return { ...handler, periodSeconds: 10, failureThreshold: STARTUP_SECONDS / 10 };
}

function hardenPod(c: AlluxioCluster, component: string, pod: Obj): void {
  pod.serviceAccountName = clusterNames(c).serviceAccount;
  pod.automountServiceAccountToken = false;
  const privileged = (ctr: Obj) => ctr.securityContext?.privileged === true;
  for (const ctr of pod.initContainers ?? []) {
    ctr.resources = withDefaultRequests(ctr.resources, DEFAULT_REQUESTS.init!);
    const root = ctr.securityContext?.runAsUser === 0;
    ctr.securityContext = { ...(ctr.securityContext ?? {}), ...restrictedSecurityContext(true, root ? PATH_PERMISSION_CAPS : []) };
  }
  let needsTmp = false;
  for (const ctr of pod.containers ?? []) {
    ctr.resources = withDefaultRequests(ctr.resources, DEFAULT_REQUESTS[component] ?? DEFAULT_REQUESTS.init!);
    if (ctr.livenessProbe && !ctr.startupProbe) ctr.startupProbe = startupProbe(ctr.readinessProbe ?? ctr.livenessProbe);
    if (privileged(ctr)) continue; // FUSE: see the comment at the top
    const readOnly = READ_ONLY_ROOT.has(component);
    ctr.securityContext = { ...(ctr.securityContext ?? {}), ...restrictedSecurityContext(readOnly) };
    if (readOnly && !(ctr.volumeMounts ?? []).some((m: Obj) => m.mountPath === '/tmp')) {
      ctr.volumeMounts = [...(ctr.volumeMounts ?? []), { name: TMP_VOLUME, mountPath: '/tmp' }];
      needsTmp = true;
    }
  }
  if (needsTmp) pod.volumes = [...(pod.volumes ?? []), { name: TMP_VOLUME, emptyDir: { sizeLimit: '1Gi' } }];
}

/** Applies the rules above to every workload in `objects` (in place) and returns them. */
export function harden(c: AlluxioCluster, objects: KubeObject[]): KubeObject[] {
  for (const o of objects) {
    if (!['StatefulSet', 'Deployment', 'DaemonSet'].includes(o.kind)) continue;
    const tpl = o.spec?.template;
    const component = tpl?.metadata?.labels?.[LABELS.component] as string | undefined;
    if (tpl?.spec && component) hardenPod(c, component, tpl.spec);
  }
  return objects;
}

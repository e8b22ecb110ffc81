import type { KubeObject } from '../kube/types.js';

// Every container of the cluster's pods ends with its last log lines in
// status.containerStatuses[].lastState.terminated.message when it wrote no termination message:
// the operator shows that text in the ContainersRunning condition (CrashLoopBackOff), so
// `kubectl describe alluxiocluster` says why a pod crashed without `kubectl logs --previous`.

const POLICY = 'FallbackToLogsOnError';
const WORKLOADS = new Set(['StatefulSet', 'Deployment', 'DaemonSet']);

/** Sets terminationMessagePolicy on each container and init container that does not set one. */
export function withTerminationMessages(objs: KubeObject[]): KubeObject[] {
  for (const o of objs) {
    if (!WORKLOADS.has(o.kind)) continue;
    const pod = o.spec?.template?.spec;
    for (const c of [...(pod?.initContainers ?? []), ...(pod?.containers ?? [])] as Record<string, unknown>[]) {
      c.terminationMessagePolicy ??= POLICY;
    }
  }
  return objs;
}

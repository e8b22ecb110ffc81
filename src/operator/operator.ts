import { hostname } from 'node:os';
import { createLogger } from '../common/logging.js';
import { API_VERSION } from './constants.js';
import { OWNED_KINDS } from './builders/cluster.js';
import { AlluxioClusterReconciler } from './controllers/alluxio-cluster-controller.js';
import { systemClock, type Clock } from './controllers/clock.js';
import { HttpMountClient, type MountClient } from './controllers/coordinator-client.js';
import { LeaderElector } from './controllers/leader-election.js';
import { LicenseReconciler } from './controllers/license-controller.js';
import { Manager, toClusterByLabel, type WatchSpec } from './controllers/manager.js';
import { UnderFileSystemReconciler } from './controllers/under-file-system-controller.js';
import type { KubeApi } from './kube/types.js';

// `alluxio operator`: the three reconcilers under one manager. All watches are declared here.

export interface OperatorOptions {
  api: KubeApi;
  clock?: Clock;
  mounts?: MountClient;
  coordinatorUrl?: (c: { metadata: { name: string; namespace?: string } }) => string;
  /** Watch one namespace only (default: all). */
  namespace?: string;
  resyncMs?: number;
  onFatal?: (err: Error) => void;
}

export function createManager(o: OperatorOptions): Manager {
  const clock = o.clock ?? systemClock;
  const toCluster = toClusterByLabel(API_VERSION);
  const watches: WatchSpec[] = [
    ...OWNED_KINDS.map((k) => ({ ...k, map: toCluster })),
    { apiVersion: 'v1', kind: 'Pod', map: toCluster },
    { apiVersion: 'v1', kind: 'Secret', map: toCluster },
  ];
  return new Manager({
    api: o.api,
    namespace: o.namespace,
    resyncMs: o.resyncMs,
    onFatal: o.onFatal,
    log: createLogger('operator'),
    reconcilers: [
      new AlluxioClusterReconciler({ api: o.api, clock }),
      new UnderFileSystemReconciler({ api: o.api, clock, mounts: o.mounts ?? new HttpMountClient(), coordinatorUrl: o.coordinatorUrl }),
      new LicenseReconciler({ api: o.api, clock }),
    ],
    watches,
  });
}

/** Runs the operator until a fatal error (then exits non-zero so Kubernetes restarts it). */
export async function runOperator(o: OperatorOptions & { leaderElection?: { namespace: string; name?: string } }): Promise<void> {
  const log = createLogger('operator');
  const fatal = (err: Error) => { log.error({ err: err.message }, 'operator stopping'); process.exit(1); };
  const start = async () => {
    const m = createManager({ ...o, onFatal: o.onFatal ?? fatal });
    await m.start();
    log.info({ namespace: o.namespace ?? '(all)' }, 'operator started');
  };
  if (!o.leaderElection) return start();
  const elector = new LeaderElector({ api: o.api, clock: o.clock ?? systemClock, namespace: o.leaderElection.namespace,
    name: o.leaderElection.name ?? 'alluxio-operator-leader', identity: `${hostname()}-${process.pid}`, log });
  log.info('waiting for leadership');
  void elector.run(() => { log.info('became leader'); void start().catch(fatal); }, o.onFatal ?? fatal);
}

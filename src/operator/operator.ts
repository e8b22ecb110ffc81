import { hostname } from 'node:os';
import { createLogger } from '../common/logging.js';
import { API_VERSION, LABELS, MANAGED_BY } from './constants.js';
import { OWNED_KINDS } from './builders/cluster.js';
import { AlluxioClusterReconciler } from './controllers/alluxio-cluster-controller.js';
import { systemClock, type Clock } from './controllers/clock.js';
import { HttpMountClient, type MountClient } from './controllers/coordinator-client.js';
import type { CoordinatorUrlOf } from './controllers/coordinator-target.js';
import { HttpLoadJobClient, type LoadJobClient } from './controllers/job-client.js';
import { OperatorHealth } from './health.js';
import { LeaderElector } from './controllers/leader-election.js';
import { LicenseReconciler } from './controllers/license-controller.js';
import { LoadReconciler } from './controllers/load-controller.js';
import { Manager, toClusterByLabel, type WatchSpec } from './controllers/manager.js';
import { UnderFileSystemReconciler } from './controllers/under-file-system-controller.js';
import type { KubeApi } from './kube/types.js';

// `alluxio operator`: the reconcilers under one manager. All watches are declared here.

export interface OperatorOptions {
  api: KubeApi;
  clock?: Clock;
  mounts?: MountClient;
  jobs?: LoadJobClient;
  coordinatorUrl?: CoordinatorUrlOf;
  /** Watch one namespace only (default: all). */
  namespace?: string;
  resyncMs?: number;
  onFatal?: (err: Error) => void;
  /** The API server's URL, for messages. */
  server?: string;
}

export function createManager(o: OperatorOptions): Manager {
  const clock = o.clock ?? systemClock;
  const toCluster = toClusterByLabel(API_VERSION);
  const watches: WatchSpec[] = [
    ...OWNED_KINDS.map((k) => ({ ...k, map: toCluster })),
    // Only what the operator labels: a cluster-wide Pod or Secret watch is costly and reads every Secret.
    { apiVersion: 'v1', kind: 'Pod', map: toCluster, labelSelector: { [LABELS.managedBy]: MANAGED_BY } },
    { apiVersion: 'v1', kind: 'Secret', map: toCluster, labelSelector: { [LABELS.managedBy]: MANAGED_BY } },
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
      new LoadReconciler({ api: o.api, clock, jobs: o.jobs ?? new HttpLoadJobClient(), coordinatorUrl: o.coordinatorUrl, log: createLogger('operator') }),
    ],
    watches,
  });
}

/**
 * Runs the operator until a fatal error (then exits non-zero so Kubernetes restarts it). The API
 * server is checked first: no kubeconfig or an unreachable server is an error naming the server,
 * not an operator that logs "started" and exits 0.
 */
export async function runOperator(o: OperatorOptions & { leaderElection?: { namespace: string; name?: string }; healthPort?: number }): Promise<{ healthPort?: number; stop: () => void }> {
  const log = createLogger('operator');
  const health = new OperatorHealth();
  const fatal = o.onFatal ?? ((err: Error) => { health.setFailed(err.message); log.error({ err: err.message }, 'operator stopping'); process.exit(1); });
  let version: { gitVersion: string };
  try {
    version = await o.api.serverVersion();
  } catch (err) {
    throw new Error(`cannot reach the Kubernetes API server${o.server ? ` ${o.server}` : ''}: ${(err as Error).message} `
      + '(in a pod: the service account; elsewhere: $KUBECONFIG or ~/.kube/config)');
  }
  log.info({ server: o.server, version: version.gitVersion }, 'connected to the Kubernetes API server');
  const healthPort = o.healthPort !== undefined ? await health.listen(o.healthPort) : undefined;
  if (healthPort !== undefined) log.info({ port: healthPort }, 'health probes on /healthz and /readyz');
  let manager: Manager | undefined;
  const stop = () => { manager?.stop(); health.close(); };
  const start = async () => {
    const m = createManager({ ...o, onFatal: fatal });
    manager = m;
    await m.start();
    health.setReady('reconciling');
    log.info({ namespace: o.namespace ?? '(all)' }, 'operator started');
  };
  if (!o.leaderElection) { await start(); return { healthPort, stop }; }
  const elector = new LeaderElector({ api: o.api, clock: o.clock ?? systemClock, namespace: o.leaderElection.namespace,
    name: o.leaderElection.name ?? 'alluxio-operator-leader', identity: `${hostname()}-${process.pid}`, log });
  // A follower is ready (a standby that would block rollouts otherwise); liveness fails only on a fatal error.
  health.setReady('standby: waiting for leadership');
  log.info('waiting for leadership');
  void elector.run(() => { log.info('became leader'); void start().catch(fatal); }, fatal);
  return { healthPort, stop };
}

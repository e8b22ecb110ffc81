import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import type { AlluxioConfiguration } from '../conf/index.js';
import { createLogger, type Logger } from '../common/logging.js';
import { metrics, startProcessMetrics } from '../common/metrics.js';
import { VERSION } from '../common/version.js';
import type { MembershipManager } from '../membership/membership-manager.js';
import type { MountStore } from '../mount/mount-store.js';
import { httpOrigin } from '../common/protocol/index.js';
import { openMembership, openMountStore, restAuthorizationFromConf, ufsOptionsFromConf } from '../client/from-conf.js';
import { createCoordinatorServer, type CoordinatorRoute } from './coordinator-server.js';
import type { RequestGuard } from '../common/http.js';
import { InvalidConfError } from '../common/errors.js';
import { MountAdmin } from './mount-admin.js';
import { startJobService, type StartedJobs } from './jobs/start-jobs.js';
import { AlluxioError } from '../common/errors.js';
import { ConsoleGate } from '../console/console-gate.js';
import { coordinatorConsole } from './console-views.js';

export interface RunningCoordinator {
  /** The web/REST port actually bound (19999 by default; 0 in the configuration picks a free one). */
  readonly port: number;
  /** `http://<hostname>:<port>`, as clients reach it. */
  readonly url: string;
  readonly membership: MembershipManager;
  readonly mountStore: MountStore;
  close(): Promise<void>;
}

export interface CoordinatorOptions {
  log?: Logger;
  /** Extra REST routes (the job service registers /api/v1/load and /api/v1/free here). */
  routes?: CoordinatorRoute[];
  /**
   * Checks credentials before any handler: the CLI passes worker/rest-auth.ts coordinatorRestGuard
   * (the check lives beside the S3 signature code). Required when authentication is configured.
   */
  guard?: RequestGuard | null;
  /**
   * Checks credentials before the web console's views (worker/rest-auth.ts consoleGuard: reads need
   * them too). With authentication configured and no console guard, the views refuse every request.
   */
  consoleGuard?: RequestGuard | null;
  /**
   * Authenticates the job tasks this coordinator sends to workers: the CLI passes
   * worker/rest-auth.ts peerRestAuth (the cluster credentials it already has). Without it, the
   * bearer token of alluxio.user.auth.token.file, if any.
   */
  workerAuth?: (method: string, url: URL) => Record<string, string>;
}

/**
 * Starts the coordinator (`alluxio process start coordinator`). It keeps no state of its own:
 * workers come from membership, mounts from the mount store (etcd in a cluster), and figures
 * from the workers themselves, so any number of coordinators can run and any can be restarted.
 */
export async function startCoordinator(conf: AlluxioConfiguration, opts: CoordinatorOptions = {}): Promise<RunningCoordinator> {
  const log = opts.log ?? createLogger('coordinator');
  startProcessMetrics('coordinator');
  metrics.versionInfo.set({ version: VERSION, component: 'coordinator' }, 1);
  const clusterName = conf.getString('alluxio.cluster.name');
  const workerAuthorization = restAuthorizationFromConf(conf);
  // Never run open by omission: with authentication configured, a caller must hand over the guard.
  if (conf.getBool('alluxio.worker.s3.auth.enabled') && !opts.guard) {
    throw new InvalidConfError('alluxio.worker.s3.auth.enabled=true but the coordinator was started without a credentials check: start it with `alluxio process start coordinator`');
  }
  const membership = await openMembership(conf, { log });
  let mountStore: MountStore;
  try {
    mountStore = await openMountStore(conf);
  } catch (err) {
    await membership.close();
    throw err;
  }
  const host = conf.getString('alluxio.coordinator.hostname');
  const bind = conf.getString('alluxio.coordinator.bind.host');
  const mounts = new MountAdmin(mountStore, ufsOptionsFromConf(conf), conf.getDuration('alluxio.mount.check.timeout'));
  const startedAt = Date.now();
  let port = 0;
  let jobs: StartedJobs | undefined;
  try {
    jobs = membership.type === 'ETCD' ? await startJobService(conf, membership, log, opts.workerAuth ?? (workerAuthorization !== undefined ? () => ({ authorization: workerAuthorization }) : undefined)) : undefined;
  } catch (err) {
    await Promise.allSettled([membership.close(), mountStore.close()]);
    throw err;
  }
  const workerTimeoutMs = Math.min(conf.getDuration('alluxio.user.network.connect.timeout'), 5000);
  const authOn = conf.getBool('alluxio.worker.s3.auth.enabled');
  const consoleGate = new ConsoleGate(coordinatorConsole({
    conf, membership, mounts, jobs: jobs?.service, workerTimeoutMs,
    guard: opts.consoleGuard ?? (authOn ? refuseAll : null),
  }));
  const server = createCoordinatorServer({
    membership, mounts, clusterName,
    workerTimeoutMs,
    console: consoleGate,
    routes: [...(opts.routes ?? []), ...(jobs?.service.routes() ?? [])],
    guard: opts.guard ?? null,
    ...(workerAuthorization !== undefined ? { workerAuthorization } : {}),
    info: () => ({
      component: 'coordinator', version: VERSION, clusterName, startedAt: new Date(startedAt).toISOString(),
      uptimeMs: Date.now() - startedAt, membership: membership.type, mountTable: mountStore.source, webPort: port,
    }),
  });
  server.listen(conf.getInt('alluxio.coordinator.web.port'), bind);
  try {
    await Promise.race([once(server, 'listening'), once(server, 'error').then(([e]) => { throw e; })]);
  } catch (err) {
    await jobs?.close().catch(() => {});
    await Promise.allSettled([membership.close(), mountStore.close()]);
    throw err;
  }
  port = (server.address() as AddressInfo).port;
  const url = httpOrigin(host, port);
  log.info({ port, bind, cluster: clusterName, membership: membership.type, mountTable: mountStore.source, auth: opts.guard ? 'mutations need credentials' : 'open' }, 'coordinator started');

  let closed = false;
  return {
    port, url, membership, mountStore,
    async close() {
      if (closed) return;
      closed = true;
      consoleGate.close();
      server.closeAllConnections?.();
      await new Promise((r) => server.close(() => r(undefined)));
      await jobs?.close().catch(() => {});
      await Promise.allSettled([membership.close(), mountStore.close()]);
      log.info('coordinator stopped');
    },
  };
}

/** The console's guard when authentication is on but no check was handed over: closed, not open. */
function refuseAll(): AlluxioError {
  return new AlluxioError('ALX_ERR_UNAUTHENTICATED', 'the web console needs credentials and this coordinator was started without a credentials check: start it with `alluxio process start coordinator`');
}

import { AlluxioError } from '../common/errors.js';
import { httpCall } from '../common/protocol/http-json.js';
import { COORDINATOR_REST } from '../common/protocol/routes.js';
import { buildUrl, httpOrigin } from '../common/protocol/url.js';
import type { AlluxioConfiguration } from '../conf/index.js';
import type { WorkerIdentity, WorkerInfo, WorkerNetAddress } from '../hashring/worker-info.js';
import type { MembershipManager, WorkerState, WorkerStatus } from '../membership/membership-manager.js';
import type { MountPoint } from '../mount/mount-point.js';
import type { MountStore } from '../mount/mount-store.js';

/** How long a one-shot command waits for the coordinator before it reads etcd instead. */
const SNAPSHOT_TIMEOUT_MS = 1500;

interface WorkerRow { identity: WorkerIdentity; netAddress: WorkerNetAddress; status: WorkerStatus; capacityBytes: number | null }

function readOnly(what: string): never {
  throw new AlluxioError('ALX_ERR_INTERNAL', `${what}: this command reads the cluster through the coordinator, read-only`);
}

/**
 * The worker list and the mount table of an etcd cluster, read once from the coordinator's REST
 * API (httpCall, node:http) instead of through etcd's gRPC client, whose import alone costs a one-shot
 * command about 0.4 CPU s. Undefined, so the caller reads etcd as before, when the coordinator does
 * not answer at once, belongs to another cluster (alluxio.cluster.name), or lists a mount with
 * credentials (redacted in its answer, and the client's UFS fallback needs them).
 */
export async function coordinatorSnapshot(conf: AlluxioConfiguration, authorization?: string): Promise<{ membership: MembershipManager; mounts: MountStore } | undefined> {
  const origin = httpOrigin(conf.getString('alluxio.coordinator.hostname'), conf.getInt('alluxio.coordinator.web.port'));
  const get = async <T>(route: string): Promise<T> => {
    const res = await httpCall(buildUrl(origin, route), { timeoutMs: SNAPSHOT_TIMEOUT_MS, headers: authorization ? { authorization } : {} });
    if (res.status >= 300 || res.json === undefined) throw new Error(`${route}: ${res.status}`);
    return res.json as T;
  };
  let info: { clusterName?: string };
  let rows: WorkerRow[];
  let views: Array<{ path: string; ufs: string; options: Record<string, string> }>;
  try {
    [info, rows, views] = await Promise.all([get<{ clusterName?: string }>(COORDINATOR_REST.info), get<WorkerRow[]>(COORDINATOR_REST.workers), get<typeof views>(COORDINATOR_REST.mount)]);
  } catch {
    return undefined;
  }
  if (info.clusterName !== conf.getString('alluxio.cluster.name')) return undefined;
  if (views.some((m) => Object.values(m.options ?? {}).some((v) => v === '***'))) return undefined;
  const states: WorkerState[] = rows.map((r) => ({
    status: r.status,
    worker: { identity: r.identity, address: r.netAddress, ...(r.capacityBytes !== null ? { capacityBytes: r.capacityBytes } : {}) } satisfies WorkerInfo,
  }));
  const table: MountPoint[] = views.map((m) => ({ path: m.path, ufsUri: m.ufs, options: m.options ?? {} }));
  const membership: MembershipManager = {
    type: 'ETCD',
    join: async () => readOnly('join'),
    leave: async () => readOnly('leave'),
    liveWorkers: async () => states.filter((s) => s.status === 'ONLINE').map((s) => s.worker),
    allWorkers: async () => states,
    onChange: () => () => {},
    close: async () => {},
  };
  const mounts: MountStore = {
    source: 'ETCD',
    list: async () => table,
    add: async () => readOnly('mount add'),
    remove: async () => readOnly('mount remove'),
    watch: () => () => {},
    close: async () => {},
  };
  return { membership, mounts };
}

import { buildUrl, httpOrigin, WEB_ROUTES, WORKER_REST, WorkerRestClient, type CacheStatsJson, type HttpTransportFactory, type TransportResponse } from '../common/protocol/index.js';
import { workerName, type WorkerInfo } from '../hashring/worker-info.js';
import type { MembershipManager, WorkerStatus } from '../membership/membership-manager.js';
import { sumSamples } from './prometheus-text.js';

/** One worker as the coordinator and `alluxio info` report it. */
export interface WorkerReport {
  workerId: string;
  address: string;
  status: WorkerStatus;
  /** False when the worker is in membership but did not answer (stats are then null). */
  reachable: boolean;
  capacityBytes: number | null;
  usedBytes: number | null;
  pages: number | null;
  files: number | null;
  cachedReadBytes: number | null;
  missedReadBytes: number | null;
  ufsReadBytes: number | null;
  /** cached / (cached + missed), null before any read. */
  hitRate: number | null;
}

export interface ClusterReport {
  clusterName: string;
  membership: 'STATIC' | 'ETCD';
  liveWorkers: number;
  lostWorkers: number;
  capacityBytes: number;
  usedBytes: number;
  cachedReadBytes: number;
  missedReadBytes: number;
  ufsReadBytes: number;
  hitRate: number | null;
  workers: WorkerReport[];
}

/** Metric names read from each worker's /metrics (DESIGN.md §10). */
const M = {
  cached: 'alluxio_cached_data_read_bytes_total',
  missed: 'alluxio_missed_data_read_bytes_total',
  ufs: 'alluxio_ufs_data_access_bytes_total',
};

export function workerAddress(w: WorkerInfo): string {
  return `${w.address.Host}:${w.address.HttpServerPort}`;
}

export function hitRate(cached: number, missed: number): number | null {
  return cached + missed > 0 ? cached / (cached + missed) : null;
}

async function textOf(what: string, res: TransportResponse): Promise<string> {
  const text = await res.body.text();
  if (res.statusCode >= 400) throw new Error(`${what} answered ${res.statusCode}`);
  return text;
}

/**
 * Asks one worker for its cache figures (REST /v1/cache) and read counters (web /metrics).
 * `http` sends its authorization with the REST call only, for workers whose reads need
 * credentials (docs/security.md); /metrics is open.
 */
export async function workerReport(http: WorkerRestClient, w: WorkerInfo, status: WorkerStatus, timeoutMs = 3000): Promise<WorkerReport> {
  const base: WorkerReport = {
    workerId: workerName(w.identity), address: workerAddress(w), status, reachable: false,
    capacityBytes: w.capacityBytes ?? null, usedBytes: null, pages: null, files: null,
    cachedReadBytes: null, missedReadBytes: null, ufsReadBytes: null, hitRate: null,
  };
  if (status === 'OFFLINE') return base;
  try {
    const [cacheText, metricsText] = await Promise.all([
      http.send(w, 'GET', WORKER_REST.cache, { signal: AbortSignal.timeout(timeoutMs) }).then((res) => textOf(WORKER_REST.cache, res)),
      w.address.WebPort > 0
        ? http.transport.request(buildUrl(httpOrigin(w.address.Host, w.address.WebPort), WEB_ROUTES.metrics), { method: 'GET', signal: AbortSignal.timeout(timeoutMs) })
          .then((res) => textOf(WEB_ROUTES.metrics, res)).catch(() => '')
        : Promise.resolve(''),
    ]);
    const cache = JSON.parse(cacheText) as Partial<CacheStatsJson>;
    const m = sumSamples(metricsText);
    const cached = m.get(M.cached) ?? 0;
    const missed = m.get(M.missed) ?? 0;
    return {
      ...base, reachable: true,
      capacityBytes: cache.capacityBytes ?? base.capacityBytes, usedBytes: cache.usedBytes ?? null,
      pages: cache.pages ?? null, files: cache.files ?? null,
      cachedReadBytes: metricsText ? cached : null, missedReadBytes: metricsText ? missed : null,
      ufsReadBytes: metricsText ? (m.get(M.ufs) ?? 0) : null, hitRate: metricsText ? hitRate(cached, missed) : null,
    };
  } catch {
    return base;
  }
}

/**
 * Every known worker with its figures, and the cluster totals over the reachable ones. `transport`:
 * how to call the workers (WorkerRestClientOptions.transport; a CLI command passes nodeHttpTransport).
 */
export async function clusterReport(membership: MembershipManager, clusterName: string, timeoutMs = 3000, authorization?: string, transport?: HttpTransportFactory): Promise<ClusterReport> {
  const all = await membership.allWorkers();
  const http = new WorkerRestClient({ timeouts: { headersMs: timeoutMs, bodyMs: timeoutMs }, ...(authorization !== undefined ? { authorization } : {}), ...(transport !== undefined ? { transport } : {}) });
  let workers: WorkerReport[];
  try {
    workers = await Promise.all(all.map((s) => workerReport(http, s.worker, s.status, timeoutMs)));
  } finally {
    await http.close();
  }
  const sum = (f: (w: WorkerReport) => number | null) => workers.reduce((n, w) => n + (f(w) ?? 0), 0);
  const cachedReadBytes = sum((w) => w.cachedReadBytes);
  const missedReadBytes = sum((w) => w.missedReadBytes);
  return {
    clusterName,
    membership: membership.type,
    liveWorkers: workers.filter((w) => w.status === 'ONLINE').length,
    lostWorkers: workers.filter((w) => w.status === 'OFFLINE').length,
    capacityBytes: sum((w) => (w.status === 'ONLINE' ? w.capacityBytes : 0)),
    usedBytes: sum((w) => w.usedBytes),
    cachedReadBytes,
    missedReadBytes,
    ufsReadBytes: sum((w) => w.ufsReadBytes),
    hitRate: hitRate(cachedReadBytes, missedReadBytes),
    workers,
  };
}

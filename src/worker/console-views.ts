// What a worker's web console shows (console/console-server.ts serves it on the worker's web
// port): this worker's cache and read counters, the cluster as this worker sees it (its ring),
// and its configuration with provenance. The coordinator's console has the whole cluster.
import type { AlluxioConfiguration } from '../conf/index.js';
import type { RequestGuard } from '../common/http.js';
import { metrics } from '../common/metrics.js';
import { VERSION } from '../common/version.js';
import type { ConsoleSetup } from '../console/console-server.js';
import { identityKey, workerName, type WorkerInfo } from '../hashring/worker-info.js';
import type { PageStoreStats } from '../pagestore/page-store.js';

export interface WorkerConsoleDeps {
  conf: AlluxioConfiguration;
  self: () => WorkerInfo;
  stats: () => PageStoreStats;
  live: () => readonly WorkerInfo[];
  guard: RequestGuard | null;
}

/** The sum of a counter over its label sets, read from this process's registry. */
async function total(c: { get(): Promise<{ values: { value: number }[] }> }): Promise<number> {
  return (await c.get()).values.reduce((n, v) => n + v.value, 0);
}

async function counters(): Promise<Record<string, number>> {
  const [cachedRead, missedRead, ufsRead] = await Promise.all([
    total(metrics.cachedDataReadBytes), total(metrics.missedDataReadBytes), total(metrics.ufsDataAccessBytes),
  ]);
  return { cachedRead, missedRead, ufsRead };
}

export function workerConsole(d: WorkerConsoleDeps): ConsoleSetup {
  const address = (w: WorkerInfo) => `${w.address.Host}:${w.address.HttpServerPort}`;
  return {
    kind: 'worker',
    title: () => workerName(d.self().identity),
    guard: d.guard,
    counters,
    views: {
      overview: async () => {
        const self = d.self();
        const c = await counters();
        const s = d.stats();
        const key = identityKey(self.identity);
        const live = d.live();
        return {
          component: 'worker', version: VERSION,
          worker: {
            workerId: workerName(self.identity), address: address(self), inRing: live.some((w) => identityKey(w.identity) === key),
            capacityBytes: s.capacityBytes, usedBytes: s.usedBytes, pages: s.pages, files: s.files, evictedBytes: s.evictedBytes,
            cachedReadBytes: c.cachedRead, missedReadBytes: c.missedRead, ufsReadBytes: c.ufsRead,
            hitRate: c.cachedRead + c.missedRead > 0 ? c.cachedRead / (c.cachedRead + c.missedRead) : null,
          },
          ring: live.map((w) => ({ workerId: workerName(w.identity), address: address(w) })),
        };
      },
      conf: async () => ({ entries: d.conf.entries().map((e) => ({ name: e.name, value: e.displayValue ?? null, source: e.source })) }),
    },
  };
}

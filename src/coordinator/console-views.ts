// What the coordinator's web console shows (console/console-server.ts serves it): the cluster
// report `alluxio info report` prints, mounts (credentials redacted), the ring with each worker's
// share and what `alluxio ring plan` would move, jobs, and the configuration with provenance.
import type { AlluxioConfiguration } from '../conf/index.js';
import { VERSION } from '../common/version.js';
import type { ConsoleSetup } from '../console/console-server.js';
import type { RequestGuard } from '../common/http.js';
import { policyOptionsFromConf, restAuthorizationFromConf } from '../client/from-conf.js';
import { createSelectionPolicy, parseSelectionPolicyName } from '../hashring/worker-selection-policy.js';
import { workerName } from '../hashring/worker-info.js';
import type { MembershipManager } from '../membership/membership-manager.js';
import { clusterReport } from './cluster-stats.js';
import type { JobService } from './jobs/job-service.js';
import type { MountAdmin } from './mount-admin.js';
import { ownedShare, planRingChange, readCacheIndex } from './ring-planner.js';
import { TtlCache } from '../common/ttl-cache.js';

export interface CoordinatorConsoleDeps {
  conf: AlluxioConfiguration;
  membership: MembershipManager;
  mounts: MountAdmin;
  jobs: JobService | undefined;
  workerTimeoutMs: number;
  guard: RequestGuard | null;
}

/**
 * The ring view reads every worker's cache index and plans a ring change per worker: one result is
 * shared by every browser for this long, and concurrent asks share one computation.
 */
const RING_VIEW_TTL_MS = 10_000;

/** Keys whose owners estimate each worker's share of the key space (the ring's balance). */
const PROBE_KEYS = Array.from({ length: 4096 }, (_, i) => `alluxio-console-probe-${i}`);

export function coordinatorConsole(d: CoordinatorConsoleDeps): ConsoleSetup {
  const clusterName = d.conf.getString('alluxio.cluster.name');
  const authorization = restAuthorizationFromConf(d.conf);
  const report = () => clusterReport(d.membership, clusterName, d.workerTimeoutMs, authorization);
  const lastKnown = new Map<string, { cached: number; missed: number; ufs: number }>();
  const ringCache = new TtlCache<'ring', Promise<unknown>>(1, RING_VIEW_TTL_MS);
  const ring = () => {
    let p = ringCache.get('ring');
    if (p === undefined) {
      p = ringView(d);
      ringCache.set('ring', p);
      p.catch(() => ringCache.delete('ring'));
    }
    return p;
  };
  return {
    kind: 'coordinator',
    title: () => clusterName,
    guard: d.guard,
    counters: async () => {
      const r = await report();
      // A worker that misses one reading (slow to answer) keeps its last counters, so the cluster
      // totals never dip and come back as a spike; a worker gone from membership drops out.
      const seen = new Set<string>();
      for (const w of r.workers) {
        seen.add(w.workerId);
        if (w.reachable && w.cachedReadBytes !== null) {
          lastKnown.set(w.workerId, { cached: w.cachedReadBytes, missed: w.missedReadBytes ?? 0, ufs: w.ufsReadBytes ?? 0 });
        }
      }
      for (const id of lastKnown.keys()) if (!seen.has(id)) lastKnown.delete(id);
      const out: Record<string, number> = { cachedRead: 0, missedRead: 0, ufsRead: 0 };
      for (const [id, c] of lastKnown) {
        out.cachedRead! += c.cached;
        out.missedRead! += c.missed;
        out.ufsRead! += c.ufs;
        out[`${id}:read`] = c.cached + c.missed;
        out[`${id}:ufs`] = c.ufs;
      }
      return out;
    },
    views: {
      overview: async () => {
        const [r, mounts] = await Promise.all([report(), d.mounts.list()]);
        return { component: 'coordinator', version: VERSION, report: r, mounts };
      },
      ring,
      jobs: async () => ({ available: d.jobs !== undefined, jobs: d.jobs ? await d.jobs.list() : [] }),
      conf: async () => ({ entries: d.conf.entries().map((e) => ({ name: e.name, value: e.displayValue ?? null, source: e.source })) }),
    },
  };
}

async function ringView(d: CoordinatorConsoleDeps): Promise<unknown> {
  const policyName = d.conf.getString('alluxio.user.worker.selection.policy');
  const options = policyOptionsFromConf(d.conf);
  const live = await d.membership.liveWorkers();
  if (live.length === 0) return { policy: policyName, workers: [], cachedBytes: 0, cachedFiles: 0, addOne: null, unreachable: [] };
  const policy = createSelectionPolicy(parseSelectionPolicyName(policyName), live, options);
  const probes = new Map(PROBE_KEYS.map((k) => [k, 1]));
  const index = await readCacheIndex(live, d.workerTimeoutMs, restAuthorizationFromConf(d.conf));
  const cachedBytes = [...index.bytes.values()].reduce((a, b) => a + b, 0);
  const workers = live.map((w) => {
    const id = workerName(w.identity);
    // What `alluxio ring plan --remove <worker>` would move (only with another worker left).
    const removal = live.length > 1 ? planRingChange(live, policyName, options, index, { remove: [id] }) : null;
    return {
      workerId: id,
      address: `${w.address.Host}:${w.address.HttpServerPort}`,
      keyShare: ownedShare(policy, w, probes),
      cachedShare: cachedBytes > 0 ? ownedShare(policy, w, index.bytes) : null,
      removeMoves: removal ? { share: removal.share, bytes: removal.movedWeight, files: removal.movedKeys } : null,
    };
  });
  const add = planRingChange(live, policyName, options, index, { add: 1 });
  return {
    policy: policyName, workers, cachedBytes, cachedFiles: index.bytes.size, unreachable: index.unreachable,
    addOne: { share: add.share, bytes: add.movedWeight, files: add.movedKeys, idealShare: add.idealShare },
  };
}

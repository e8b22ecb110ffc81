import type { AlluxioClient } from '../../client/alluxio-client.js';
import type { ClientFileEntry } from '../../common/protocol/index.js';
import { createSelectionPolicy } from '../../hashring/worker-selection-policy.js';
import { workerName, type WorkerInfo } from '../../hashring/worker-info.js';
import { policyOptionsFromConf } from '../../client/from-conf.js';
import type { AlluxioConfiguration } from '../../conf/index.js';

/** At most this many cache-status requests at once (one per file) from a listing command. */
const STATUS_CONCURRENCY = 16;

/** Bytes of a file cached on its owner worker (0 when the owner does not answer). */
export async function cachedBytes(c: AlluxioClient, e: ClientFileEntry): Promise<number> {
  try {
    const [owner] = c.owners(e.path, 1);
    return (await c.fileCacheStatus(owner!, e.path)).cachedBytes;
  } catch {
    return 0;
  }
}

export function percent(part: number, whole: number): number {
  return whole === 0 ? 100 : Math.floor((part / whole) * 100);
}

/** The in-cache percentage of every file of `entries` (by path; directories are left out), a few requests at a time. */
export async function cachePercentages(c: AlluxioClient, entries: ClientFileEntry[]): Promise<Map<string, number>> {
  const files = entries.filter((e) => e.type === 'file');
  const pcts = await Promise.all(limited(files, STATUS_CONCURRENCY, async (e) => percent(Math.min(await cachedBytes(c, e), e.length), e.length)));
  return new Map(files.map((e, i) => [e.path, pcts[i]!]));
}

export interface CheckCachedReport {
  path: string;
  checked: number;
  fullyCached: number;
  partiallyCached: number;
  notCached: number;
  /** Files not fully cached (all of them in JSON, the first ones in text). */
  notFullyCached: Array<{ path: string; length: number; cachedBytes: number; percent: number }>;
  /** True when --limit stopped the check before every file was seen. */
  truncated: boolean;
}

/** `fs check-cached`: whether the files under a path are fully cached on their owner workers. */
export async function checkCached(c: AlluxioClient, path: string, files: ClientFileEntry[], o: { limit: number; sample: number }): Promise<CheckCachedReport> {
  const sampled = files.filter((_, i) => i % o.sample === 0);
  const picked = sampled.slice(0, o.limit);
  const status = await Promise.all(limited(picked, STATUS_CONCURRENCY, async (e) => ({ e, cached: Math.min(await cachedBytes(c, e), e.length) })));
  const r: CheckCachedReport = { path, checked: picked.length, fullyCached: 0, partiallyCached: 0, notCached: 0, notFullyCached: [], truncated: sampled.length > picked.length };
  for (const { e, cached } of status) {
    if (cached >= e.length) r.fullyCached++;
    else {
      if (cached > 0) r.partiallyCached++;
      else r.notCached++;
      r.notFullyCached.push({ path: e.path, length: e.length, cachedBytes: cached, percent: percent(cached, e.length) });
    }
  }
  return r;
}

/** fn over items, at most n running at once. */
function limited<T, R>(items: T[], n: number, fn: (item: T) => Promise<R>): Array<Promise<R>> {
  let active = 0;
  const waiting: Array<() => void> = [];
  const acquire = () => (active < n ? (active++, Promise.resolve()) : new Promise<void>((r) => waiting.push(r)));
  const release = () => { const w = waiting.shift(); if (w) w(); else active--; };
  return items.map(async (item) => {
    await acquire();
    try {
      return await fn(item);
    } finally {
      release();
    }
  });
}

export interface RingOwners {
  ring: 'live' | 'registered';
  workers: number;
  owners: Array<{ rank: number; worker: string; address: string; status: 'ONLINE' | 'OFFLINE' }>;
}

/**
 * `fs consistent-hash`: the workers that own a path, in preference order, on the ring clients use
 * now (the live workers) and on the ring of every registered worker (where the path goes back to
 * when the offline workers return). The key is the path's UFS URI, as for reads.
 */
export async function ringOwners(c: AlluxioClient, conf: AlluxioConfiguration, path: string, count: number): Promise<{ path: string; ufsUri: string; policy: string; rings: RingOwners[] }> {
  const ufsUri = c.ufsUriOf(path);
  const policy = conf.getString('alluxio.user.worker.selection.policy');
  const options = policyOptionsFromConf(conf);
  const all = await c.membership.allWorkers();
  const online = new Set(all.filter((s) => s.status === 'ONLINE').map((s) => workerName(s.worker.identity)));
  const ring = (name: RingOwners['ring'], workers: WorkerInfo[]): RingOwners => {
    const owners = workers.length === 0 ? [] : createSelectionPolicy(policy, workers, options).getMultiple(ufsUri, Math.min(count, workers.length));
    return {
      ring: name, workers: workers.length,
      owners: owners.map((w, i) => ({
        rank: i + 1, worker: workerName(w.identity), address: `${w.address.Host}:${w.address.HttpServerPort}`,
        status: online.has(workerName(w.identity)) || c.ring.liveWorker(w) ? 'ONLINE' : 'OFFLINE',
      })),
    };
  };
  const live = c.ring.liveWorkers;
  return { path, ufsUri, policy, rings: [ring('live', live), ring('registered', all.map((s) => s.worker))] };
}

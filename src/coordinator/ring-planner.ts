// `alluxio ring plan`: what a ring change would cost, from the live ring and the workers' cache
// index (each worker's GET /v1/cache/files). Keys are the cached files' UFS URIs weighted by their
// cached bytes, so the answer is "which share of the cached bytes would change owner".
import { InvalidArgumentError } from '../common/errors.js';
import { WORKER_REST, WorkerRestClient, type CacheIndexEntryJson, type HttpTransportFactory } from '../common/protocol/index.js';
import { identityFromUuid, identityToUuid, randomIdentity } from '../hashring/identity.js';
import { ringPlan, type RingPlan } from '../hashring/ring-plan.js';
import { identityKey, workerName, type WorkerInfo } from '../hashring/worker-info.js';
import {
  createSelectionPolicy, parseSelectionPolicyName, type SelectionPolicyName, type SelectionPolicyOptions,
} from '../hashring/worker-selection-policy.js';
import { workerAddress } from './cluster-stats.js';

export interface RingChange {
  /** Workers to add (hypothetical, with generated identities unless `addUuids` names them). */
  add?: number;
  /** Identities for the added workers, in order (UUIDs). */
  addUuids?: string[];
  /** Workers to take out: `worker-<uuid>`, the uuid, or host:port. */
  remove?: string[];
  policy?: string;
  virtualNodes?: number;
}

export interface CacheIndex {
  /** UFS URI → cached bytes (the largest copy when several workers hold one). */
  bytes: Map<string, number>;
  /** Workers whose index could not be read. */
  unreachable: string[];
}

export interface ClusterRingPlan extends RingPlan {
  policyBefore: SelectionPolicyName;
  policyAfter: SelectionPolicyName;
  workersBefore: number;
  workersAfter: number;
  /** Added workers: start them with these identities to get exactly this plan. */
  newWorkers: Array<{ workerId: string; uuid: string }>;
  removedWorkers: string[];
  /** For an addition: the share an ideally balanced ring would move (added / workers after). */
  idealShare: number | null;
  /** For generated identities: the moved share over the candidates tried, for context. */
  candidateShares: { min: number; max: number } | null;
  unreachable: string[];
}

/**
 * Reads every live worker's cache index (GET /v1/cache/files on its REST port). `transport`: how
 * to call the workers (WorkerRestClientOptions.transport; a CLI command passes nodeHttpTransport).
 */
export async function readCacheIndex(workers: readonly WorkerInfo[], timeoutMs = 5000, authorization?: string, transport?: HttpTransportFactory): Promise<CacheIndex> {
  const bytes = new Map<string, number>();
  const unreachable: string[] = [];
  const http = new WorkerRestClient({ timeouts: { headersMs: timeoutMs, bodyMs: timeoutMs }, ...(authorization !== undefined ? { authorization } : {}), ...(transport !== undefined ? { transport } : {}) });
  try {
    await Promise.all(workers.map(async (w) => {
      try {
        const res = await http.send(w, 'GET', WORKER_REST.cacheFiles);
        if (res.statusCode !== 200) {
          await res.body.dump();
          throw new Error(`status ${res.statusCode}`);
        }
        for (const f of (await res.body.json()) as CacheIndexEntryJson[]) {
          if (typeof f.ufsUri === 'string' && Number.isFinite(f.bytes)) bytes.set(f.ufsUri, Math.max(bytes.get(f.ufsUri) ?? 0, f.bytes));
        }
      } catch {
        unreachable.push(workerName(w.identity));
      }
    }));
  } finally {
    await http.close();
  }
  return { bytes, unreachable: unreachable.sort() };
}

const CANDIDATES = 16;

/**
 * The plan for `change` applied to the live ring. Generated identities for added workers are
 * picked, among a few random candidates, so that the new worker's share is closest to an even
 * one; the plan reports them so the operator can start the workers with exactly those.
 */
export function planRingChange(live: readonly WorkerInfo[], policyName: string, options: SelectionPolicyOptions,
  index: CacheIndex, change: RingChange): ClusterRingPlan {
  const before = parseSelectionPolicyName(policyName);
  const after = change.policy ? parseSelectionPolicyName(change.policy) : before;
  const add = change.add ?? 0;
  if (!Number.isInteger(add) || add < 0 || add > 1000) throw new InvalidArgumentError(`--add must be an integer from 0 to 1000, got ${change.add}`);
  const uuids = change.addUuids ?? [];
  if (uuids.length > add) throw new InvalidArgumentError(`${uuids.length} identities given for ${add} added worker(s): use --add ${uuids.length}`);
  const newOptions: SelectionPolicyOptions = { ...options };
  if (change.virtualNodes !== undefined) newOptions.virtualNodes = change.virtualNodes;

  const removed = (change.remove ?? []).map((r) => findWorker(live, r));
  const removedKeys = new Set(removed.map((w) => identityKey(w.identity)));
  const kept = live.filter((w) => !removedKeys.has(identityKey(w.identity)));
  const capacities = live.map((w) => w.capacityBytes).filter((c): c is number => c !== undefined);
  const capacity = capacities.length ? Math.round(capacities.reduce((a, b) => a + b, 0) / capacities.length) : undefined;

  const oldPolicy = createSelectionPolicy(before, live, options);
  let next = [...kept];
  let candidateShares: { min: number; max: number } | null = null;
  const newWorkers: WorkerInfo[] = [];
  for (let i = 0; i < add; i++) {
    const given = uuids[i];
    if (given !== undefined) {
      const w = hypotheticalWorker(identityFromUuid(given), i, capacity);
      if (live.some((x) => identityKey(x.identity) === identityKey(w.identity))) throw new InvalidArgumentError(`worker ${workerName(w.identity)} is already in the ring`);
      newWorkers.push(w);
      next = [...next, w];
      continue;
    }
    // Pick the candidate whose own share of the cached bytes is closest to an even share.
    const even = 1 / (next.length + 1);
    let best: { w: WorkerInfo; score: number } | undefined;
    const shares: number[] = [];
    for (let c = 0; c < CANDIDATES; c++) {
      const w = hypotheticalWorker(randomIdentity(), i, capacity);
      const share = ownedShare(createSelectionPolicy(after, [...next, w], newOptions), w, index.bytes);
      shares.push(share);
      const score = Math.abs(share - even);
      if (!best || score < best.score) best = { w, score };
    }
    if (i === 0 && index.bytes.size > 0) candidateShares = { min: Math.min(...shares), max: Math.max(...shares) };
    newWorkers.push(best!.w);
    next = [...next, best!.w];
  }
  if (next.length === 0) throw new InvalidArgumentError('the change leaves no worker in the ring');
  const newPolicy = createSelectionPolicy(after, next, newOptions);
  const plan = ringPlan(oldPolicy, newPolicy, index.bytes);
  return {
    ...plan,
    policyBefore: before,
    policyAfter: after,
    workersBefore: live.length,
    workersAfter: next.length,
    newWorkers: newWorkers.map((w) => ({ workerId: workerName(w.identity), uuid: identityToUuid(w.identity) })),
    removedWorkers: removed.map((w) => workerName(w.identity)),
    idealShare: add > 0 && removed.length === 0 && after === before ? add / next.length : null,
    candidateShares,
    unreachable: index.unreachable,
  };
}

/** Share of the weighted keys whose primary owner under `policy` is `w`. */
export function ownedShare(policy: { getMultiple(k: string, n: number): WorkerInfo[] }, w: WorkerInfo, bytes: ReadonlyMap<string, number>): number {
  const k = identityKey(w.identity);
  let total = 0;
  let owned = 0;
  for (const [key, b] of bytes) {
    total += b;
    const o = policy.getMultiple(key, 1)[0];
    if (o && identityKey(o.identity) === k) owned += b;
  }
  return total > 0 ? owned / total : 0;
}

function hypotheticalWorker(identity: WorkerInfo['identity'], i: number, capacityBytes: number | undefined): WorkerInfo {
  const w: WorkerInfo = {
    identity,
    address: {
      Host: `new-worker-${i + 1}`, ContainerHost: '', RpcPort: 0, DataPort: 0, SecureRpcPort: 0, NettyDataPort: 0,
      WebPort: 0, DomainSocketPath: '', HttpServerPort: 0,
    },
  };
  if (capacityBytes !== undefined) w.capacityBytes = capacityBytes;
  return w;
}

function findWorker(live: readonly WorkerInfo[], ref: string): WorkerInfo {
  const r = ref.trim();
  const found = live.find((w) => {
    const name = workerName(w.identity);
    return name === r || name === `worker-${r.toLowerCase()}` || workerAddress(w) === r;
  });
  if (!found) {
    throw new InvalidArgumentError(`--remove ${ref}: no live worker by that id or address; live workers: ${live.map((w) => `${workerName(w.identity)} (${workerAddress(w)})`).join(', ') || 'none'}`);
  }
  return found;
}

import { microTime } from '../kube/time.js';
import { isConflict, type KubeApi, type KubeObject } from '../kube/types.js';
import type { Clock } from './clock.js';

// Leader election over a coordination.k8s.io/v1 Lease, as client-go does: acquire when free or
// expired, renew before it expires, with optimistic concurrency (resourceVersion) deciding races.
// Losing the lease is fatal: the process exits and Kubernetes restarts it as a follower. So is
// an API error that keeps coming back (a 400, a 403): it is logged each time and, after
// maxFailures in a row, ends run() through onLost with the server's message, instead of a pod
// that shows Running and never reconciles.

export interface LeaderElectionOptions {
  api: KubeApi;
  clock: Clock;
  namespace: string;
  name: string;
  identity: string;
  leaseDurationSec?: number;
  /** Consecutive API errors (not lost races) before run() gives up; default 5. */
  maxFailures?: number;
  log?: { warn: (o: object, m?: string) => void };
}

export class LeaderElector {
  constructor(private readonly o: LeaderElectionOptions) {}

  private get duration(): number { return this.o.leaseDurationSec ?? 15; }

  /** One attempt to acquire or renew; true when we hold the lease afterwards. */
  async tryAcquireOrRenew(): Promise<boolean> {
    const { api, clock, namespace, name, identity } = this.o;
    const ref = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', namespace, name };
    const now = clock.now();
    const spec = { holderIdentity: identity, leaseDurationSeconds: this.duration, renewTime: microTime(now) };
    const cur = await api.get(ref);
    try {
      if (!cur) {
        // Only the Lease's own fields (namespace and name live in metadata, nowhere else).
        await api.create({ apiVersion: ref.apiVersion, kind: ref.kind, metadata: { name, namespace },
          spec: { ...spec, acquireTime: microTime(now), leaseTransitions: 0 } } as KubeObject);
        return true;
      }
      const s = cur.spec ?? {};
      const renew = s.renewTime ? Date.parse(s.renewTime) : 0;
      const expired = renew + (s.leaseDurationSeconds ?? this.duration) * 1000 < now.getTime();
      if (s.holderIdentity !== identity && !expired) return false;
      const takeover = s.holderIdentity !== identity;
      await api.update({ ...cur, spec: { ...s, ...spec,
        acquireTime: takeover ? microTime(now) : s.acquireTime,
        leaseTransitions: (s.leaseTransitions ?? 0) + (takeover ? 1 : 0) } });
      return true;
    } catch (err) {
      if (isConflict(err)) return false;
      throw err;
    }
  }

  /** Blocks until leader, then renews every third of the lease; onLost when a renewal fails or the API keeps failing. */
  async run(onLeading: () => void, onLost: (err: Error) => void, sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))): Promise<void> {
    const retry = (this.duration * 1000) / 3;
    const max = this.o.maxFailures ?? 5;
    let failures = 0;
    const attempt = async (): Promise<boolean | Error> => {
      try {
        const ok = await this.tryAcquireOrRenew();
        failures = 0;
        return ok;
      } catch (err) {
        failures++;
        this.o.log?.warn({ lease: `${this.o.namespace}/${this.o.name}`, failures, err: (err as Error).message }, 'leader election: API call failed');
        return failures >= max ? new Error(`leader election on Lease ${this.o.namespace}/${this.o.name} failed ${failures} times: ${(err as Error).message}`) : false;
      }
    };
    for (;;) {
      const r = await attempt();
      if (r instanceof Error) return onLost(r);
      if (r) break;
      await sleep(retry);
    }
    onLeading();
    let lastRenew = this.o.clock.now().getTime();
    for (;;) {
      await sleep(retry);
      const r = await attempt();
      if (r instanceof Error) return onLost(r);
      const now = this.o.clock.now().getTime();
      if (r) { lastRenew = now; continue; }
      if (now - lastRenew >= this.duration * 1000 * 2 / 3) return onLost(new Error(`lost leader lease ${this.o.namespace}/${this.o.name}`));
    }
  }
}

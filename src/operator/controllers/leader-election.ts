import { isConflict, type KubeApi, type KubeObject } from '../kube/types.js';
import type { Clock } from './clock.js';

// Leader election over a coordination.k8s.io/v1 Lease, as client-go does: acquire when free or
// expired, renew before it expires, with optimistic concurrency (resourceVersion) deciding races.
// Losing the lease is fatal: the process exits and Kubernetes restarts it as a follower.

export interface LeaderElectionOptions {
  api: KubeApi;
  clock: Clock;
  namespace: string;
  name: string;
  identity: string;
  leaseDurationSec?: number;
}

export class LeaderElector {
  constructor(private readonly o: LeaderElectionOptions) {}

  private get duration(): number { return this.o.leaseDurationSec ?? 15; }

  /** One attempt to acquire or renew; true when we hold the lease afterwards. */
  async tryAcquireOrRenew(): Promise<boolean> {
    const { api, clock, namespace, name, identity } = this.o;
    const ref = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', namespace, name };
    const now = clock.now();
    const spec = { holderIdentity: identity, leaseDurationSeconds: this.duration, renewTime: now.toISOString() };
    const cur = await api.get(ref);
    try {
      if (!cur) {
        await api.create({ ...ref, metadata: { name, namespace }, spec: { ...spec, acquireTime: now.toISOString(), leaseTransitions: 0 } } as KubeObject);
        return true;
      }
      const s = cur.spec ?? {};
      const renew = s.renewTime ? Date.parse(s.renewTime) : 0;
      const expired = renew + (s.leaseDurationSeconds ?? this.duration) * 1000 < now.getTime();
      if (s.holderIdentity !== identity && !expired) return false;
      const takeover = s.holderIdentity !== identity;
      await api.update({ ...cur, spec: { ...s, ...spec,
        acquireTime: takeover ? now.toISOString() : s.acquireTime,
        leaseTransitions: (s.leaseTransitions ?? 0) + (takeover ? 1 : 0) } });
      return true;
    } catch (err) {
      if (isConflict(err)) return false;
      throw err;
    }
  }

  /** Blocks until leader, then renews every third of the lease; onLost when a renewal fails. */
  async run(onLeading: () => void, onLost: (err: Error) => void, sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))): Promise<void> {
    const retry = (this.duration * 1000) / 3;
    while (!(await this.tryAcquireOrRenew().catch(() => false))) await sleep(retry);
    onLeading();
    let lastRenew = this.o.clock.now().getTime();
    for (;;) {
      await sleep(retry);
      const ok = await this.tryAcquireOrRenew().catch(() => false);
      const now = this.o.clock.now().getTime();
      if (ok) { lastRenew = now; continue; }
      if (now - lastRenew >= this.duration * 1000 * 2 / 3) return onLost(new Error(`lost leader lease ${this.o.namespace}/${this.o.name}`));
    }
  }
}

import { setTimeout as sleep } from 'node:timers/promises';
import { Etcd3, type Lease } from 'etcd3';
import { AlluxioError, InvalidArgumentError } from '../common/errors.js';
import { createLogger, type Logger } from '../common/logging.js';
import { sameWorker, workerName, type WorkerInfo } from '../hashring/worker-info.js';
import { createEtcdClient, describeEtcd, type EtcdClientOptions } from './etcd-client.js';
import { EtcdUnavailableError, causeText } from './etcd-errors.js';
import { EtcdPrefixWatch } from '../common/etcd-prefix-watch.js';
import {
  DEFAULT_CLUSTER_NAME, decodeWorkerEntity, encodeWorkerEntity, ringPrefix, serviceDiscoveryPrefix,
  validateClusterName, validateWorkerInfo,
} from './etcd-worker-entity.js';
import type { MembershipManager, WorkerState } from './membership-manager.js';

export interface EtcdMembershipOptions {
  /** A client to share (not closed by close()), or options to create one this manager owns. */
  etcd: Etcd3 | EtcdClientOptions;
  /** `alluxio.cluster.name`. */
  clusterName?: string;
  /** `alluxio.worker.failure.detection.timeout` in ms: the lease TTL, rounded up to whole seconds. Default 30s. */
  failureDetectionTimeoutMs?: number;
  /** Revoke the lease on close() so the worker leaves the live list at once. Default true. */
  revokeOnClose?: boolean;
  /** Re-registration backoff after a lost lease. Defaults 200ms doubling up to 3s. */
  retryMinMs?: number;
  retryMaxMs?: number;
  logger?: Logger;
}

type Listener = (live: WorkerInfo[]) => void;

/**
 * ETCD membership, Alluxio's layout (DESIGN.md §6): each worker writes a permanent entry under
 * /DHT/<cluster>/AUTHORIZED/ and a leased one under /ServiceDiscovery/<cluster>/, kept alive.
 * Live = the ServiceDiscovery children. A lost lease (etcd down longer than the TTL, or expired)
 * starts a retry loop that re-registers with a new lease once etcd answers again. Readers watch
 * the ServiceDiscovery prefix and keep the last known list while etcd is unreachable.
 */
export class EtcdMembershipManager implements MembershipManager {
  readonly type = 'ETCD' as const;
  readonly clusterName: string;
  /** The lease TTL in seconds. */
  readonly ttlSeconds: number;
  private readonly client: Etcd3;
  private readonly ownsClient: boolean;
  private readonly where: string;
  private readonly revokeOnClose: boolean;
  private readonly retryMinMs: number;
  private readonly retryMaxMs: number;
  private readonly log: Logger;
  private readonly ringDir: string;
  private readonly liveDir: string;

  private self?: WorkerInfo;
  private lease?: Lease;
  /** Set while the background re-registration loop runs; aborted by leave()/close(). */
  private retry?: AbortController;
  private closed = false;

  private lastLive?: WorkerInfo[];
  private readonly delivered = new Map<Listener, string | undefined>();
  private watch?: EtcdPrefixWatch;
  private refreshing = false;
  private refreshAgain = false;
  private refreshTimer?: NodeJS.Timeout;
  private warnedStale = false;

  constructor(opts: EtcdMembershipOptions) {
    if (!opts || !opts.etcd) throw new InvalidArgumentError('EtcdMembershipManager needs an etcd client or client options');
    this.clusterName = validateClusterName(opts.clusterName ?? DEFAULT_CLUSTER_NAME);
    const timeoutMs = opts.failureDetectionTimeoutMs ?? 30_000;
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
      throw new InvalidArgumentError(`bad alluxio.worker.failure.detection.timeout ${timeoutMs}ms: expected a positive duration such as 30s`);
    }
    this.ttlSeconds = Math.max(1, Math.ceil(timeoutMs / 1000)); // etcd leases count whole seconds
    this.revokeOnClose = opts.revokeOnClose ?? true;
    this.retryMinMs = opts.retryMinMs ?? 200;
    this.retryMaxMs = Math.max(this.retryMinMs, opts.retryMaxMs ?? 3_000);
    this.log = opts.logger ?? createLogger('membership');
    if (opts.etcd instanceof Etcd3) {
      this.client = opts.etcd;
      this.ownsClient = false;
      this.where = 'etcd';
    } else {
      this.client = createEtcdClient(opts.etcd);
      this.ownsClient = true;
      this.where = describeEtcd(opts.etcd);
    }
    this.ringDir = ringPrefix(this.clusterName);
    this.liveDir = serviceDiscoveryPrefix(this.clusterName);
  }

  ringKey(w: WorkerInfo): string {
    return this.ringDir + workerName(w.identity);
  }

  liveKey(w: WorkerInfo): string {
    return this.liveDir + workerName(w.identity);
  }

  /**
   * Registers this worker. The first registration must succeed (it throws naming the etcd
   * endpoints otherwise); after that, losing the lease makes the worker re-register in the background.
   */
  async join(self: WorkerInfo): Promise<void> {
    this.assertOpen();
    validateWorkerInfo(self);
    if (this.self && !sameWorker(this.self.identity, self.identity)) {
      throw new InvalidArgumentError(`this membership manager already joined as ${workerName(this.self.identity)}; cannot join as ${workerName(self.identity)}`);
    }
    if (this.self && (this.lease || this.retry)) return; // registered, or re-registering in the background
    this.self = self;
    try {
      await this.register(self);
    } catch (err) {
      this.self = undefined;
      throw err instanceof AlluxioError ? err : new EtcdUnavailableError(`registering ${workerName(self.identity)}`, this.where, err);
    }
    this.log.info({ worker: workerName(self.identity), cluster: this.clusterName, ttlSeconds: this.ttlSeconds }, 'registered in etcd');
  }

  /** Leaves the live list at once (revokes the lease). The permanent /DHT entry stays. */
  async leave(): Promise<void> {
    this.retry?.abort();
    this.retry = undefined;
    this.self = undefined;
    const lease = this.lease;
    this.lease = undefined;
    if (lease) await this.revoke(lease);
  }

  async liveWorkers(): Promise<WorkerInfo[]> {
    this.assertOpen();
    try {
      const live = await this.readLive();
      this.lastLive = live;
      this.warnedStale = false;
      return [...live];
    } catch (err) {
      // Reads keep working on the last known ring while etcd is unreachable.
      if (this.lastLive) {
        if (!this.warnedStale) {
          this.warnedStale = true;
          this.log.warn({ err: causeText(err) }, 'etcd unreachable: using the last known live worker list');
        }
        return [...this.lastLive];
      }
      throw new EtcdUnavailableError('reading the live workers', this.where, err);
    }
  }

  /** Every worker in /DHT (and any live one missing there), ONLINE if live, else OFFLINE. */
  async allWorkers(): Promise<WorkerState[]> {
    this.assertOpen();
    try {
      const ring = await this.client.getAll().prefix(this.ringDir).exec();
      // Same revision for both reads, so a worker is never seen half-registered.
      const live = await this.client.getAll().prefix(this.liveDir).revision(ring.header.revision).exec();
      const liveByName = new Map<string, WorkerInfo>();
      for (const w of this.decodeAll(live.kvs)) liveByName.set(workerName(w.identity), w);
      const out: WorkerState[] = [];
      const seen = new Set<string>();
      for (const w of this.decodeAll(ring.kvs)) {
        const name = workerName(w.identity);
        seen.add(name);
        const lw = liveByName.get(name);
        out.push(lw ? { worker: lw, status: 'ONLINE' } : { worker: w, status: 'OFFLINE' });
      }
      for (const [name, w] of liveByName) if (!seen.has(name)) out.push({ worker: w, status: 'ONLINE' });
      return out.sort((a, b) => workerName(a.worker.identity).localeCompare(workerName(b.worker.identity)));
    } catch (err) {
      throw new EtcdUnavailableError('reading the worker registry', this.where, err);
    }
  }

  /**
   * Calls the listener with the live workers: once when the watch is up, then on every change
   * seen by the etcd watch on /ServiceDiscovery/<cluster>/. Nothing is called while etcd is
   * unreachable (the last list stays valid); after a reconnect the list is re-read.
   */
  onChange(listener: (live: WorkerInfo[]) => void): () => void {
    this.assertOpen();
    if (typeof listener !== 'function') throw new InvalidArgumentError('onChange needs a listener function');
    this.delivered.set(listener, undefined);
    if (!this.watch) this.watch = new EtcdPrefixWatch(this.client, this.liveDir, () => this.refresh(), this.log);
    if (this.watch.running) this.refresh(); // give the new listener the current list now
    else this.watch.start();
    return () => {
      this.delivered.delete(listener);
      if (this.delivered.size === 0 && this.watch) void this.watch.stop();
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.retry?.abort();
    this.delivered.clear();
    clearTimeout(this.refreshTimer);
    await this.watch?.stop();
    const lease = this.lease;
    this.lease = undefined;
    if (lease) {
      if (this.revokeOnClose) await this.revoke(lease);
      else lease.release(); // stop keepalives; etcd drops the key when the TTL runs out
    }
    if (this.ownsClient) this.client.close();
  }

  // --- registration ---------------------------------------------------------------------------

  private async register(self: WorkerInfo): Promise<void> {
    const value = encodeWorkerEntity(self);
    await this.client.put(this.ringKey(self)).value(value).exec();
    const lease = this.client.lease(this.ttlSeconds);
    let ready = false;
    lease.on('lost', (err) => { if (ready) this.onLeaseLost(lease, err); });
    let failing = false;
    lease.on('keepaliveFailed', (err) => {
      if (!failing) { failing = true; this.log.warn({ err: causeText(err) }, 'etcd lease keepalive failing, retrying'); }
    });
    lease.on('keepaliveSucceeded', () => {
      if (failing) { failing = false; this.log.info('etcd lease keepalive recovered'); }
    });
    try {
      await lease.grant();
      await lease.put(this.liveKey(self)).value(value).exec();
    } catch (err) {
      lease.release();
      throw err;
    }
    if (this.closed || this.self !== self) {
      // close() or leave() ran while we were registering: undo.
      await this.revoke(lease);
      return;
    }
    ready = true;
    this.lease = lease;
  }

  private onLeaseLost(lease: Lease, err: unknown): void {
    if (this.lease !== lease || this.closed) return;
    this.lease = undefined;
    lease.release();
    const self = this.self;
    if (!self) return;
    this.log.warn({ worker: workerName(self.identity), err: causeText(err) }, 'etcd lease lost, re-registering');
    void this.reregister(self);
  }

  /** Retries registration with capped exponential backoff (with jitter) until it works or we stop. */
  private async reregister(self: WorkerInfo): Promise<void> {
    if (this.retry) return;
    const ctl = new AbortController();
    this.retry = ctl;
    let delay = this.retryMinMs;
    let attempts = 0;
    try {
      while (!ctl.signal.aborted && !this.closed && this.self === self && !this.lease) {
        attempts++;
        try {
          await this.register(self);
          this.log.info({ worker: workerName(self.identity), attempts }, 're-registered in etcd');
          return;
        } catch (err) {
          if (attempts === 1 || attempts % 20 === 0) {
            this.log.warn({ worker: workerName(self.identity), attempts, err: causeText(err) }, `cannot re-register in ${this.where} yet, retrying`);
          }
        }
        try {
          await sleep(delay * (0.75 + Math.random() / 2), undefined, { signal: ctl.signal });
        } catch {
          return; // aborted
        }
        delay = Math.min(this.retryMaxMs, delay * 2);
      }
    } finally {
      if (this.retry === ctl) this.retry = undefined;
    }
  }

  private async revoke(lease: Lease): Promise<void> {
    try {
      await lease.revoke({ deadline: Date.now() + 2000 });
    } catch (err) {
      // etcd unreachable: the key goes away by itself when the TTL runs out.
      this.log.warn({ err: causeText(err) }, `could not revoke the etcd lease; the worker stays live for up to ${this.ttlSeconds}s`);
      lease.release();
    }
  }

  // --- reading --------------------------------------------------------------------------------

  private async readLive(): Promise<WorkerInfo[]> {
    const res = await this.client.getAll().prefix(this.liveDir).exec();
    return this.decodeAll(res.kvs).sort((a, b) => workerName(a.identity).localeCompare(workerName(b.identity)));
  }

  private decodeAll(kvs: { key: Buffer; value: Buffer }[]): WorkerInfo[] {
    const out: WorkerInfo[] = [];
    for (const kv of kvs) {
      const key = kv.key.toString();
      try {
        out.push(decodeWorkerEntity(kv.value.toString(), key));
      } catch (err) {
        this.log.warn({ key, err: (err as Error).message }, 'skipping an unreadable worker entry in etcd');
      }
    }
    return out;
  }

  /** Re-reads the live list after a watch event; coalesces bursts; keeps the last list on failure. */
  private refresh(): void {
    if (this.refreshing) {
      this.refreshAgain = true;
      return;
    }
    this.refreshing = true;
    void (async () => {
      try {
        do {
          this.refreshAgain = false;
          let live: WorkerInfo[];
          try {
            live = await this.readLive();
          } catch (err) {
            // Keep the last list. A reconnecting watch re-reads by itself; also try again shortly in
            // case the watch stayed up and only this read failed.
            this.log.debug({ err: causeText(err) }, 'live worker re-read failed; keeping the last list');
            clearTimeout(this.refreshTimer);
            this.refreshTimer = setTimeout(() => { if (this.watch?.running) this.refresh(); }, 1000);
            this.refreshTimer.unref();
            return;
          }
          if (this.closed) return;
          this.lastLive = live;
          this.deliver(live);
        } while (this.refreshAgain && !this.closed);
      } finally {
        this.refreshing = false;
      }
    })();
  }

  private deliver(live: WorkerInfo[]): void {
    const sig = JSON.stringify(live.map((w) => encodeWorkerEntity(w)));
    for (const [listener, last] of this.delivered) {
      if (last === sig) continue;
      this.delivered.set(listener, sig);
      try {
        listener([...live]);
      } catch (err) {
        this.log.error({ err: causeText(err) }, 'membership change listener threw');
      }
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new InvalidArgumentError('membership manager is closed');
  }
}

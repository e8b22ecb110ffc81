import { AlluxioError } from '../common/errors.js';
import { createSelectionPolicy, type SelectionPolicyName as PolicyName, type SelectionPolicyOptions as PolicyOptions, type WorkerSelectionPolicy } from '../hashring/worker-selection-policy.js';
import { identityKey, type WorkerInfo } from '../hashring/worker-info.js';
import type { MembershipManager } from '../membership/membership-manager.js';

/**
 * The client's view of the ring: a selection policy over the live workers, rebuilt whenever
 * membership reports a change (etcd watch) and on a refresh timer. While membership is unreachable
 * the last ring stays in use.
 */
export class WorkerRing {
  private policy: WorkerSelectionPolicy;
  private workers: WorkerInfo[] = [];
  /** The snapshot before the last change of the worker set (undefined until a non-empty ring changed). */
  private previous: WorkerSelectionPolicy | undefined;
  private previousAt = 0;
  private signature = '';
  private readonly unsubscribe: () => void;
  private readonly timer: NodeJS.Timeout | undefined;

  private constructor(private readonly membership: MembershipManager, private readonly policyName: PolicyName, private readonly options: PolicyOptions, refreshMs: number) {
    this.policy = createSelectionPolicy(policyName, [], options);
    this.unsubscribe = membership.onChange((live) => this.rebuild(live));
    if (refreshMs > 0) {
      this.timer = setInterval(() => void this.refresh().catch(() => {}), refreshMs);
      this.timer.unref();
    }
  }

  static async open(membership: MembershipManager, policyName: PolicyName, options: PolicyOptions, refreshMs = 0): Promise<WorkerRing> {
    const ring = new WorkerRing(membership, policyName, options, refreshMs);
    await ring.refresh();
    return ring;
  }

  async refresh(): Promise<void> {
    this.rebuild(await this.membership.liveWorkers());
  }

  get liveWorkers(): WorkerInfo[] {
    return this.workers;
  }

  get policyInUse(): WorkerSelectionPolicy {
    return this.policy;
  }

  /**
   * The ring before the last change of the worker set: where a key's pages were cached before a
   * worker joined or left. Undefined until the set of workers has changed once.
   */
  get previousPolicy(): WorkerSelectionPolicy | undefined {
    return this.previous;
  }

  /** When the worker set last changed (ms since the epoch; 0 = never). */
  get changedAt(): number {
    return this.previousAt;
  }

  /** The live worker with this identity (its current address), if it is live. */
  liveWorker(w: WorkerInfo): WorkerInfo | undefined {
    const k = identityKey(w.identity);
    return this.workers.find((x) => identityKey(x.identity) === k);
  }

  /** The workers that own a key, in preference order. */
  owners(key: string, count: number): WorkerInfo[] {
    if (this.workers.length === 0) throw new AlluxioError('ALX_ERR_NO_WORKER', 'no live worker in the cluster: start one (alluxio process start worker) or check membership');
    return this.policy.getMultiple(key, Math.min(count, this.workers.length));
  }

  close(): void {
    this.unsubscribe();
    if (this.timer) clearInterval(this.timer);
  }

  private rebuild(live: WorkerInfo[]): void {
    const signature = live.map((w) => identityKey(w.identity)).sort().join(',');
    const policy = createSelectionPolicy(this.policyName, live, this.options);
    // Same workers (maybe at new addresses, or a timer refresh): the previous snapshot stays.
    if (signature !== this.signature) {
      if (this.workers.length > 0) {
        this.previous = this.policy;
        this.previousAt = Date.now();
      }
      this.signature = signature;
    }
    this.workers = live;
    this.policy = policy;
  }
}

import { AlluxioError } from '../common/errors.js';
import { createSelectionPolicy, type SelectionPolicyName as PolicyName, type SelectionPolicyOptions as PolicyOptions, type WorkerSelectionPolicy } from '../hashring/worker-selection-policy.js';
import type { WorkerInfo } from '../hashring/worker-info.js';
import type { MembershipManager } from '../membership/membership-manager.js';

/**
 * The client's view of the ring: a selection policy over the live workers, rebuilt whenever
 * membership reports a change (etcd watch) and on a refresh timer. While membership is unreachable
 * the last ring stays in use.
 */
export class WorkerRing {
  private policy: WorkerSelectionPolicy;
  private workers: WorkerInfo[] = [];
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
    this.workers = live;
    this.policy = createSelectionPolicy(this.policyName, live, this.options);
  }
}

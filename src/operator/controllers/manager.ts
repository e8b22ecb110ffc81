import { LABELS, MANAGED_BY } from '../constants.js';
import { KubeApiError, type KubeApi, type KubeObject, type ObjectRef, type WatchHandle } from '../kube/types.js';
import type { Reconciler } from './reconciler.js';
import { WorkQueue, type QueueOptions } from './work-queue.js';

// Runs reconcilers: list then watch from the list's resourceVersion, re-list on 410 Gone and
// on a jittered resync timer; events are mapped to the keys of the objects to reconcile and fed
// to one keyed queue. A watch that keeps failing ends the manager (onFatal), so Kubernetes
// restarts the operator instead of leaving it deaf.

export interface WatchSpec {
  apiVersion: string;
  kind: string;
  /** Objects to reconcile when this object changes. */
  map: (obj: KubeObject) => ObjectRef[];
  /** Watch only objects with these labels (Pods, Secrets: never the whole cluster's). */
  labelSelector?: Record<string, string>;
}

export interface ManagerOptions {
  api: KubeApi;
  reconcilers: Reconciler[];
  /** Extra watches (owned kinds); each reconciler's own kind is watched automatically. */
  watches?: WatchSpec[];
  namespace?: string;
  resyncMs?: number;
  maxWatchFailures?: number;
  queue?: QueueOptions;
  onFatal?: (err: Error) => void;
  log?: { info: (o: object, m?: string) => void; warn: (o: object, m?: string) => void; error: (o: object, m?: string) => void };
}

const encode = (r: ObjectRef) => JSON.stringify([r.apiVersion, r.kind, r.namespace ?? '', r.name]);
const decode = (k: string): ObjectRef => {
  const [apiVersion, kind, namespace, name] = JSON.parse(k) as string[];
  return { apiVersion: apiVersion!, kind: kind!, namespace: namespace || undefined, name: name! };
};

/** Maps an object labelled by the operator to its AlluxioCluster. */
export function toClusterByLabel(apiVersion: string) {
  return (o: KubeObject): ObjectRef[] => {
    const l = o.metadata.labels ?? {};
    if (l[LABELS.managedBy] !== MANAGED_BY || !l[LABELS.instance]) return [];
    return [{ apiVersion, kind: 'AlluxioCluster', namespace: o.metadata.namespace, name: l[LABELS.instance]! }];
  };
}

export class Manager {
  readonly queue: WorkQueue;
  private readonly handles: WatchHandle[] = [];
  private readonly timers: NodeJS.Timeout[] = [];
  private stopped = false;
  private readonly byKind = new Map<string, Reconciler>();

  constructor(private readonly opts: ManagerOptions) {
    for (const r of opts.reconcilers) this.byKind.set(r.kind, r);
    this.queue = new WorkQueue(async (key) => {
      const ref = decode(key);
      const r = this.byKind.get(ref.kind);
      if (!r) return;
      try {
        return await r.reconcile(ref);
      } catch (err) {
        opts.log?.warn({ ref, err: (err as Error).message }, 'reconcile failed; retrying with backoff');
        throw err;
      }
    }, opts.queue);
  }

  enqueue(ref: ObjectRef): void { this.queue.add(encode(ref)); }

  async start(): Promise<void> {
    const specs: WatchSpec[] = [
      ...this.opts.reconcilers.map((r) => ({ apiVersion: r.apiVersion, kind: r.kind,
        map: (o: KubeObject) => [{ apiVersion: r.apiVersion, kind: r.kind, namespace: o.metadata.namespace, name: o.metadata.name }] })),
      ...(this.opts.watches ?? []),
    ];
    await Promise.all(specs.map((s) => this.listAndWatch(s, 0)));
    const resync = this.opts.resyncMs ?? 300_000;
    for (const r of this.opts.reconcilers) {
      const tick = () => {
        if (this.stopped) return;
        void this.relist({ apiVersion: r.apiVersion, kind: r.kind, map: (o) => [{ apiVersion: r.apiVersion, kind: r.kind, namespace: o.metadata.namespace, name: o.metadata.name }] })
          .catch((err) => this.opts.log?.warn({ err: (err as Error).message }, 'resync list failed'));
        const t = setTimeout(tick, resync * (0.9 + Math.random() * 0.2));
        t.unref();
        this.timers.push(t);
      };
      const t = setTimeout(tick, resync * (0.9 + Math.random() * 0.2));
      t.unref();
      this.timers.push(t);
    }
  }

  stop(): void {
    this.stopped = true;
    for (const h of this.handles) h.stop();
    for (const t of this.timers) clearTimeout(t);
    this.queue.close();
  }

  private async relist(spec: WatchSpec): Promise<string> {
    const list = await this.opts.api.list(spec.apiVersion, spec.kind, { namespace: this.opts.namespace, labelSelector: spec.labelSelector });
    for (const o of list.items) for (const ref of spec.map(o)) this.enqueue(ref);
    return list.resourceVersion;
  }

  private async listAndWatch(spec: WatchSpec, failures: number): Promise<void> {
    if (this.stopped) return;
    const max = this.opts.maxWatchFailures ?? 10;
    let rv: string;
    try {
      rv = await this.relist(spec);
    } catch (err) {
      return this.retry(spec, failures + 1, max, err as Error);
    }
    const started = Date.now();
    const handle = await this.opts.api.watch(spec.apiVersion, spec.kind, { namespace: this.opts.namespace, labelSelector: spec.labelSelector, resourceVersion: rv },
      (e) => { for (const ref of spec.map(e.object)) this.enqueue(ref); },
      (err?: KubeApiError) => {
        if (this.stopped) return;
        // 410: our version is too old, list again at once; a clean close: reconnect.
        if (!err || err.code === 410) void this.listAndWatch(spec, 0);
        // A watch that ran for a while was healthy: count failures afresh.
        else void this.retry(spec, (Date.now() - started > 60_000 ? 0 : failures) + 1, max, err);
      });
    this.handles.push(handle);
  }

  private async retry(spec: WatchSpec, failures: number, max: number, err: Error): Promise<void> {
    if (failures >= max) {
      this.opts.log?.error({ kind: spec.kind, err: err.message }, 'watch keeps failing; giving up');
      this.stop();
      (this.opts.onFatal ?? ((e) => { throw e; }))(new Error(`watch of ${spec.kind} failed ${failures} times: ${err.message}`));
      return;
    }
    const delay = Math.min(30_000, 100 * 2 ** failures) * (0.8 + Math.random() * 0.4);
    const t = setTimeout(() => void this.listAndWatch(spec, failures), delay);
    t.unref();
    this.timers.push(t);
  }
}

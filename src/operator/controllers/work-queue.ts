// A keyed work queue: one reconcile per key at a time, duplicates collapsed while queued, a key
// that changes while it is being processed runs once more afterwards, delayed requeues, and
// per-key exponential backoff on failure (5 ms doubling to 5 min, as controller-runtime).

export interface QueueOptions {
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  setTimer?: (fn: () => void, ms: number) => { unref?: () => void } | unknown;
  clearTimer?: (t: unknown) => void;
}

export class WorkQueue<K extends string = string> {
  private readonly queued = new Set<K>();
  private readonly running = new Set<K>();
  private readonly dirty = new Set<K>();
  private readonly failures = new Map<K, number>();
  private readonly timers = new Map<K, unknown>();
  private readonly waiters: (() => void)[] = [];
  private closed = false;
  private readonly base: number;
  private readonly max: number;
  private readonly setTimer: NonNullable<QueueOptions['setTimer']>;
  private readonly clearTimer: NonNullable<QueueOptions['clearTimer']>;

  constructor(private readonly worker: (key: K) => Promise<{ requeueAfterMs?: number } | void>, opts: QueueOptions = {}) {
    this.base = opts.baseBackoffMs ?? 5;
    this.max = opts.maxBackoffMs ?? 300_000;
    this.setTimer = opts.setTimer ?? ((fn, ms) => { const t = setTimeout(fn, ms); t.unref(); return t; });
    this.clearTimer = opts.clearTimer ?? ((t) => clearTimeout(t as NodeJS.Timeout));
  }

  add(key: K): void {
    if (this.closed) return;
    const t = this.timers.get(key);
    if (t !== undefined) { this.clearTimer(t); this.timers.delete(key); }
    if (this.running.has(key)) { this.dirty.add(key); return; }
    if (this.queued.has(key)) return;
    this.queued.add(key);
    setImmediate(() => void this.process(key));
  }

  addAfter(key: K, ms: number): void {
    if (this.closed) return;
    if (this.timers.has(key) || this.queued.has(key)) return;
    this.timers.set(key, this.setTimer(() => { this.timers.delete(key); this.add(key); }, ms));
  }

  backoffFor(key: K): number {
    const n = this.failures.get(key) ?? 0;
    return Math.min(this.max, this.base * 2 ** n);
  }

  /** Resolves when nothing is queued or running (timers not counted). */
  idle(): Promise<void> {
    if (this.queued.size === 0 && this.running.size === 0) return Promise.resolve();
    return new Promise((r) => this.waiters.push(r));
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers.values()) this.clearTimer(t);
    this.timers.clear();
  }

  private async process(key: K): Promise<void> {
    if (!this.queued.delete(key) || this.closed) return this.checkIdle();
    this.running.add(key);
    try {
      const r = await this.worker(key);
      this.failures.delete(key);
      if (r && r.requeueAfterMs !== undefined) this.addAfter(key, r.requeueAfterMs);
    } catch {
      const delay = this.backoffFor(key);
      this.failures.set(key, (this.failures.get(key) ?? 0) + 1);
      this.addAfter(key, delay);
    } finally {
      this.running.delete(key);
      if (this.dirty.delete(key)) this.add(key);
      this.checkIdle();
    }
  }

  private checkIdle(): void {
    if (this.queued.size === 0 && this.running.size === 0) for (const w of this.waiters.splice(0)) w();
  }
}

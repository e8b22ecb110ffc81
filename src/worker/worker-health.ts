import type { PageStore } from '../pagestore/page-store.js';

/**
 * Whether the worker can serve, for GET /v1/health and the web port's /health: a small real I/O
 * round trip through the page store (PageStore.probe) that must finish within `timeoutMs`. A disk
 * that fails, or an I/O thread pool whose threads are all blocked (every libuv fs call queues
 * behind them), makes it fail, where a constant 200 would keep a wedged worker in the ring.
 *
 * One probe runs at a time: while it is out, checks wait on it (up to the timeout from its
 * start), so a stuck pool never piles up probes and each check costs at most one round trip.
 */
export class WorkerHealth {
  private inFlight: { started: number; result: Promise<string | undefined> } | undefined;

  constructor(private readonly store: PageStore, private readonly timeoutMs: number) {}

  /** undefined when healthy, else why not (one line, for the 503 body). */
  async check(): Promise<string | undefined> {
    let probe = this.inFlight;
    if (probe === undefined) {
      const result: Promise<string | undefined> = this.store.probe().then(
        () => undefined,
        (err: Error) => err.message,
      ).finally(() => {
        if (this.inFlight?.result === result) this.inFlight = undefined;
      });
      probe = { started: Date.now(), result };
      this.inFlight = probe;
    }
    const left = probe.started + this.timeoutMs - Date.now();
    const late = `page store I/O probe did not finish within ${this.timeoutMs} ms (the disk or the I/O thread pool is stuck)`;
    if (left <= 0) return late;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<string>((resolve) => { timer = setTimeout(resolve, left, late); });
    try {
      return await Promise.race([probe.result, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}

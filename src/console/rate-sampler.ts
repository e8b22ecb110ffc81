// Rates over the last minutes for the console's charts, kept in memory: every `intervalMs` the
// sampler reads a set of monotonically growing counters (off the request path, on a timer that
// starts when the console is first opened) and keeps the last `points` readings in fixed arrays.

export type CounterReading = Record<string, number>;

export interface RateSeries {
  intervalMs: number;
  /** Epoch ms of each point (the end of its interval). */
  t: number[];
  /** Per counter name: its rate per second over each interval (null where it went back, e.g. a restart). */
  rates: Record<string, (number | null)[]>;
}

export class RateSampler {
  private readonly times: number[];
  private readonly readings: (CounterReading | undefined)[];
  private next = 0;
  private count = 0;
  private timer: NodeJS.Timeout | undefined;
  private busy = false;

  constructor(private readonly read: () => Promise<CounterReading> | CounterReading, readonly intervalMs: number, readonly points: number) {
    // One reading more than points: a rate needs two.
    this.times = new Array<number>(points + 1).fill(0);
    this.readings = new Array<CounterReading | undefined>(points + 1);
  }

  /** Starts sampling (idempotent); the timer never keeps the process alive. */
  start(): void {
    if (this.timer) return;
    void this.tick();
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private async tick(): Promise<void> {
    if (this.busy) return; // a slow reading (a worker timing out) skips a beat instead of piling up
    this.busy = true;
    try {
      const r = await this.read();
      const slot = this.next;
      this.times[slot] = Date.now();
      this.readings[slot] = r;
      this.next = (slot + 1) % this.times.length;
      this.count = Math.min(this.count + 1, this.times.length);
    } catch {
      // A failed reading leaves a gap; the next one resumes.
    } finally {
      this.busy = false;
    }
  }

  series(): RateSeries {
    const n = this.times.length;
    const t: number[] = [];
    const rates: Record<string, (number | null)[]> = {};
    const first = (this.next - this.count + n) % n;
    for (let i = 1; i < this.count; i++) {
      const a = (first + i - 1) % n;
      const b = (first + i) % n;
      const dt = (this.times[b]! - this.times[a]!) / 1000;
      const ra = this.readings[a]!;
      const rb = this.readings[b]!;
      t.push(this.times[b]!);
      for (const k of Object.keys(rb)) {
        const col = rates[k] ?? (rates[k] = new Array<number | null>(t.length - 1).fill(null));
        const d = rb[k]! - (ra[k] ?? rb[k]!);
        col.push(dt > 0 && d >= 0 ? d / dt : null);
      }
      for (const col of Object.values(rates)) if (col.length < t.length) col.push(null);
    }
    return { intervalMs: this.intervalMs, t, rates };
  }
}

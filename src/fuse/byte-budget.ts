/**
 * A fixed number of bytes shared by every open file of a mount (read-ahead or write buffers), so
 * memory stays bounded whatever the number of open files. `tryAcquire` never waits (read-ahead is
 * skipped when the budget is spent); `acquire` waits for bytes to be released, in order.
 */
export class ByteBudget {
  private used = 0;
  private readonly waiters: Array<{ n: number; resolve: () => void }> = [];

  constructor(readonly capacity: number, private readonly onChange: (used: number) => void = () => {}) {}

  get inUse(): number {
    return this.used;
  }

  tryAcquire(n: number): boolean {
    if (this.waiters.length > 0 || this.used + n > this.capacity) return false;
    this.take(n);
    return true;
  }

  /** Waits until `n` bytes are free (a request larger than the whole budget waits for it to be empty). */
  acquire(n: number): Promise<void> {
    if (this.waiters.length === 0 && (this.used + n <= this.capacity || this.used === 0)) {
      this.take(n);
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiters.push({ n, resolve }));
  }

  release(n: number): void {
    this.used -= n;
    while (this.waiters.length > 0) {
      const w = this.waiters[0]!;
      if (this.used + w.n > this.capacity && this.used > 0) break;
      this.waiters.shift();
      this.take(w.n);
      w.resolve();
    }
    this.onChange(this.used);
  }

  private take(n: number): void {
    this.used += n;
    this.onChange(this.used);
  }
}

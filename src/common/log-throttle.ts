/**
 * Lets one occurrence of a repeating log line through per interval and counts the ones held
 * back, so a condition that fails every request (a full disk) costs one line a minute, not one
 * per page, and the line still says how often it happened.
 */
export class LogThrottle {
  private last = -Infinity;
  private held = 0;

  constructor(readonly intervalMs: number) {}

  /** undefined: do not log this one. Otherwise log it, with the count held back since the last. */
  take(now = Date.now()): number | undefined {
    if (now - this.last < this.intervalMs) {
      this.held++;
      return undefined;
    }
    this.last = now;
    const n = this.held;
    this.held = 0;
    return n;
  }
}

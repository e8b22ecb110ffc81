/** Injectable time, so reconcilers and leader election are testable without waiting. */
export interface Clock {
  now(): Date;
}
export const systemClock: Clock = { now: () => new Date() };

/** A clock tests move by hand. */
export class ManualClock implements Clock {
  private t: number;
  constructor(start = Date.parse('2025-01-01T00:00:00Z')) { this.t = start; }
  now(): Date { return new Date(this.t); }
  advance(ms: number): void { this.t += ms; }
}

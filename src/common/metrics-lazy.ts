// The metrics of metrics.ts for code that one-shot CLI processes load too (the client, the UFS
// wrapper): prom-client and its registry cost a CLI call about 0.1 CPU s and a CLI exports no
// metrics, so they are imported at the first event that records one. Declarations stay in metrics.ts.
import type { metrics as Metrics } from './metrics.js';

let loaded: typeof Metrics | undefined;

/** metrics.ts's `metrics`, imported on first use. */
export async function lazyMetrics(): Promise<typeof Metrics> {
  return loaded ??= (await import('./metrics.js')).metrics;
}

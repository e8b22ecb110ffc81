// A small reader of the Prometheus text exposition format: enough to sum a counter or a gauge
// over its label sets, which is all the coordinator needs from a worker's /metrics.

/** Sums of every sample by metric name (labels folded together). Comment and blank lines are skipped. */
export function sumSamples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const v = Number(m[3]);
    if (!Number.isFinite(v)) continue;
    out.set(m[1]!, (out.get(m[1]!) ?? 0) + v);
  }
  return out;
}

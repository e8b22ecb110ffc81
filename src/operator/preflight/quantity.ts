const SUFFIX: Record<string, number> = {
  '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4, Pi: 1024 ** 5, Ei: 1024 ** 6, m: 1e-3,
};

/** A Kubernetes quantity ("200Gi", "100G", "104857600Ki", "5e9") in base units; NaN if malformed. */
export function parseQuantity(q: string | undefined): number {
  if (!q) return NaN;
  const m = /^([0-9.]+(?:e[0-9]+)?)([a-zA-Z]*)$/.exec(q.trim());
  if (!m || SUFFIX[m[2]!] === undefined) return NaN;
  return Number(m[1]) * SUFFIX[m[2]!]!;
}

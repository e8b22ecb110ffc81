// Alluxio sizes ("90GB" = 90 GiB) are not all Kubernetes quantities ("90GB" is invalid there);
// PVC requests get the exact byte count in the largest binary unit that divides it.
export function toQuantity(bytes: number): string {
  const units: [string, number][] = [['Ti', 1024 ** 4], ['Gi', 1024 ** 3], ['Mi', 1024 ** 2], ['Ki', 1024]];
  for (const [u, f] of units) if (bytes >= f && bytes % f === 0) return `${bytes / f}${u}`;
  return String(bytes);
}

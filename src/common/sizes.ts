import { InvalidArgumentError } from './errors.js';

// Alluxio reads sizes with binary units whatever the spelling: "MB" is MiB, "GB" is GiB.
// We do the same so properties copied from Alluxio mean what they meant there
// (documented in the README; the Kubernetes preflight warns where GB vs GiB matters).
const UNITS: Record<string, number> = {
  '': 1, b: 1,
  k: 1024, kb: 1024, ki: 1024, kib: 1024,
  m: 1024 ** 2, mb: 1024 ** 2, mi: 1024 ** 2, mib: 1024 ** 2,
  g: 1024 ** 3, gb: 1024 ** 3, gi: 1024 ** 3, gib: 1024 ** 3,
  t: 1024 ** 4, tb: 1024 ** 4, ti: 1024 ** 4, tib: 1024 ** 4,
  p: 1024 ** 5, pb: 1024 ** 5, pi: 1024 ** 5, pib: 1024 ** 5,
};

export const SIZE_FORM = 'a number with an optional unit, e.g. 512MB, 90Gi, 1GB, 4096 (MB means MiB)';

export function parseSize(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text);
  const unit = m ? UNITS[m[2]!.toLowerCase()] : undefined;
  if (!m || unit === undefined) throw new InvalidArgumentError(`bad size '${text}': expected ${SIZE_FORM}`);
  return Math.round(Number(m[1]) * unit);
}

export function formatSize(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return i === 0 ? `${bytes}B` : `${v.toFixed(2)}${units[i]}`;
}

const DURATION_UNITS: Record<string, number> = {
  '': 1, ms: 1, s: 1000, sec: 1000, second: 1000, seconds: 1000,
  m: 60_000, min: 60_000, minute: 60_000, minutes: 60_000,
  h: 3_600_000, hr: 3_600_000, hour: 3_600_000, hours: 3_600_000,
  d: 86_400_000, day: 86_400_000, days: 86_400_000,
};

export const DURATION_FORM = 'a number with an optional unit, e.g. 500ms, 10s, 2min, 1h (no unit means milliseconds)';

/** Parses a duration to milliseconds. */
export function parseDuration(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text);
  const unit = m ? DURATION_UNITS[m[2]!.toLowerCase()] : undefined;
  if (!m || unit === undefined) throw new InvalidArgumentError(`bad duration '${text}': expected ${DURATION_FORM}`);
  return Math.round(Number(m[1]) * unit);
}

// Alluxio sizes ("90GB" = 90 GiB) are not all Kubernetes quantities ("90GB" is invalid there);
// PVC requests get the exact byte count in the largest binary unit that divides it.
export function toQuantity(bytes: number): string {
  const units: [string, number][] = [['Ti', 1024 ** 4], ['Gi', 1024 ** 3], ['Mi', 1024 ** 2], ['Ki', 1024]];
  for (const [u, f] of units) if (bytes >= f && bytes % f === 0) return `${bytes / f}${u}`;
  return canonicalQuantity(String(bytes));
}

// The API server stores every quantity of a built-in kind in its canonical form
// (apimachinery resource.Quantity: 1024Mi → 1Gi, 0.5 → 500m, 1000M → 1G, cpu: 8 → "8"). The
// operator writes that form itself: an object compared with what the server stored must not
// differ by spelling only, or an immutable volumeClaimTemplate looks changed (the StatefulSet is
// recreated on every reconcile) and a mutable field is applied again on every reconcile.
const BINARY: Record<string, number> = { Ki: 1, Mi: 2, Gi: 3, Ti: 4, Pi: 5, Ei: 6 };
const DECIMAL: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const DECIMAL_SUFFIX = Object.fromEntries(Object.entries(DECIMAL).map(([s, e]) => [e, s]));
const QUANTITY = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+)?$/;

/** The canonical form of a Kubernetes quantity; a value that is not one is returned as written (the server refuses it). */
export function canonicalQuantity(q: string | number): string {
  const m = QUANTITY.exec(String(q));
  if (!m) return String(q);
  const [, sign, num, suffix = ''] = m;
  const [int = '', frac = ''] = num!.split('.');
  // value = mant × 10^exp10, exactly
  let mant = BigInt(`${int}${frac}` || '0') * (sign === '-' ? -1n : 1n);
  let exp10 = -frac.length;
  const binary = suffix in BINARY;
  if (binary) mant *= 1024n ** BigInt(BINARY[suffix]!);
  else exp10 += /^[eE]/.test(suffix) ? Number(suffix.slice(1)) : DECIMAL[suffix]!;
  // Precision is nano units; anything finer rounds up.
  if (exp10 < -9) {
    const d = 10n ** BigInt(-9 - exp10);
    mant = mant / d + (mant % d > 0n ? 1n : 0n);
    exp10 = -9;
  }
  if (mant === 0n) return '0';
  if (binary) {
    // A whole number of bytes of at least 1024 keeps the binary form; anything else is written decimal.
    const scale = 10n ** BigInt(Math.max(0, -exp10));
    const whole = exp10 >= 0 ? mant * 10n ** BigInt(exp10) : mant / scale;
    if ((exp10 >= 0 || mant % scale === 0n) && (whole >= 1024n || whole <= -1024n)) return base1024(whole);
  }
  // Decimal: no trailing zeros, then the exponent down to a multiple of 3.
  while (mant % 10n === 0n) { mant /= 10n; exp10++; }
  const r = ((exp10 % 3) + 3) % 3;
  mant *= 10n ** BigInt(r);
  exp10 -= r;
  const exponentForm = /^[eE]/.test(suffix);
  const unit = exponentForm ? (exp10 === 0 ? '' : `e${exp10}`) : DECIMAL_SUFFIX[exp10] ?? `e${exp10}`;
  return `${mant}${unit}`;
}

function base1024(bytes: bigint): string {
  let n = bytes;
  let k = 0;
  while (k < 6 && n % 1024n === 0n) { n /= 1024n; k++; }
  return `${n}${['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'][k]}`;
}

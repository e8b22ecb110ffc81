// What the operator can tell from a license string without Alluxio's signing key: a license is
// base64 of a JSON document (or a JWT-like header.payload.signature whose payload is one) with an
// expiration date. The signature is not verified; alluxio-ts does not enforce licenses, so the
// check only tells users what Alluxio would refuse: a placeholder left from the guide, a truncated
// copy, an expired license. Strings in a form it does not know are accepted and not checked.
// The license text itself never appears in a result (it is a secret).

export type LicenseCheck =
  | { state: 'valid'; expiresAt: Date }
  | { state: 'expired'; expiresAt: Date }
  | { state: 'invalid'; why: string }
  | { state: 'unchecked'; why: string };

const EXPIRY_KEYS = ['expirationDate', 'expiration', 'expireDate', 'expiryDate', 'expiresAt', 'expiry', 'notAfter', 'exp'];

function decodeJson(b64: string): unknown {
  const text = Buffer.from(b64.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8');
  if (!text.trimStart().startsWith('{')) return undefined;
  try { return JSON.parse(text); } catch { return null; }
}

function toDate(v: unknown): Date | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return new Date(v > 1e12 ? v : v * 1000);
  if (typeof v === 'string' && v.trim()) {
    if (/^\d+$/.test(v.trim())) return toDate(Number(v));
    const t = Date.parse(v);
    return Number.isFinite(t) ? new Date(t) : undefined;
  }
  return undefined;
}

export function checkLicenseString(license: string, now: Date): LicenseCheck {
  const s = license.trim();
  if (!s) return { state: 'invalid', why: 'the license string is empty' };
  if (/^<.*>$/.test(s) || /YOUR_.*LICENSE/i.test(s)) return { state: 'invalid', why: 'the license string is still the placeholder from the guide' };
  if (/\s/.test(s)) return { state: 'invalid', why: 'the license string contains spaces or line breaks (copied with wrapping?)' };
  const parts = s.split('.');
  const payload = parts.length === 3 ? parts[1]! : s;
  if (!/^[A-Za-z0-9+/_=-]+$/.test(payload)) return { state: 'unchecked', why: 'not in a form the operator can read; its expiry is not checked' };
  const doc = decodeJson(payload);
  if (doc === undefined) return { state: 'unchecked', why: 'not in a form the operator can read; its expiry is not checked' };
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    return { state: 'invalid', why: 'the license string decodes to broken JSON (truncated when copied?)' };
  }
  const fields = doc as Record<string, unknown>;
  const key = EXPIRY_KEYS.find((k) => fields[k] !== undefined);
  if (!key) return { state: 'unchecked', why: 'it has no expiration date the operator knows; its expiry is not checked' };
  const expiresAt = toDate(fields[key]);
  if (!expiresAt) return { state: 'invalid', why: `its ${key} '${String(fields[key]).slice(0, 40)}' is not a date` };
  if (expiresAt.getTime() <= now.getTime()) return { state: 'expired', expiresAt };
  return { state: 'valid', expiresAt };
}

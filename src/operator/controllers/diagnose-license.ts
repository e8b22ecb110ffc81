import { CONDITION, REASON } from '../constants.js';
import { checkLicenseString } from '../api/license-string.js';
import type { ConditionInput } from './conditions.js';

// LicenseValid for a cluster's alluxio.license or a License's licenseString. Alluxio refuses to
// start with an expired or unreadable license (seed 003, appendix D.4); alluxio-ts does not
// enforce it, so this condition informs and never fails the cluster. No license text in messages.

const DAY_MS = 86_400_000;
export const EXPIRY_WARNING_DAYS = 30;

/** `source` names where the license comes from, e.g. "spec.properties alluxio.license" or "License alx-ns/alluxio-license". */
export function licenseValid(source: string, license: string, now: Date, fix: string): ConditionInput {
  const r = checkLicenseString(license, now);
  const day = (d: Date) => d.toISOString().slice(0, 10);
  switch (r.state) {
    case 'expired':
      return { type: CONDITION.LicenseValid, ok: false, reason: REASON.LicenseExpired,
        message: `the license in ${source} expired on ${day(r.expiresAt)}: Alluxio refuses to start with it (alluxio-ts does not enforce it); ${fix}` };
    case 'invalid':
      return { type: CONDITION.LicenseValid, ok: false, reason: REASON.LicenseInvalid, message: `the license in ${source} is not valid: ${r.why}; ${fix}` };
    case 'unchecked':
      return { type: CONDITION.LicenseValid, ok: true, reason: REASON.LicenseNotChecked, message: `the license in ${source} is ${r.why}` };
    case 'valid': {
      const days = Math.floor((r.expiresAt.getTime() - now.getTime()) / DAY_MS);
      return { type: CONDITION.LicenseValid, ok: true, reason: REASON.LicenseOk,
        message: `the license in ${source} expires on ${day(r.expiresAt)} (in ${days} day(s))${days < EXPIRY_WARNING_DAYS ? `: renew it soon; ${fix}` : ''}` };
    }
  }
}

import type { Command } from 'commander';
import { checkLicenseString } from '../../operator/api/license-string.js';
import { commandConf, type GlobalOptions } from '../context.js';
import { printJson } from '../output.js';

/** Fields of a license document that are never printed: the license string is a secret, so is whatever signs it. */
const HIDDEN_FIELD = /(key|secret|signature|sig|token|password)/i;

/**
 * Where the license comes from. The operator gives each pod the License's secret as ALLUXIO_LICENSE
 * and `-Dalluxio.license=$(ALLUXIO_LICENSE)` in ALLUXIO_JAVA_OPTS, which the configuration reads;
 * locally it is `alluxio.license` in alluxio-site.properties or --conf.
 */
function licenseOf(global: GlobalOptions): { license?: string; source: string } {
  const e = commandConf(global).entries().find((x) => x.name === 'alluxio.license');
  if (e?.value) return { license: e.value, source: e.source.detail ? `${e.source.kind} (${e.source.detail})` : e.source.kind };
  if (process.env.ALLUXIO_LICENSE) return { license: process.env.ALLUXIO_LICENSE, source: 'env (ALLUXIO_LICENSE)' };
  return { source: 'none' };
}

/** The readable fields of a license (base64 JSON, or the payload of header.payload.signature), secrets left out. */
function licenseFields(license: string): Record<string, unknown> | undefined {
  const parts = license.trim().split('.');
  const payload = parts.length === 3 ? parts[1]! : license.trim();
  try {
    const doc = JSON.parse(Buffer.from(payload.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8')) as unknown;
    if (!doc || typeof doc !== 'object' || Array.isArray(doc)) return undefined;
    return Object.fromEntries(Object.entries(doc).filter(([k, v]) => !HIDDEN_FIELD.test(k) && (v === null || typeof v !== 'object')));
  } catch {
    return undefined;
  }
}

interface LicenseStatus { state: string; source: string; expiresAt?: string; daysLeft?: number; why?: string }

function status(global: GlobalOptions): LicenseStatus {
  const { license, source } = licenseOf(global);
  if (!license) return { state: 'none', source, why: 'no license is configured (alluxio.license, or ALLUXIO_LICENSE as the operator sets it); alluxio-ts runs without one' };
  const c = checkLicenseString(license, new Date());
  return {
    source,
    state: c.state,
    ...('expiresAt' in c ? { expiresAt: c.expiresAt.toISOString(), daysLeft: Math.floor((c.expiresAt.getTime() - Date.now()) / 86_400_000) } : {}),
    ...('why' in c ? { why: c.why } : {}),
  };
}

/** `alluxio license show|status`: the license this machine's configuration carries (never the license string itself). */
export function registerLicenseCommands(program: Command, global: () => GlobalOptions): void {
  const license = program.command('license').description('the license the cluster runs with (license show|status)');

  license.command('status').option('--json', 'print JSON').description('whether a license is configured, valid or expired, and when it expires')
    .action((o: { json?: boolean }) => {
      const s = status(global());
      if (o.json) return printJson(s);
      process.stdout.write(`License:   ${s.state.toUpperCase()}\nSource:    ${s.source}\n`);
      if (s.expiresAt !== undefined && s.daysLeft !== undefined) process.stdout.write(`Expires:   ${s.expiresAt} (${Math.abs(s.daysLeft)} days ${s.daysLeft >= 0 ? 'left' : 'ago'})\n`);
      if (s.why) process.stdout.write(`Note:      ${s.why}\n`);
    });

  license.command('show').option('--json', 'print JSON').description('the readable fields of the license (owner, cluster, expiry...), never its secret parts')
    .action((o: { json?: boolean }) => {
      const g = global();
      const { license: text } = licenseOf(g);
      const fields = text ? licenseFields(text) : undefined;
      const s = status(g);
      if (o.json) return printJson({ ...s, fields: fields ?? null });
      process.stdout.write(`License:   ${s.state.toUpperCase()} (source: ${s.source})\n`);
      if (!text) return void process.stdout.write(`${s.why}\n`);
      if (!fields) return void process.stdout.write('The license is not in a form this CLI can read (base64 JSON); its fields are not shown.\n');
      for (const [k, v] of Object.entries(fields)) process.stdout.write(`${(k + ':').padEnd(20)}${String(v)}\n`);
    });
}

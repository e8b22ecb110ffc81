import type { z } from 'zod';
import { parseSize } from '../../common/sizes.js';
import { expectedForm, findIgnoredKey, findProperty, parsePropertyValue } from '../../conf/index.js';
import { unknownPropertyMessage } from '../../conf/property-keys.js';
import { clusterNameProblem } from './cluster-name.js';
import { AlluxioClusterSchema, pagestoreDirs, type AlluxioCluster } from './alluxio-cluster.js';
import { UnderFileSystemSchema, type UnderFileSystem } from './under-file-system.js';
import { LicenseSchema, type License } from './license.js';
import { LoadSchema, type Load } from './load.js';

// Parsing of custom resources: the zod schema (same rules as the CRD's OpenAPI) plus the
// semantic checks the OpenAPI cannot express. Never throws on bad input: the operator reports
// the problems in status instead of crashing.

export type CustomResource = AlluxioCluster | UnderFileSystem | License | Load;

export interface ParseResult<T> {
  value?: T;
  errors: string[];
  warnings: string[];
}

const SCHEMAS = {
  AlluxioCluster: AlluxioClusterSchema,
  UnderFileSystem: UnderFileSystemSchema,
  License: LicenseSchema,
  Load: LoadSchema,
} as const;
export type CustomKind = keyof typeof SCHEMAS;

export function isCustomKind(kind: unknown): kind is CustomKind {
  return typeof kind === 'string' && Object.hasOwn(SCHEMAS, kind);
}

export function formatIssues(error: z.ZodError): string[] {
  return error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`);
}

/** Schema check and defaulting only (what the API server does with the CRD). */
export function parseSchema<K extends CustomKind>(kind: K, obj: unknown): ParseResult<z.output<(typeof SCHEMAS)[K]>> {
  const r = SCHEMAS[kind].safeParse(obj);
  if (!r.success) return { errors: formatIssues(r.error), warnings: [] };
  return { value: r.data as z.output<(typeof SCHEMAS)[K]>, errors: [], warnings: [] };
}

// "90GB" is read as 90 GiB by Alluxio (and by us), but cloud disks sold as "100 GB" hold
// 93 GiB: the classic cause of "quota exceeds the total disk space". Say so up front.
const DECIMAL_LOOKING = /^[0-9.]+\s*[KkMmGgTtPp][Bb]$/;

export function sizeUnitWarning(field: string, value: string | undefined): string | undefined {
  if (!value || !DECIMAL_LOOKING.test(value)) return undefined;
  const n = value.replace(/[A-Za-z\s]+$/, '');
  const unit = value.trim().slice(-2, -1).toUpperCase();
  const bytes = parseSize(value);
  return `${field} '${value}' is read as ${n}${unit}i (${(bytes / 1e9).toFixed(1)} GB in decimal units); ` +
    `write '${n}${unit}i' to say so, and keep it below the disk size, which clouds report in decimal GB`;
}

export function clusterSemantics(c: AlluxioCluster): { errors: string[]; warnings: string[] } {
  const errors: string[] = [];
  const warnings: string[] = [];
  const s = c.spec;
  const props = s.properties ?? {};
  if (!s.etcd.enabled && !props['alluxio.etcd.endpoints']) {
    errors.push('spec.etcd.enabled is false but spec.properties["alluxio.etcd.endpoints"] is not set: give the external etcd, e.g. http://etcd.example:2379');
  }
  const ps = s.worker.pagestore;
  const dirs = pagestoreDirs(ps);
  const paths = ps.hostPath.split(',').length;
  if (ps.type !== 'hostPath' && (dirs.length > 1 || paths > 1)) {
    errors.push(`spec.worker.pagestore: several directories ('${ps.hostPath}', '${ps.size}') need type hostPath, not ${ps.type}`);
  } else if (paths > 1 && paths !== dirs.length) {
    errors.push(`spec.worker.pagestore: ${paths} hostPaths but ${dirs.length} sizes ('${ps.size}'): give one size per directory, e.g. ${Array(paths).fill('5000Gi').join(',')}`);
  }
  const smallest = Math.min(...dirs.map((d) => parseSize(d.size)));
  for (const d of dirs) if (parseSize(d.size) <= 0) errors.push(`spec.worker.pagestore.size '${d.size}' must be greater than 0`);
  if (ps.reservedSize !== undefined && parseSize(ps.reservedSize) >= smallest) {
    errors.push(`spec.worker.pagestore.reservedSize '${ps.reservedSize}' must be smaller than size '${ps.size}'${dirs.length > 1 ? ' (each directory keeps it free)' : ''}`);
  }
  for (const [field, v] of [...dirs.map((d) => ['spec.worker.pagestore.size', d.size] as const), ['spec.worker.pagestore.reservedSize', ps.reservedSize] as const]) {
    const w = sizeUnitWarning(field, v);
    if (w) warnings.push(w);
  }
  const nameProblem = clusterNameProblem(c.metadata.name);
  if (nameProblem) errors.push(nameProblem);
  for (const [k, v] of Object.entries(props)) {
    if (typeof v !== 'string') { errors.push(`spec.properties["${k}"] must be a string (quote numbers and booleans in YAML)`); continue; }
    errors.push(...propertyProblems(k, v, warnings));
  }
  if (s.etcd.enabled && s.etcd.replicaCount % 2 === 0) {
    warnings.push(`spec.etcd.replicaCount ${s.etcd.replicaCount} is even: an even etcd cluster tolerates no more failures than ${s.etcd.replicaCount - 1}`);
  }
  return { errors, warnings };
}

/**
 * spec.properties checked against the property registry the pods will load them with, so a bad
 * key or value is a condition naming it instead of pods that crash-loop on ALX_ERR_INVALID_CONF.
 * Alluxio keys alluxio-ts does not use are warnings.
 */
function propertyProblems(key: string, value: string, warnings: string[]): string[] {
  const spec = findProperty(key);
  if (!spec) {
    const ignored = findIgnoredKey(key);
    if (ignored) { warnings.push(`spec.properties["${key}"] is ignored: ${ignored.reason}`); return []; }
    return [`spec.properties: ${unknownPropertyMessage(key)}`];
  }
  // A value with a ${reference} is resolved by the process; its result is checked there.
  if (value.includes('${') || parsePropertyValue(spec, value.trim()).ok) return [];
  return [`spec.properties["${key}"] = '${spec.secret ? '***' : value}' is not valid: expected ${expectedForm(spec)}`];
}

export function parseAlluxioCluster(obj: unknown): ParseResult<AlluxioCluster> {
  const r = parseSchema('AlluxioCluster', obj);
  if (!r.value) return r;
  const sem = clusterSemantics(r.value);
  return { value: sem.errors.length ? undefined : r.value, errors: sem.errors, warnings: sem.warnings };
}

export function parseUnderFileSystem(obj: unknown): ParseResult<UnderFileSystem> {
  return parseSchema('UnderFileSystem', obj);
}

export function parseLicense(obj: unknown): ParseResult<License> {
  return parseSchema('License', obj);
}

export function parseLoad(obj: unknown): ParseResult<Load> {
  return parseSchema('Load', obj);
}

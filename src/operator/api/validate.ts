import type { z } from 'zod';
import { parseSize } from '../../common/sizes.js';
import { AlluxioClusterSchema, type AlluxioCluster } from './alluxio-cluster.js';
import { UnderFileSystemSchema, type UnderFileSystem } from './under-file-system.js';
import { LicenseSchema, type License } from './license.js';

// Parsing of custom resources: the zod schema (same rules as the CRD's OpenAPI) plus the
// semantic checks the OpenAPI cannot express. Never throws on bad input: the operator reports
// the problems in status instead of crashing.

export type CustomResource = AlluxioCluster | UnderFileSystem | License;

export interface ParseResult<T> {
  value?: T;
  errors: string[];
  warnings: string[];
}

const SCHEMAS = {
  AlluxioCluster: AlluxioClusterSchema,
  UnderFileSystem: UnderFileSystemSchema,
  License: LicenseSchema,
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
  const size = parseSize(ps.size);
  if (size <= 0) errors.push(`spec.worker.pagestore.size '${ps.size}' must be greater than 0`);
  if (ps.reservedSize !== undefined && parseSize(ps.reservedSize) >= size) {
    errors.push(`spec.worker.pagestore.reservedSize '${ps.reservedSize}' must be smaller than size '${ps.size}'`);
  }
  for (const [field, v] of [['spec.worker.pagestore.size', ps.size], ['spec.worker.pagestore.reservedSize', ps.reservedSize]] as const) {
    const w = sizeUnitWarning(field, v);
    if (w) warnings.push(w);
  }
  for (const [k, v] of Object.entries(props)) {
    if (typeof v !== 'string') errors.push(`spec.properties["${k}"] must be a string (quote numbers and booleans in YAML)`);
  }
  if (s.etcd.enabled && s.etcd.replicaCount % 2 === 0) {
    warnings.push(`spec.etcd.replicaCount ${s.etcd.replicaCount} is even: an even etcd cluster tolerates no more failures than ${s.etcd.replicaCount - 1}`);
  }
  return { errors, warnings };
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

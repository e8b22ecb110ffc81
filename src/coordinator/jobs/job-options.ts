import { AlluxioError, InvalidArgumentError } from '../../common/errors.js';
import { SIZE_FORM, parseSize } from '../../common/sizes.js';
import type { JobOptions, JobType } from './job-types.js';

/** A job submission as the REST API takes it (DESIGN.md §9): `{path, options:{...}}`. */
export interface JobSubmission {
  path: string;
  options: JobOptions;
}

const LOAD_ONLY = new Set(['verify', 'bandwidth', 'skipIfExists', 'replicas']);
const KNOWN = new Set(['batchSize', 'fileFilterRegex', 'verify', 'bandwidth', 'skipIfExists', 'replicas', 'partialListing', 'metadataOnly']);
const MAX_REPLICAS = 16;
const MAX_BATCH = 10_000;

/**
 * Checks a submission: unknown options, wrong types and options a job type has no use for are
 * refused by name, never ignored. `partialListing` is accepted because every job lists in pages;
 * `metadataOnly` is refused as not supported yet (there is no metadata cache to load into).
 */
export function parseSubmission(type: JobType, body: unknown, defaultBatchSize: number): JobSubmission {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new InvalidArgumentError(`a ${type} job needs a JSON body such as {"path":"/s3/dataset","options":{}}`);
  const b = body as { path?: unknown; paths?: unknown; options?: unknown };
  let path = b.path;
  if (path === undefined && Array.isArray(b.paths)) {
    if (b.paths.length !== 1) throw new InvalidArgumentError(`a ${type} job takes one path (got ${b.paths.length}): submit one job per path`);
    path = b.paths[0];
  }
  if (typeof path !== 'string' || path === '') throw new InvalidArgumentError(`a ${type} job needs "path", e.g. {"path":"/s3/dataset"}`);
  const o = (b.options ?? {}) as Record<string, unknown>;
  if (o === null || typeof o !== 'object' || Array.isArray(o)) throw new InvalidArgumentError('"options" must be an object');
  for (const k of Object.keys(o)) {
    if (!KNOWN.has(k)) throw new InvalidArgumentError(`unknown ${type} job option '${k}' (known: ${[...KNOWN].join(', ')})`);
    if (type === 'free' && LOAD_ONLY.has(k) && o[k] !== undefined && o[k] !== false && o[k] !== 0) throw new InvalidArgumentError(`option '${k}' applies to load jobs only`);
  }
  if (o.metadataOnly === true) throw new AlluxioError('ALX_ERR_NOT_IMPLEMENTED', '--metadata-only is not supported yet: a load always caches the data of the files');
  const bool = (k: string): boolean => {
    const v = o[k];
    if (v === undefined) return false;
    if (typeof v !== 'boolean') throw new InvalidArgumentError(`option '${k}' must be true or false`);
    return v;
  };
  bool('partialListing');
  const int = (k: string, dflt: number, min: number, max: number): number => {
    const v = o[k];
    if (v === undefined) return dflt;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw new InvalidArgumentError(`option '${k}' must be an integer from ${min} to ${max}`);
    return v;
  };
  let bandwidth = 0;
  if (o.bandwidth !== undefined) {
    try {
      bandwidth = typeof o.bandwidth === 'number' ? o.bandwidth : typeof o.bandwidth === 'string' ? parseSize(o.bandwidth) : NaN;
    } catch {
      bandwidth = NaN;
    }
    if (!Number.isFinite(bandwidth) || bandwidth <= 0) throw new InvalidArgumentError(`option 'bandwidth' must be a rate in bytes per second: ${SIZE_FORM} (per second)`);
  }
  const fileFilterRegex = o.fileFilterRegex === undefined ? '' : o.fileFilterRegex;
  if (typeof fileFilterRegex !== 'string') throw new InvalidArgumentError("option 'fileFilterRegex' must be a string");
  try {
    new RegExp(fileFilterRegex);
  } catch (err) {
    throw new InvalidArgumentError(`option 'fileFilterRegex' is not a valid regular expression: ${(err as Error).message}`);
  }
  return {
    path,
    options: {
      verify: bool('verify'), skipIfExists: bool('skipIfExists'), bandwidth, fileFilterRegex,
      replicas: int('replicas', 1, 1, MAX_REPLICAS), batchSize: int('batchSize', defaultBatchSize, 1, MAX_BATCH),
    },
  };
}

import { z } from 'zod';
import { SIZE_PATTERN, condition, k8sName, objectMeta } from './common.js';

// Load: a load job (DESIGN.md §9) on one AlluxioCluster's coordinator, once or on a cron
// schedule, with its progress in status (what Fluid's DataLoad offers). The options are the
// `alluxio job load` flags, in the coordinator's REST names.

export const LoadSpecSchema = z.object({
  clusterRef: k8sName().describe('Name of the AlluxioCluster in the same namespace'),
  path: z.string().regex(new RegExp('^/'), 'expected an Alluxio path starting with /, e.g. /s3/datasets/imagenet')
    .describe('Alluxio path of the file or directory to load (below a mount point), e.g. /s3/datasets/imagenet'),
  verify: z.boolean().optional().describe('Re-check after each file that every page is cached'),
  bandwidth: z.string().regex(new RegExp(SIZE_PATTERN), 'expected a rate per second such as 100MB or 1GiB')
    .optional().describe("Cap on the job's UFS read rate across the cluster, per second (e.g. 100MB; MB means MiB)"),
  skipIfExists: z.boolean().optional().describe('Leave files whose every page is cached alone'),
  fileFilterRegx: z.string().optional().describe("Only files whose Alluxio path matches this regular expression (the CLI's --file-filter-regx)"),
  replicas: z.number().int().min(1).max(16).optional().describe('Cache each file on its first N owner workers'),
  partialListing: z.boolean().optional().describe('List the path a page at a time (always the case; accepted for compatibility)'),
  metadataOnly: z.boolean().optional().describe('Load metadata only (the coordinator refuses it: not supported yet)'),
  schedule: z.string().min(1).optional()
    .describe('Cron schedule in UTC (5 fields, or @daily/@hourly...): a run at every tick; without it the Load runs once'),
});

export const LOAD_PHASES = ['Pending', 'Running', 'Succeeded', 'Failed', 'Stopped'] as const;

/** Files that failed, as the coordinator reports them (the first few only; `failures.count` has them all). */
const failedFile = () => z.object({ path: z.string(), error: z.string() });

export const LoadStatusSchema = z.object({
  phase: z.enum(LOAD_PHASES).optional(),
  /** The coordinator's job id of the current (or last) run. */
  jobId: z.string().optional(),
  /** Files done (loaded or already cached) and listed so far; the total grows until the listing is done. */
  filesLoaded: z.number().int().optional(),
  filesTotal: z.number().int().optional(),
  bytesLoaded: z.number().int().optional(),
  bytesTotal: z.number().int().optional(),
  failures: z.object({
    count: z.number().int(),
    files: z.array(failedFile()).optional(),
  }).optional(),
  errorMessage: z.string().optional(),
  startTime: z.string().optional(),
  completionTime: z.string().optional(),
  lastScheduleTime: z.string().optional(),
  nextScheduleTime: z.string().optional(),
  /** The generation the current (or last) run was submitted for: a spec change starts a new run. */
  runGeneration: z.number().int().optional(),
  conditions: z.array(condition()).optional(),
  observedGeneration: z.number().int().optional(),
});

export const LoadSchema = z.object({
  apiVersion: z.literal('k8s-operator.alluxio.com/v1'),
  kind: z.literal('Load'),
  metadata: objectMeta(),
  spec: LoadSpecSchema,
  status: LoadStatusSchema.optional(),
});

export type Load = z.output<typeof LoadSchema>;
export type LoadSpec = z.output<typeof LoadSpecSchema>;
export type LoadStatus = z.output<typeof LoadStatusSchema>;
export type LoadPhase = (typeof LOAD_PHASES)[number];

/** How many failed files status lists (the coordinator keeps up to 1000 per job). */
export const LOAD_FAILED_FILES_SHOWN = 5;

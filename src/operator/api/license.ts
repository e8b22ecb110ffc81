import { z } from 'zod';
import { condition, k8sName, objectMeta } from './common.js';

// License: a deployment license applied to several AlluxioClusters.

export const LicenseSpecSchema = z.object({
  clusters: z.array(z.object({ name: k8sName(), namespace: k8sName() })).min(1),
  licenseString: z.string().min(1),
});

export const LICENSE_PHASES = ['Allocating', 'Completed', 'Failed'] as const;

export const LicenseStatusSchema = z.object({
  phase: z.enum(LICENSE_PHASES).optional(),
  errorMessage: z.string().optional(),
  conditions: z.array(condition()).optional(),
  observedGeneration: z.number().int().optional(),
});

export const LicenseSchema = z.object({
  apiVersion: z.literal('k8s-operator.alluxio.com/v1'),
  kind: z.literal('License'),
  metadata: objectMeta(),
  spec: LicenseSpecSchema,
  status: LicenseStatusSchema.optional(),
});

export type License = z.output<typeof LicenseSchema>;
export type LicensePhase = (typeof LICENSE_PHASES)[number];

import { z } from 'zod';
import { condition, k8sName, objectMeta, stringMap } from './common.js';

// UnderFileSystem (short name ufs): one mount point of one AlluxioCluster.

export const UnderFileSystemSpecSchema = z.object({
  alluxioCluster: k8sName().describe('Name of the AlluxioCluster in the same namespace'),
  path: z.string().min(1).regex(new RegExp('^([a-zA-Z][a-zA-Z0-9+.-]*://|/)'), 'expected a UFS URI such as s3://bucket/dir/ or an absolute local path')
    .describe('UFS URI, e.g. s3://bucket/dir/'),
  mountPath: z.string().regex(new RegExp('^/([^/]+/?)?$'), 'expected a direct child of / such as /s3')
    .describe('Alluxio path: a direct child of / such as /s3'),
  mountOptions: stringMap().optional().describe('Mount options (credentials, region); prefer credentialsSecretRef for secrets'),
  credentialsSecretRef: z.object({
    name: k8sName(),
  }).optional().describe('A Secret in the same namespace whose keys are mount options (s3a.accessKeyId, s3a.secretKey)'),
});

export const UFS_PHASES = ['Pending', 'Ready', 'Failed'] as const;

export const UnderFileSystemStatusSchema = z.object({
  phase: z.enum(UFS_PHASES).optional(),
  errorMessage: z.string().optional(),
  conditions: z.array(condition()).optional(),
  observedGeneration: z.number().int().optional(),
  /** sha256 over what was mounted (secret resourceVersion, never its values). */
  mountedHash: z.string().optional(),
  /** The Alluxio path currently mounted (to unmount it when spec.mountPath changes). */
  mountedPath: z.string().optional(),
});

export const UnderFileSystemSchema = z.object({
  apiVersion: z.literal('k8s-operator.alluxio.com/v1'),
  kind: z.literal('UnderFileSystem'),
  metadata: objectMeta(),
  spec: UnderFileSystemSpecSchema,
  status: UnderFileSystemStatusSchema.optional(),
});

export type UnderFileSystem = z.output<typeof UnderFileSystemSchema>;
export type UnderFileSystemSpec = z.output<typeof UnderFileSystemSpecSchema>;
export type UfsPhase = (typeof UFS_PHASES)[number];

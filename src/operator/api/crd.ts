import { z } from 'zod';
import { CONDITION, GROUP, VERSION } from '../constants.js';
import { CLUSTER_NAME_MAX, CLUSTER_NAME_PATTERN } from './cluster-name.js';
import { AlluxioClusterSpecSchema, AlluxioClusterStatusSchema } from './alluxio-cluster.js';
import { UnderFileSystemSpecSchema, UnderFileSystemStatusSchema } from './under-file-system.js';
import { LicenseSpecSchema, LicenseStatusSchema } from './license.js';
import { LoadSpecSchema, LoadStatusSchema } from './load.js';

// CustomResourceDefinitions built from the zod schemas. The JSON Schema zod emits is turned into
// a Kubernetes structural schema: every node typed, no $schema/$ref, records as
// additionalProperties, opaque objects as x-kubernetes-preserve-unknown-fields.

type Json = Record<string, unknown>;

export interface CrdInfo {
  kind: string;
  plural: string;
  singular: string;
  shortNames?: string[];
  spec: z.ZodType;
  status: z.ZodType;
  specRequired: boolean;
  phaseColumn: string;
  /** Printer columns after the phase (before Age; priority 1 ones only with -o wide). */
  columns?: PrinterColumn[];
  /** CEL rules on the whole object (x-kubernetes-validations at the root; only metadata.name/generateName are visible there). */
  rules?: { rule: string; message: string }[];
}

export interface PrinterColumn { name: string; type: 'string' | 'integer' | 'date'; jsonPath: string; priority?: number; description?: string }

const conditionColumn = (name: string, type: string, field: 'status' | 'reason' | 'message', priority?: number): PrinterColumn => ({
  name, type: 'string', jsonPath: `.status.conditions[?(@.type=="${type}")].${field}`, ...(priority ? { priority } : {}),
});

// `kubectl get alluxiocluster` shows whether it is Ready and, when not, the cause (the Ready
// condition's reason is the first failing diagnosis); -o wide adds the message with the fix.
const CLUSTER_COLUMNS: PrinterColumn[] = [
  conditionColumn('Ready', CONDITION.Ready, 'status'),
  conditionColumn('Reason', CONDITION.Ready, 'reason'),
  conditionColumn('Message', CONDITION.Ready, 'message', 1),
  conditionColumn('License', CONDITION.LicenseValid, 'reason', 1),
];
const LICENSE_COLUMNS: PrinterColumn[] = [
  conditionColumn('Valid', CONDITION.LicenseValid, 'reason'),
  conditionColumn('Message', CONDITION.LicenseValid, 'message', 1),
];
// `kubectl get load`: what is loaded and how far; -o wide adds why (the Loaded condition's reason and message).
const LOAD_COLUMNS: PrinterColumn[] = [
  { name: 'Path', type: 'string', jsonPath: '.spec.path' },
  { name: 'Files', type: 'integer', jsonPath: '.status.filesLoaded', description: 'Files done (loaded or already cached)' },
  { name: 'Bytes', type: 'integer', jsonPath: '.status.bytesLoaded', description: 'Bytes of the files done' },
  { name: 'Total', type: 'integer', jsonPath: '.status.filesTotal', priority: 1, description: 'Files listed so far' },
  conditionColumn('Reason', CONDITION.Loaded, 'reason', 1),
  conditionColumn('Message', CONDITION.Loaded, 'message', 1),
];

// The cluster name becomes Service and StatefulSet names (builders/names.ts): refused by the API server.
const CLUSTER_NAME_RULES = [
  { rule: `self.metadata.name.size() <= ${CLUSTER_NAME_MAX}`, message: `an AlluxioCluster name may have at most ${CLUSTER_NAME_MAX} characters (its Services and StatefulSets are named after it)` },
  { rule: `self.metadata.name.matches('${CLUSTER_NAME_PATTERN}')`, message: 'an AlluxioCluster name must be a DNS-1035 label: lower-case letters, digits and \'-\', starting with a letter, no dots' },
];

export const CRDS: readonly CrdInfo[] = [
  { kind: 'AlluxioCluster', plural: 'alluxioclusters', singular: 'alluxiocluster', spec: AlluxioClusterSpecSchema,
    status: AlluxioClusterStatusSchema, specRequired: false, phaseColumn: 'ClusterPhase', rules: CLUSTER_NAME_RULES, columns: CLUSTER_COLUMNS },
  { kind: 'UnderFileSystem', plural: 'underfilesystems', singular: 'underfilesystem', shortNames: ['ufs'],
    spec: UnderFileSystemSpecSchema, status: UnderFileSystemStatusSchema, specRequired: true, phaseColumn: 'Phase' },
  { kind: 'License', plural: 'licenses', singular: 'license', spec: LicenseSpecSchema, status: LicenseStatusSchema,
    specRequired: true, phaseColumn: 'Phase', columns: LICENSE_COLUMNS },
  { kind: 'Load', plural: 'loads', singular: 'load', shortNames: ['ld'], spec: LoadSpecSchema, status: LoadStatusSchema,
    specRequired: true, phaseColumn: 'Phase', columns: LOAD_COLUMNS },
];

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** Rewrites zod's JSON Schema (OpenAPI 3.0 target) into a Kubernetes structural schema. */
export function toStructural(node: unknown): Json {
  const n = { ...(node as Json) };
  delete n.$schema;
  if (n.maximum === MAX_SAFE) delete n.maximum;
  if (n.minimum === -MAX_SAFE) delete n.minimum;
  if (n['x-kubernetes-preserve-unknown-fields']) {
    delete n.additionalProperties;
    n.type = 'object';
    return n;
  }
  if (Array.isArray(n.anyOf)) {
    const types = (n.anyOf as Json[]).map((s) => s.type).sort();
    if (types.join() === 'integer,string' || types.join() === 'number,string') {
      delete n.anyOf;
      n['x-kubernetes-int-or-string'] = true;
      return n;
    }
    throw new Error(`CRD schema: a union of ${types.join(',')} is not structural`);
  }
  if (n.properties) {
    const props: Json = {};
    for (const [k, v] of Object.entries(n.properties as Json)) props[k] = toStructural(v);
    n.properties = props;
    if (n.additionalProperties === false) delete n.additionalProperties;
  }
  if (n.additionalProperties && typeof n.additionalProperties === 'object') {
    n.additionalProperties = toStructural(n.additionalProperties);
  }
  if (n.items) n.items = toStructural(n.items);
  if (Array.isArray(n.required) && n.required.length === 0) delete n.required;
  if (n.type === undefined) throw new Error(`CRD schema: untyped node ${JSON.stringify(node)}`);
  return n;
}

export function openApiFor(schema: z.ZodType): Json {
  return toStructural(z.toJSONSchema(schema, { io: 'input', target: 'openapi-3.0' }));
}

export function buildCrd(info: CrdInfo): Json {
  const spec = openApiFor(info.spec);
  const status = openApiFor(info.status);
  const root: Json = {
    type: 'object',
    description: `${info.kind} (${GROUP}/${VERSION}); generated from src/operator/api by generate-crds.ts`,
    properties: {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: { type: 'object' },
      spec: info.specRequired ? spec : { ...spec, default: {} },
      status,
    },
    ...(info.specRequired ? { required: ['spec'] } : {}),
    ...(info.rules ? { 'x-kubernetes-validations': info.rules } : {}),
  };
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${info.plural}.${GROUP}` },
    spec: {
      group: GROUP,
      scope: 'Namespaced',
      names: {
        kind: info.kind, listKind: `${info.kind}List`, plural: info.plural, singular: info.singular,
        ...(info.shortNames ? { shortNames: info.shortNames } : {}),
        categories: ['alluxio'],
      },
      versions: [{
        name: VERSION,
        served: true,
        storage: true,
        subresources: { status: {} },
        additionalPrinterColumns: [
          { name: info.phaseColumn, type: 'string', jsonPath: '.status.phase' },
          ...(info.columns ?? []).filter((c) => !c.priority),
          { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
          ...(info.columns ?? []).filter((c) => c.priority),
        ],
        schema: { openAPIV3Schema: root },
      }],
    },
  };
}

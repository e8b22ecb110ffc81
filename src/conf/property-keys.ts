import { CLIENT_PROPERTIES } from './property-keys-client.js';
import { CORE_PROPERTIES } from './property-keys-core.js';
import { UFS_PROPERTIES } from './property-keys-ufs.js';
import { WORKER_PROPERTIES } from './property-keys-worker.js';
import { isKnownAlluxioKey, KNOWN_UNUSED_REASON, knownAlluxioKeys } from './alluxio-known-keys.js';
import type { IgnoredKey, PropertySpec, PropertyType } from './property-spec.js';

// The property table: every key declared once, plus the Alluxio keys we accept and ignore.

/** Every declared property, in declaration order. */
export const PROPERTIES = [
  ...CORE_PROPERTIES,
  ...WORKER_PROPERTIES,
  ...CLIENT_PROPERTIES,
  ...UFS_PROPERTIES,
] as const satisfies readonly PropertySpec[];

type DeclaredProperty = (typeof PROPERTIES)[number];

/** The name of any declared property. */
export type PropertyName = DeclaredProperty['name'];
/** The names of the declared properties of one type, for the typed getters. */
export type PropertyNameOfType<T extends PropertyType> = Extract<DeclaredProperty, { type: T }>['name'];
/** The accepted values of an enum property. */
export type EnumValueOf<K extends PropertyNameOfType<'enum'>> =
  Extract<DeclaredProperty, { name: K }> extends { values: readonly (infer V)[] } ? V : never;

/**
 * Keys from Alluxio's guides that mean nothing in the decentralized architecture. A site file
 * copied from those guides should still load, so these produce a warning, not an error.
 */
export const IGNORED_KEYS: readonly IgnoredKey[] = [
  { pattern: 'alluxio.master.hostname', reason: 'there is no master; clients find workers through etcd or the static worker list' },
  { pattern: 'alluxio.master.rpc.port', reason: 'there is no master' },
  { pattern: 'alluxio.master.web.port', reason: 'there is no master' },
  { pattern: 'alluxio.master.journal.type', reason: 'there is no master journal; state lives in etcd' },
  { pattern: 'alluxio.master.journal.folder', reason: 'there is no master journal; state lives in etcd' },
  { pattern: 'alluxio.master.embedded.journal.addresses', reason: 'there is no master journal; state lives in etcd' },
  { pattern: 'alluxio.job.master.hostname', reason: 'jobs run on the coordinator (alluxio.coordinator.hostname)' },
  { pattern: 'alluxio.user.block.size.bytes.default', reason: 'there are no blocks; see alluxio.worker.page.store.page.size' },
  { pattern: 'alluxio.user.file.writetype.default', reason: 'writes go to the UFS' },
  { pattern: 'alluxio.user.file.readtype.default', reason: 'reads always cache' },
  { pattern: 'alluxio.security.stale.channel.purge.interval', reason: 'there are no long-lived authenticated channels' },
  { pattern: 'alluxio.worker.ramdisk.size', reason: 'there is no ramdisk tier; see alluxio.worker.page.store.type=MEM' },
  { pattern: 'alluxio.worker.block.store.type', reason: 'the worker always uses the page store' },
];

// Name → declaration. A duplicate name breaks every process at once; the full shape of each
// declaration is checked by the tests (property-spec-schema.ts).
const BY_NAME = new Map<string, PropertySpec>();
for (const spec of PROPERTIES as readonly PropertySpec[]) {
  for (const name of [spec.name, ...(spec.aliases ?? [])]) {
    if (BY_NAME.has(name)) throw new Error(`property ${name} is declared twice`);
    BY_NAME.set(name, spec);
  }
}

const IGNORED_MATCHERS = IGNORED_KEYS.map((k) => ({
  key: k,
  regex: new RegExp('^' + k.pattern.split('*').map(escapeRegex).join('.*') + '$'),
}));

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The declaration of a key or one of its aliases, or undefined when the key is not declared. */
export function findProperty(key: string): PropertySpec | undefined {
  return BY_NAME.get(key);
}

/**
 * The ignored-key entry matching `key`, or undefined: one of IGNORED_KEYS (with its reason), or
 * any other key Alluxio defines (resources/alluxio-property-keys/), accepted with a warning.
 */
export function findIgnoredKey(key: string): IgnoredKey | undefined {
  const listed = IGNORED_MATCHERS.find((m) => m.regex.test(key))?.key;
  if (listed) return listed;
  return !BY_NAME.has(key) && isKnownAlluxioKey(key) ? { pattern: key, reason: KNOWN_UNUSED_REASON } : undefined;
}

/** The declared or Alluxio-defined name closest to an unknown key, when one is close enough to be a typo. */
export function suggestProperty(key: string): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const name of [...BY_NAME.keys(), ...knownAlluxioKeys()]) {
    const d = editDistance(key.toLowerCase(), name.toLowerCase(), bestDistance);
    if (d < bestDistance) { bestDistance = d; best = name; }
  }
  // A typo, a swapped pair or a missing segment, but not a different property altogether.
  const limit = Math.max(2, Math.floor(key.length * 0.15));
  return bestDistance <= limit ? best : undefined;
}

/** The error message for an unknown key: `unknown property 'x' (did you mean 'y'?)`. */
export function unknownPropertyMessage(key: string): string {
  const suggestion = suggestProperty(key);
  return `unknown property '${key}'` + (suggestion ? ` (did you mean '${suggestion}'?)` : '');
}

/** Levenshtein distance, giving up (returning `cap`) once every path exceeds `cap`. */
function editDistance(a: string, b: string, cap: number): number {
  if (Math.abs(a.length - b.length) >= cap) return cap;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  let cur = new Array<number>(b.length + 1);
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (cur[j]! < rowMin) rowMin = cur[j]!;
    }
    if (rowMin >= cap) return cap;
    [prev, cur] = [cur, prev];
  }
  return prev[b.length]!;
}

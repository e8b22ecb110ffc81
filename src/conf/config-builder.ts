import { DEFAULT_SOURCE, type ConfigInput, type ConfigSource } from './config-source.js';
import { findIgnoredKey, findProperty, PROPERTIES, unknownPropertyMessage } from './property-keys.js';
import type { PropertySpec } from './property-spec.js';
import { expectedForm, parsePropertyValue, type PropertyValue } from './property-values.js';

// Turns configuration inputs into validated entries, in two steps:
// 1. merge: check each key (unknown = problem, ignored = warning, alias → its property), later wins;
// 2. resolve: fill in defaults, substitute ${key} references, parse every value by its type.
// Problems are collected rather than thrown one at a time, so a bad site file is fixed in one go.

/** A value set by a source other than the defaults, trimmed, not yet substituted. */
export interface RawValue {
  readonly value: string;
  readonly source: ConfigSource;
  readonly location: string | undefined;
}

/** A property after resolution. */
export interface ResolvedEntry {
  readonly spec: PropertySpec;
  /** The value with references substituted; undefined when unset. */
  readonly value: string | undefined;
  readonly parsed: PropertyValue | undefined;
  readonly source: ConfigSource;
  /** The property is secret, or its value took in a secret through a ${} reference. */
  readonly secret: boolean;
}

export interface BuildContext {
  /** The working directory, for alluxio.home's default. */
  readonly cwd: string;
}

const REFERENCE = /\$\{([^{}]*)\}/g;

/** Applies `inputs` over `base` (a copy is returned). Unknown keys and non-string values are problems. */
export function mergeInputs(
  base: ReadonlyMap<string, RawValue>,
  inputs: readonly ConfigInput[],
  problems: string[],
  warnings: string[],
): Map<string, RawValue> {
  const merged = new Map(base);
  for (const input of inputs) {
    const where = input.location ? ` (in ${input.location})` : '';
    if (typeof input.key !== 'string' || typeof input.value !== 'string') {
      problems.push(`configuration keys and values must be strings: ${String(input.key)}${where}`);
      continue;
    }
    const key = input.key.trim();
    const spec = findProperty(key);
    if (spec === undefined) {
      const ignored = findIgnoredKey(key);
      if (ignored) warnings.push(`ignoring ${key}${where}: ${ignored.reason}`);
      else problems.push(unknownPropertyMessage(key) + where);
      continue;
    }
    const source = Object.freeze({ ...input.source });
    merged.set(spec.name, { value: input.value.trim(), source, location: input.location });
  }
  return merged;
}

/** Resolves every declared property against the merged user values. */
export function resolveAll(
  user: ReadonlyMap<string, RawValue>,
  ctx: BuildContext,
  problems: string[],
): Map<string, ResolvedEntry> {
  const resolver = new Resolver(user, ctx);
  const entries = new Map<string, ResolvedEntry>();
  const seen = new Set<string>();
  // One cycle shows up once per property in it; report each problem once.
  const report = (message: string, where: string): void => {
    if (!seen.has(message)) { seen.add(message); problems.push(message + where); }
  };
  for (const spec of PROPERTIES as readonly PropertySpec[]) {
    const raw = user.get(spec.name);
    const where = raw?.location ? ` (in ${raw.location})` : '';
    let value: string | undefined;
    let secret = spec.secret === true;
    try {
      const r = resolver.resolve(spec.name, []);
      value = r?.value;
      secret ||= r?.secret ?? false;
    } catch (err) {
      if (!(err instanceof ReferenceProblem)) throw err;
      report(err.message, where);
      continue;
    }
    let parsed: PropertyValue | undefined;
    if (value !== undefined) {
      const result = parsePropertyValue(spec, value);
      if (!result.ok) {
        const shown = secret ? '***' : value;
        report(`invalid value '${shown}' for ${spec.name}: expected ${expectedForm(spec)}`, where);
        continue;
      }
      parsed = result.value;
    }
    entries.set(spec.name, { spec, value, parsed, source: raw?.source ?? DEFAULT_SOURCE, secret });
  }
  return entries;
}

class ReferenceProblem extends Error {}

/** Substitutes ${key} references, memoised, detecting cycles. */
class Resolver {
  readonly #done = new Map<string, { value: string; secret: boolean } | undefined>();

  constructor(
    private readonly user: ReadonlyMap<string, RawValue>,
    private readonly ctx: BuildContext,
  ) {}

  resolve(name: string, stack: string[]): { value: string; secret: boolean } | undefined {
    if (this.#done.has(name)) return this.#done.get(name);
    if (stack.includes(name)) {
      // Start the cycle at its smallest name, so each cycle reads the same from wherever it was entered.
      const loop = stack.slice(stack.indexOf(name));
      const first = loop.indexOf([...loop].sort()[0]!);
      const rotated = [...loop.slice(first), ...loop.slice(0, first)];
      const cycle = [...rotated, rotated[0]].join(' -> ');
      throw new ReferenceProblem(`cycle in property references: ${cycle}`);
    }
    const spec = findProperty(name)!;
    const raw = this.user.get(name)?.value ?? this.defaultOf(spec);
    if (raw === undefined) {
      this.#done.set(name, undefined);
      return undefined;
    }
    let secret = spec.secret === true;
    const value = raw.replace(REFERENCE, (_match, ref: string) => {
      const refName = ref.trim();
      const refSpec = findProperty(refName);
      if (refSpec === undefined) {
        throw new ReferenceProblem(`${name} refers to \${${refName}}: ${unknownPropertyMessage(refName)}`);
      }
      const resolved = this.resolve(refSpec.name, [...stack, name]);
      if (resolved === undefined) throw new ReferenceProblem(`${name} refers to \${${refName}}, which is not set`);
      secret ||= resolved.secret;
      return resolved.value;
    });
    const result = { value, secret };
    this.#done.set(name, result);
    return result;
  }

  private defaultOf(spec: PropertySpec): string | undefined {
    if (spec.dynamicDefault === 'cwd') return this.ctx.cwd;
    return spec.default;
  }
}

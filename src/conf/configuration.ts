import { InvalidConfError } from '../common/errors.js';
import { mergeInputs, resolveAll, type RawValue, type ResolvedEntry } from './config-builder.js';
import type { ConfigInput, ConfigSource } from './config-source.js';
import {
  findIgnoredKey, findProperty, unknownPropertyMessage,
  type EnumValueOf, type PropertyName, type PropertyNameOfType,
} from './property-keys.js';
import { PROPERTY_TYPES, type PropertySpec, type PropertyType } from './property-spec.js';
import { splitList } from './property-values.js';

/** One property as printed by `alluxio conf get`. */
export interface ConfigEntry {
  readonly name: string;
  /** The value with ${} references substituted, secrets included; undefined when unset. */
  readonly value: string | undefined;
  /** The value for printing: `***` for secrets. */
  readonly displayValue: string | undefined;
  readonly source: ConfigSource;
  readonly spec: PropertySpec;
}

export interface BuildOptions {
  /** Working directory, for alluxio.home's default (default: process.cwd()). */
  cwd?: string;
  /** Receives warnings about ignored keys (default: written to stderr). */
  onWarning?: (message: string) => void;
}

function defaultWarning(message: string): void {
  process.stderr.write(`WARN conf: ${message}\n`);
}

/**
 * A loaded configuration: every declared property resolved, substituted and validated once, at
 * load. Immutable; `withOverrides` derives a new one. Getters return the values parsed at load,
 * so reading a property on a hot path costs one map lookup.
 */
export class AlluxioConfiguration {
  readonly #entries: ReadonlyMap<string, ResolvedEntry>;
  readonly #user: ReadonlyMap<string, RawValue>;
  readonly #cwd: string;
  /** Warnings raised while loading (ignored Alluxio keys). */
  readonly warnings: readonly string[];

  private constructor(entries: ReadonlyMap<string, ResolvedEntry>, user: ReadonlyMap<string, RawValue>, cwd: string, warnings: string[]) {
    this.#entries = entries;
    this.#user = user;
    this.#cwd = cwd;
    this.warnings = Object.freeze(warnings);
    Object.freeze(this);
  }

  /**
   * Builds a configuration from inputs applied in order (later wins) over the defaults.
   * Throws InvalidConfError listing every unknown key, bad value and bad reference, one per line.
   */
  static fromInputs(inputs: readonly ConfigInput[], options: BuildOptions = {}): AlluxioConfiguration {
    if (!Array.isArray(inputs)) throw new InvalidConfError('configuration inputs must be an array');
    return AlluxioConfiguration.#build(new Map(), inputs, options.cwd ?? process.cwd(), [], options.onWarning);
  }

  static #build(
    base: ReadonlyMap<string, RawValue>, inputs: readonly ConfigInput[], cwd: string,
    inheritedWarnings: readonly string[], onWarning: ((m: string) => void) | undefined,
  ): AlluxioConfiguration {
    const problems: string[] = [];
    const warnings: string[] = [];
    const user = mergeInputs(base, inputs, problems, warnings);
    const entries = resolveAll(user, { cwd }, problems);
    if (problems.length > 0) throw new InvalidConfError(problems.join('\n'));
    for (const w of warnings) (onWarning ?? defaultWarning)(w);
    return new AlluxioConfiguration(entries, user, cwd, [...inheritedWarnings, ...warnings]);
  }

  /**
   * A new configuration with `values` applied over this one (source `override`, detail `detail`),
   * e.g. one mount's options over the global properties. Validated like a load.
   */
  withOverrides(values: Readonly<Record<string, string>>, detail?: string, options: Pick<BuildOptions, 'onWarning'> = {}): AlluxioConfiguration {
    if (values === null || typeof values !== 'object') throw new InvalidConfError('overrides must be an object of key to value');
    const source: ConfigSource = detail === undefined ? { kind: 'override' } : { kind: 'override', detail };
    const inputs = Object.entries(values).map(([key, value]) => ({ key, value, source, location: detail ?? 'overrides' }));
    return AlluxioConfiguration.#build(this.#user, inputs, this.#cwd, this.warnings, options.onWarning);
  }

  /** The value (references substituted) or undefined when unset. Unknown keys throw; ignored Alluxio keys read as unset. */
  get(key: string): string | undefined {
    const entry = this.#lookup(key);
    return entry?.value;
  }

  /** True when the property has a value, a default included (as Alluxio's isSet). */
  isSet(key: string): boolean {
    return this.#lookup(key)?.value !== undefined;
  }

  /** True when a source other than the defaults set the property. */
  isSetByUser(key: string): boolean {
    const entry = this.#lookup(key);
    return entry !== undefined && entry.source.kind !== 'default';
  }

  /** Where the value came from; `{kind: 'default'}` for properties left at (or without) their default. */
  source(key: string): ConfigSource {
    const entry = this.#lookup(key);
    return entry?.source ?? { kind: 'default' };
  }

  /** The value of any property as a string (references substituted); throws when unset. */
  getString(key: PropertyName): string {
    return this.#require(key, PROPERTY_TYPES).value!;
  }

  getInt(key: PropertyNameOfType<'int'>): number {
    return this.#typed(key, ['int']) as number;
  }

  getBool(key: PropertyNameOfType<'bool'>): boolean {
    return this.#typed(key, ['bool']) as boolean;
  }

  /** Bytes (MB means MiB). */
  getSize(key: PropertyNameOfType<'size'>): number {
    return this.#typed(key, ['size']) as number;
  }

  /** Milliseconds. */
  getDuration(key: PropertyNameOfType<'duration'>): number {
    return this.#typed(key, ['duration']) as number;
  }

  /** Entries trimmed, empty entries dropped. A sizeList reads as its unparsed entries. */
  getList(key: PropertyNameOfType<'list'> | PropertyNameOfType<'sizeList'>): readonly string[] {
    const entry = this.#require(key, ['list', 'sizeList']);
    return entry.spec.type === 'list'
      ? entry.parsed as readonly string[]
      : Object.freeze(splitList(entry.value!));
  }

  /** Bytes per entry. */
  getSizeList(key: PropertyNameOfType<'sizeList'>): readonly number[] {
    return this.#typed(key, ['sizeList']) as readonly number[];
  }

  /** The accepted value, upper case (the file may write it in any case). */
  getEnum<K extends PropertyNameOfType<'enum'>>(key: K): EnumValueOf<K> {
    return this.#typed(key, ['enum']) as EnumValueOf<K>;
  }

  /**
   * Every declared property, sorted by name (code-unit order), with its value, display value and
   * source. Not localeCompare: a process's first call of it sets up ICU collation (about 20 ms,
   * and every client command reads entries(), for the UFS options); for the declared names the
   * two orders agree.
   */
  entries(): ConfigEntry[] {
    return [...this.#entries.values()]
      .sort((a, b) => (a.spec.name < b.spec.name ? -1 : a.spec.name > b.spec.name ? 1 : 0))
      .map((e) => ({
        name: e.spec.name,
        value: e.value,
        displayValue: e.value === undefined ? undefined : e.secret ? '***' : e.value,
        source: e.source,
        spec: e.spec,
      }));
  }

  /** Every property that has a value, sorted by name, secrets shown as `***`. For printing. */
  toDisplayMap(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const e of this.entries()) if (e.displayValue !== undefined) out[e.name] = e.displayValue;
    return out;
  }

  /**
   * The values set by sources other than the defaults, as written (references not substituted,
   * secrets included), e.g. to hand this configuration to a child process. Never print it.
   */
  userValues(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [name, raw] of [...this.#user].sort(([a], [b]) => a.localeCompare(b))) out[name] = raw.value;
    return out;
  }

  #lookup(key: string): ResolvedEntry | undefined {
    if (typeof key !== 'string') throw new InvalidConfError(`property key must be a string, got ${typeof key}`);
    const spec = findProperty(key);
    if (spec === undefined) {
      if (findIgnoredKey(key)) return undefined;
      throw new InvalidConfError(unknownPropertyMessage(key));
    }
    return this.#entries.get(spec.name);
  }

  #require(key: string, types: readonly PropertyType[]): ResolvedEntry {
    const entry = this.#lookup(key);
    if (entry === undefined) throw new InvalidConfError(unknownPropertyMessage(key));
    if (!types.includes(entry.spec.type)) {
      throw new InvalidConfError(`property ${entry.spec.name} is of type ${entry.spec.type}, not ${types.join(' or ')}`);
    }
    if (entry.value === undefined) throw new InvalidConfError(`property ${entry.spec.name} is not set and has no default`);
    return entry;
  }

  #typed(key: string, types: readonly PropertyType[]): unknown {
    return this.#require(key, types).parsed;
  }
}

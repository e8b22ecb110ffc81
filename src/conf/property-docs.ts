import { IGNORED_KEYS, PROPERTIES, findProperty } from './property-keys.js';
import type { PropertyScope, PropertySpec } from './property-spec.js';
import { expectedForm } from './property-values.js';

// Property descriptions for `alluxio conf get` and generated documentation.

export interface PropertyDescription extends PropertySpec {
  /** What the property accepts, e.g. `one of LRU, LFU, FIFO`. */
  readonly form: string;
  /** The default for display: `(current directory)` for alluxio.home, undefined when unset. */
  readonly defaultDisplay: string | undefined;
}

function describe(spec: PropertySpec): PropertyDescription {
  const defaultDisplay = spec.dynamicDefault === 'cwd' ? '(current directory)' : spec.default;
  return { ...spec, form: expectedForm(spec), defaultDisplay };
}

/** The declaration of a property (by name or alias), or undefined when the key is not declared. */
export function describeProperty(key: string): PropertyDescription | undefined {
  const spec = findProperty(key);
  return spec === undefined ? undefined : describe(spec);
}

/** Every declared property sorted by name, optionally only those of one scope (plus scope `all`). */
export function listProperties(scope?: PropertyScope): PropertyDescription[] {
  return (PROPERTIES as readonly PropertySpec[])
    .filter((s) => scope === undefined || s.scope === scope || s.scope === 'all')
    .map(describe)
    .sort((a, b) => a.name.localeCompare(b.name));
}

function cell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function code(text: string): string {
  return '`' + text.replace(/`/g, "'") + '`';
}

/** A markdown table of every property, then the Alluxio keys accepted and ignored. */
export function renderPropertyTable(): string {
  const lines = [
    '| Property | Type | Default | Scope | Description |',
    '|---|---|---|---|---|',
  ];
  for (const p of listProperties()) {
    const type = p.type === 'enum' ? `enum (${p.values!.join(', ')})` : p.type;
    const def = p.defaultDisplay === undefined ? '' : p.dynamicDefault ? p.defaultDisplay : code(p.defaultDisplay);
    let description = p.description;
    if (p.aliases?.length) description += ` Also accepted as ${p.aliases.map(code).join(', ')}.`;
    if (p.secret && !/redacted/i.test(description)) description += ' Redacted when printed.';
    lines.push(`| ${code(p.name)} | ${cell(type)} | ${cell(def)} | ${p.scope} | ${cell(description)} |`);
  }
  lines.push('', 'Accepted but ignored (a warning is logged):', '', '| Key | Why |', '|---|---|');
  for (const k of IGNORED_KEYS) lines.push(`| ${code(k.pattern)} | ${cell(k.reason)} |`);
  return lines.join('\n') + '\n';
}

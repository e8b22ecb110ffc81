import type { Command } from 'commander';
import { InvalidArgumentError, NotFoundError } from '../../common/errors.js';
import { parseDuration, parseSize } from '../../common/sizes.js';
import { findIgnoredKey, splitList, suggestProperty, type ConfigEntry, type ConfigSource } from '../../conf/index.js';
import { commandConf, type GlobalOptions } from '../context.js';

interface Unit { kind: 'size' | 'duration'; factor: number }

/** `--unit` of 2.x's getConf: bytes for size properties, time for durations. */
const UNITS: Record<string, Unit> = {
  B: { kind: 'size', factor: 1 }, KB: { kind: 'size', factor: 1024 }, MB: { kind: 'size', factor: 1024 ** 2 },
  GB: { kind: 'size', factor: 1024 ** 3 }, TB: { kind: 'size', factor: 1024 ** 4 }, PB: { kind: 'size', factor: 1024 ** 5 },
  MS: { kind: 'duration', factor: 1 }, S: { kind: 'duration', factor: 1000 }, MIN: { kind: 'duration', factor: 60_000 },
  HOUR: { kind: 'duration', factor: 3_600_000 }, DAY: { kind: 'duration', factor: 86_400_000 },
};

/** 2.x's source names (Source.Type): environment variables and -D options were system properties there. */
function source2x(s: ConfigSource): string {
  switch (s.kind) {
    case 'default': return 'DEFAULT';
    case 'site-properties': return `SITE_PROPERTY (${s.detail ?? 'alluxio-site.properties'})`;
    case 'env': case 'java-opts': return 'SYSTEM_PROPERTY';
    default: return 'RUNTIME';
  }
}

/**
 * `alluxio getConf [--master] [--source] [--unit U] [key]`, as 2.x prints it: the value of one key,
 * or `key=value` for every property that has one (sorted), with ` (SOURCE)` after it on --source.
 * Secrets print as ***.
 */
export function registerGetConfCommand(program: Command, global: () => GlobalOptions): void {
  program.command('getConf').argument('[key]')
    .option('--master', 'the cluster\'s configuration: there is no master, processes read the same alluxio-site.properties as this CLI')
    .option('--source', 'also print where each value came from (DEFAULT, SITE_PROPERTY (file), SYSTEM_PROPERTY, RUNTIME)')
    .option('--unit <unit>', `print a size or duration in this unit: ${Object.keys(UNITS).join(', ')}`)
    .option('--json', 'print JSON: {key: value} for every property (with --source: {key: {value, source}}), or {name, value, source} for one key')
    .description('2.x spelling of conf get: the value of a property, or every property as key=value')
    .action((key: string | undefined, o: { master?: boolean; source?: boolean; unit?: string; json?: boolean }) => {
      const unit = o.unit === undefined ? undefined : UNITS[o.unit.toUpperCase()];
      if (o.unit !== undefined && !unit) throw new InvalidArgumentError(`--unit '${o.unit}' is not one of ${Object.keys(UNITS).join(', ')}`);
      if (o.master) {
        process.stderr.write('Note: alluxio-ts has no master; --master prints the configuration this CLI loads, the one the cluster\'s processes are given\n');
      }
      const entries = commandConf(global()).entries();
      if (key === undefined && o.json) {
        const all: Record<string, unknown> = {};
        for (const e of entries) {
          if (e.displayValue === undefined) continue;
          const value = shownValue(e, unit && convertible(e, unit) ? unit : undefined);
          all[e.name] = o.source ? { value, source: source2x(e.source) } : value;
        }
        process.stdout.write(`${JSON.stringify(all, null, 2)}\n`);
        return;
      }
      if (key === undefined) {
        for (const e of entries) {
          if (e.displayValue === undefined) continue;
          process.stdout.write(`${e.name}=${shownValue(e, unit && convertible(e, unit) ? unit : undefined)}${o.source ? ` (${source2x(e.source)})` : ''}\n`);
        }
        return;
      }
      const e = entries.find((x) => x.name === key);
      if (!e) {
        const ignored = findIgnoredKey(key);
        if (ignored) {
          // A 2.x key we accept but do not use: no value, as 2.x prints for an unset key.
          process.stderr.write(`Note: alluxio-ts ignores ${key}: ${ignored.reason}\n`);
          process.stdout.write('\n');
          return;
        }
        const suggestion = suggestProperty(key);
        throw new NotFoundError(`${key} is not a valid configuration key${suggestion ? ` (did you mean '${suggestion}'?)` : ''}`);
      }
      const value = e.displayValue === undefined ? '' : shownValue(e, unit);
      if (o.json) {
        process.stdout.write(`${JSON.stringify({ name: e.name, value, source: source2x(e.source) }, null, 2)}\n`);
        return;
      }
      process.stdout.write(`${value}${o.source ? ` (${source2x(e.source)})` : ''}\n`);
    });
}

function shownValue(e: ConfigEntry, unit: Unit | undefined): string {
  if (!unit || e.value === undefined || e.displayValue === '***') return e.displayValue ?? '';
  if (!convertible(e, unit)) throw new InvalidArgumentError(`--unit: ${e.name} is a ${e.spec.type}, not a ${unit.kind === 'size' ? 'size in bytes' : 'duration'}`);
  const one = (v: string) => String(Math.floor((unit.kind === 'size' ? parseSize(v) : parseDuration(v)) / unit.factor));
  return e.spec.type === 'sizeList' ? splitList(e.value).map(one).join(',') : one(e.value);
}

/** Whether --unit applies to the property: sizes (and lists of them, one per page store dir) or durations. */
function convertible(e: ConfigEntry, unit: Unit): boolean {
  return unit.kind === 'size' ? e.spec.type === 'size' || e.spec.type === 'sizeList' : e.spec.type === 'duration';
}

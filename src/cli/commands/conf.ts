import type { Command } from 'commander';
import { NotFoundError } from '../../common/errors.js';
import { commandConf, type GlobalOptions } from '../context.js';
import { printJson, printTable } from '../output.js';
import { registerConfLogCommand } from './log-level.js';

function sourceText(s: { kind: string; detail?: string }): string {
  return s.detail ? `${s.kind} (${s.detail})` : s.kind;
}

/** `alluxio conf get [KEY]`: effective values and where each came from. Secrets print as ***. */
export function registerConfCommands(program: Command, global: () => GlobalOptions): void {
  const conf = program.command('conf').description('configuration');
  conf.command('get').argument('[key]').option('--source', 'also print where the value came from').option('--json', 'print JSON')
    .description('print the effective value of a property, or of all properties')
    .action((key: string | undefined, o: { source?: boolean; json?: boolean }) => {
      const c = commandConf(global());
      const entries = c.entries();
      if (key) {
        const e = entries.find((x) => x.name === key);
        if (!e) throw new NotFoundError(`unknown property '${key}'`);
        if (o.json) return printJson({ name: e.name, value: e.displayValue ?? null, source: e.source });
        process.stdout.write(`${e.displayValue ?? ''}${o.source ? `  (${sourceText(e.source)})` : ''}\n`);
        return;
      }
      if (o.json) return printJson(entries.map((e) => ({ name: e.name, value: e.displayValue ?? null, source: e.source })));
      printTable(['KEY', 'VALUE', 'SOURCE'], entries.map((e) => [e.name, e.displayValue ?? '', sourceText(e.source)]));
    });
  registerConfLogCommand(conf, global);
}

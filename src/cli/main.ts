import { Command } from 'commander';
import { VERSION } from '../common/version.js';
import { registerGroups } from './command-groups.js';
import type { GlobalOptions } from './context.js';
import { exitQuietlyOnBrokenPipe, isBrokenPipe, reportError } from './output.js';

function collect(v: string, prev: string[]): string[] {
  return [...prev, v];
}

const program = new Command('alluxio')
  .version(VERSION)
  .description('alluxio-ts: a distributed data cache compatible with Alluxio')
  .option('--conf <key=value>', 'set a property for this command (repeatable; wins over alluxio-site.properties and ALLUXIO_JAVA_OPTS)', collect, [])
  .showHelpAfterError();

exitQuietlyOnBrokenPipe();

const global = (): GlobalOptions => program.opts<GlobalOptions>();

try {
  await registerGroups(program, global, process.argv.slice(2));
  await program.parseAsync(process.argv);
} catch (err) {
  if (isBrokenPipe(err)) process.exit(0);
  process.exitCode = reportError(err);
}

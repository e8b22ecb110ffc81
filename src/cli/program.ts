import { Command } from 'commander';
import { VERSION } from '../common/version.js';

function collect(v: string, prev: string[]): string[] {
  return [...prev, v];
}

/** Shown after the help of every command: where the configuration comes from and how to get logs. */
export const ENVIRONMENT_HELP = `
Environment:
  ALLUXIO_CONF_DIR    directory of alluxio-site.properties (default: ./.alluxio-local/conf when a
                      local cluster was started here with 'alluxio local start', else built-in defaults)
  ALLUXIO_JAVA_OPTS   -Dkey=value properties, as Alluxio's scripts take them (--conf wins over them)
  ALLUXIO_LOG_LEVEL   log level of the CLI's own logs on stderr: trace, debug, info, warn, error (default)
  ALLUXIO_DEBUG       set to 1 to print the stack of an error`;

/** The `alluxio` root command: version, global options and the help every command shares. */
export function createProgram(): Command {
  return new Command('alluxio')
    .version(VERSION)
    .description('alluxio-ts: a distributed data cache compatible with Alluxio')
    .option('--conf <key=value>', 'set a property for this command (repeatable; wins over alluxio-site.properties and ALLUXIO_JAVA_OPTS)', collect, [])
    .addHelpText('afterAll', ENVIRONMENT_HELP)
    .showHelpAfterError();
}

import { Command } from 'commander';
import { VERSION } from '../common/version.js';
import { registerConfCommands } from './commands/conf.js';
import { registerFsCommands } from './commands/fs.js';
import { registerInfoCommands } from './commands/info.js';
import { registerJobCommands } from './commands/job.js';
import { registerLocalCommands } from './commands/local.js';
import { registerMountCommands } from './commands/mount.js';
import { registerProcessCommands } from './commands/process.js';
import { registerRingCommands } from './commands/ring.js';
import type { GlobalOptions } from './context.js';
import { reportError } from './output.js';

function collect(v: string, prev: string[]): string[] {
  return [...prev, v];
}

const program = new Command('alluxio')
  .version(VERSION)
  .description('alluxio-ts: a distributed data cache compatible with Alluxio')
  .option('--conf <key=value>', 'set a property for this command (repeatable; wins over alluxio-site.properties and ALLUXIO_JAVA_OPTS)', collect, [])
  .showHelpAfterError();

const global = (): GlobalOptions => program.opts<GlobalOptions>();

registerFsCommands(program, global);
registerMountCommands(program, global);
registerJobCommands(program, global);
registerConfCommands(program, global);
registerInfoCommands(program, global);
registerProcessCommands(program, global);
registerRingCommands(program, global);
registerLocalCommands(program, global);

// The operator's commands load the Kubernetes client (slow to import): only when they are used.
const verb = firstCommand(process.argv.slice(2));
if (verb === 'operator' || verb === 'k8s') {
  const { registerOperatorCommands } = await import('../operator/cli.js');
  registerOperatorCommands(program);
} else {
  program.command('operator').description('run the Kubernetes operator (AlluxioCluster, UnderFileSystem, License)');
  program.command('k8s').description('Kubernetes helpers: render manifests (k8s render -f), preflight checks (k8s preflight)');
}

function firstCommand(args: string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--conf') { i++; continue; }
    if (!args[i]!.startsWith('-')) return args[i];
  }
  return undefined;
}

try {
  await program.parseAsync(process.argv);
} catch (err) {
  process.exitCode = reportError(err);
}

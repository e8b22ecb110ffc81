import type { Command } from 'commander';
import type { GlobalOptions } from './context.js';

/** Adds a group's commands (`alluxio <group> ...`, with options and actions) to the program. */
export type RegisterGroup = (program: Command, global: () => GlobalOptions) => void;

export interface CommandGroup {
  name: string;
  /** Shown by `alluxio --help` without loading the group. */
  description: string;
  /** Imports the group's module: only when the command line names the group (start-up cost). */
  load: () => Promise<RegisterGroup>;
  /** Its commands may run as long-lived servers (process start, fuse mount, the operator): see main.ts. */
  serves?: true;
}

/**
 * Every top-level command group of `alluxio`. A group's module (and what it imports: the client,
 * etcd/gRPC, the S3 SDK, pino...) is imported only when that group runs, so `alluxio --version`
 * or `alluxio conf get` do not pay for the others. A new group is one line here.
 */
export const COMMAND_GROUPS: readonly CommandGroup[] = [
  { name: 'fs', description: 'file system operations on Alluxio paths', load: async () => (await import('./commands/fs.js')).registerFsCommands },
  { name: 'fuse', description: 'mount the namespace as a POSIX file system (fuse mount|unmount|stat)', load: async () => (await import('./commands/fuse.js')).registerFuseCommands , serves: true },
  { name: 'job', description: 'load and free jobs on the coordinator (job load|free|list)', load: async () => (await import('./commands/job.js')).registerJobCommands },
  { name: 'mount', description: 'manage the mount table', load: async () => (await import('./commands/mount.js')).registerMountCommands },
  { name: 'conf', description: 'configuration', load: async () => (await import('./commands/conf.js')).registerConfCommands },
  { name: 'getConf', description: 'print a property or all of them, 2.x style (getConf [--source] [--unit U] [key])', load: async () => (await import('./commands/get-conf.js')).registerGetConfCommand },
  { name: 'logLevel', description: 'print or set the log level of running processes (2.x spelling of conf log)', load: async () => (await import('./commands/log-level.js')).registerLogLevelCommands },
  { name: 'info', description: 'cluster information (info version|report|nodes|cache|cluster)', load: async () => (await import('./commands/info.js')).registerInfoCommands },
  { name: 'fsadmin', description: '2.x admin verbs: fsadmin report [summary|capacity|metrics|ufs]', load: async () => (await import('./commands/fsadmin.js')).registerFsadminCommands },
  { name: 'license', description: 'the license the cluster runs with (license show|status)', load: async () => (await import('./commands/license.js')).registerLicenseCommands },
  { name: 'exec', description: 'run a check against an under-storage (exec ufsTest --path <uri>)', load: async () => (await import('./commands/exec.js')).registerExecCommands },
  { name: 'runTests', description: 'write, read and delete test files through every mount and report per mount', load: async () => (await import('./commands/run-tests.js')).registerRunTestsCommand },
  { name: 'collectinfo', description: 'a .tar.gz of configuration (secrets redacted), logs, metrics and reports for a support request', load: async () => (await import('./commands/collectinfo.js')).registerCollectInfoCommand },
  { name: 'format', description: '2.x: a no-op here (no journal); says where cluster state and cached data live', load: async () => (await import('./commands/format.js')).registerFormatCommands },
  { name: 'formatJournal', description: '2.x: a no-op here (no journal)', load: async () => (await import('./commands/format.js')).registerFormatCommands },
  { name: 'formatMasters', description: '2.x: a no-op here (no masters)', load: async () => (await import('./commands/format.js')).registerFormatCommands },
  { name: 'formatWorker', description: '2.x: a no-op here; says how to clear the page store', load: async () => (await import('./commands/format.js')).registerFormatCommands },
  { name: 'process', description: 'run and stop Alluxio processes (process start|stop)', load: async () => (await import('./commands/process.js')).registerProcessCommands , serves: true },
  { name: 'ring', description: 'the worker hash ring', load: async () => (await import('./commands/ring.js')).registerRingCommands },
  { name: 'local', description: 'a whole cluster on this machine, as child processes', load: async () => (await import('./commands/local.js')).registerLocalCommands },
  { name: 'operator', description: 'run the Kubernetes operator (AlluxioCluster, UnderFileSystem, License)', load: async () => (await import('../operator/cli.js')).registerOperatorCommands , serves: true },
  { name: 'k8s', description: 'Kubernetes helpers: render manifests (k8s render -f), preflight checks (k8s preflight)', load: async () => (await import('../operator/cli.js')).registerOperatorCommands },
];

/**
 * Registers the group the command line names (`help <group>` included) in full, and every other
 * group as a name and description only (enough for `alluxio --help`). `argv` is without node and
 * the script. Registering the full group lets commander parse and print help for it as usual.
 */
export async function registerGroups(program: Command, global: () => GlobalOptions, argv: string[]): Promise<void> {
  const group = groupOf(argv);
  if (group) (await group.load())(program, global);
  for (const g of COMMAND_GROUPS) {
    if (!program.commands.some((c) => c.name() === g.name)) program.command(g.name).description(g.description);
  }
}

/** The group the command line (without node and the script) names, `help <group>` included. */
export function groupOf(argv: string[]): CommandGroup | undefined {
  const words = argv.filter((a, i) => !a.startsWith('-') && argv[i - 1] !== '--conf');
  const wanted = words[0] === 'help' ? words[1] : words[0];
  return COMMAND_GROUPS.find((g) => g.name === wanted);
}

/** Registers every group in full (the CLI reference generator walks them all). Groups sharing a module load it once. */
export async function registerAllGroups(program: Command, global: () => GlobalOptions): Promise<void> {
  for (const g of COMMAND_GROUPS) {
    if (!program.commands.some((c) => c.name() === g.name)) (await g.load())(program, global);
  }
}

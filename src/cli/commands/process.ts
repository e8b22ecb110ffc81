import { resolve } from 'node:path';
import type { Command } from 'commander';
import { InvalidArgumentError } from '../../common/errors.js';
import { createLogger } from '../../common/logging.js';
import { startWorker } from '../../worker/worker-process.js';
import { consoleGuard, coordinatorRestGuard, credentialsFromConf, peerRestAuth } from '../../worker/rest-auth.js';
import { commandConf, type GlobalOptions } from '../context.js';

/** A running process: `shutdown` (when it has one) stops it gracefully, `close` at once. */
type Closable = { close(): Promise<void>; shutdown?(): Promise<unknown> };

/** Role starters by name (fuse has its own command). */
const ROLES: Record<string, (global: GlobalOptions) => Promise<Closable>> = {
  worker: async (g) => startWorker(commandConf(g), createLogger('worker')),
  coordinator: async (g) => {
    const { startCoordinator } = await import('../../coordinator/coordinator-process.js');
    const conf = commandConf(g);
    const workerAuth = peerRestAuth(conf);
    return startCoordinator(conf, {
      log: createLogger('coordinator'), guard: coordinatorRestGuard(conf), consoleGuard: consoleGuard(credentialsFromConf(conf)),
      ...(workerAuth !== undefined ? { workerAuth } : {}),
    });
  },
};

export function registerRole(name: string, start: (global: GlobalOptions) => Promise<Closable>): void {
  ROLES[name] = start;
}

/**
 * `alluxio process start <role>`: runs a process in the foreground until SIGTERM or SIGINT, then
 * stops it gracefully (a worker drains its reads in flight) and exits 0. A second signal exits at once.
 */
export function registerProcessCommands(program: Command, global: () => GlobalOptions): void {
  const proc = program.command('process').description('run Alluxio processes');
  proc.command('start').argument('<role>', `one of: ${Object.keys(ROLES).join(', ')}`).description('start a process in the foreground')
    .action(async (role: string) => {
      const start = ROLES[role];
      if (!start) throw new InvalidArgumentError(`unknown process role '${role}': expected one of ${Object.keys(ROLES).join(', ')}`);
      const running = await start(global());
      await new Promise<void>((resolve, reject) => {
        let stopping = false;
        const stop = (signal: NodeJS.Signals) => {
          if (stopping) process.exit(signal === 'SIGINT' ? 130 : 143); // asked twice: no more waiting
          stopping = true;
          (running.shutdown ? running.shutdown() : running.close()).then(() => resolve(), reject);
        };
        process.on('SIGTERM', stop);
        process.on('SIGINT', stop);
      });
      // Whatever still holds the event loop (a client that never read its last bytes) must not keep us up.
      process.exit(0);
    });

  proc.command('stop').argument('<role>', 'worker, coordinator, or all (etcd included)').option('--dir <dir>', 'state directory of the local cluster', '.alluxio-local')
    .description('stop processes of the local cluster on this machine: SIGTERM (a worker drains its reads), SIGKILL after 20 s')
    .action(async (role: string, o: { dir: string }) => {
      const roles = STOP_ROLES[role];
      if (!roles) throw new InvalidArgumentError(`unknown process role '${role}': expected one of ${Object.keys(STOP_ROLES).join(', ')}`);
      const { stopLocalCluster } = await import('../../local/local-cluster.js');
      const { stopped } = await stopLocalCluster(o.dir, 20_000, roles === 'all' ? undefined : roles);
      if (stopped.length === 0) {
        process.stdout.write(`No ${role === 'all' ? '' : `${role} `}process of a local cluster is running from ${resolve(o.dir)}` +
          `${resolve(o.dir) === resolve('.alluxio-local') ? " (a cluster started with --dir DIR: pass --dir DIR)" : ''}.\n`);
        return;
      }
      process.stdout.write(`Stopped ${stopped.map((p) => `${p.role}-${p.index} (pid ${p.pid})`).join(', ')}\n`);
    });
}

/** What `process stop <role>` stops of the local cluster. */
const STOP_ROLES: Record<string, readonly string[] | 'all'> = { worker: ['worker'], coordinator: ['coordinator'], all: 'all' };

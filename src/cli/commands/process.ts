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
}

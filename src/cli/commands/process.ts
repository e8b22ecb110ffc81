import type { Command } from 'commander';
import { InvalidArgumentError } from '../../common/errors.js';
import { createLogger } from '../../common/logging.js';
import { startWorker } from '../../worker/worker-process.js';
import { coordinatorRestGuard } from '../../worker/rest-auth.js';
import { commandConf, type GlobalOptions } from '../context.js';

type Closable = { close(): Promise<void> };

/** Role starters by name (fuse has its own command). */
const ROLES: Record<string, (global: GlobalOptions) => Promise<Closable>> = {
  worker: async (g) => startWorker(commandConf(g), createLogger('worker')),
  coordinator: async (g) => {
    const { startCoordinator } = await import('../../coordinator/coordinator-process.js');
    const conf = commandConf(g);
    return startCoordinator(conf, { log: createLogger('coordinator'), guard: coordinatorRestGuard(conf) });
  },
};

export function registerRole(name: string, start: (global: GlobalOptions) => Promise<Closable>): void {
  ROLES[name] = start;
}

/** `alluxio process start <role>`: runs a process in the foreground until SIGTERM or SIGINT. */
export function registerProcessCommands(program: Command, global: () => GlobalOptions): void {
  const proc = program.command('process').description('run Alluxio processes');
  proc.command('start').argument('<role>', `one of: ${Object.keys(ROLES).join(', ')}`).description('start a process in the foreground')
    .action(async (role: string) => {
      const start = ROLES[role];
      if (!start) throw new InvalidArgumentError(`unknown process role '${role}': expected one of ${Object.keys(ROLES).join(', ')}`);
      const running = await start(global());
      await new Promise<void>((resolve) => {
        const stop = () => { running.close().finally(resolve); };
        process.once('SIGTERM', stop);
        process.once('SIGINT', stop);
      });
    });
}

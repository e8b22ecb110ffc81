import type { Command } from 'commander';
import { AlluxioError, InvalidArgumentError } from '../../common/errors.js';
import { WEB_ROUTES } from '../../common/protocol/routes.js';
import { hostPort } from '../../common/protocol/url.js';
import { commandConf, ensureEtcdReachable, type GlobalOptions } from '../context.js';
import { printJson, printTable } from '../output.js';

// `alluxio conf log [--name N] [--level L] [--target T]` and Alluxio 2.x's
// `alluxio logLevel --logName N --target T [--level L]`: read or change logger levels of running
// processes through their web ports (GET/POST /api/v1/conf/log).

interface LogOptions { name?: string; level?: string; target?: string; json?: boolean }
interface LoggerLevel { name: string; level: string }

/** host:port web addresses for a --target list: coordinator, worker(s), fuse is host:port only. */
async function resolveTargets(g: GlobalOptions, spec: string): Promise<string[]> {
  const conf = commandConf(g);
  const out: string[] = [];
  for (const t of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    if (t === 'coordinator' || t === 'master') {
      out.push(hostPort(conf.getString('alluxio.coordinator.hostname'), conf.getInt('alluxio.coordinator.web.port')));
    } else if (t === 'worker' || t === 'workers') {
      await ensureEtcdReachable(conf);
      const { openMembership } = await import('../../client/from-conf.js');
      const membership = await openMembership(conf);
      try {
        for (const w of await membership.liveWorkers()) out.push(hostPort(w.address.Host, w.address.WebPort));
      } finally {
        await membership.close();
      }
      if (out.length === 0) throw new AlluxioError('ALX_ERR_WORKER_UNAVAILABLE', 'no live worker in the membership');
    } else if (/^[^:\s]+:\d+$/.test(t)) {
      out.push(t);
    } else {
      throw new InvalidArgumentError(`bad --target '${t}': use coordinator, workers, or host:port of a process's web port (worker 30000, coordinator 19999, FUSE 49999)`);
    }
  }
  return out;
}

async function run(g: GlobalOptions, o: LogOptions): Promise<void> {
  const conf = commandConf(g);
  const { restAuthorizationFromConf } = await import('../../client/from-conf.js');
  const authorization = restAuthorizationFromConf(conf);
  const targets = await resolveTargets(g, o.target ?? 'coordinator');
  const q = new URLSearchParams();
  if (o.name) q.set('name', o.name);
  if (o.level) q.set('level', o.level);
  const rows: Array<{ target: string } & LoggerLevel> = [];
  for (const t of targets) {
    let res: Response;
    try {
      res = await fetch(`http://${t}${WEB_ROUTES.log}?${q}`, {
        method: o.level ? 'POST' : 'GET', headers: authorization ? { authorization } : {}, signal: AbortSignal.timeout(10_000),
      });
    } catch (err) {
      throw new AlluxioError('ALX_ERR_WORKER_UNAVAILABLE', `${t} does not answer (${(err as Error).message}): is the process running, and is ${t} its web port?`);
    }
    const body = await res.json().catch(() => ({})) as { loggers?: LoggerLevel[]; code?: string; message?: string };
    if (!res.ok) throw new AlluxioError((body.code ?? 'ALX_ERR_INTERNAL') as ConstructorParameters<typeof AlluxioError>[0], `${t}: ${body.message ?? `answered ${res.status}`}`);
    for (const l of body.loggers ?? []) rows.push({ target: t, ...l });
  }
  if (o.json) return printJson(rows);
  printTable(['TARGET', 'LOGGER', 'LEVEL'], rows.map((r) => [r.target, r.name, r.level]));
}

/** `alluxio conf log`: added to the conf group by commands/conf.ts. */
export function registerConfLogCommand(conf: Command, global: () => GlobalOptions): void {
  conf.command('log').description('print or set the log level of running processes (through their web port)')
    .option('--name <logger>', 'the logger (worker, coordinator, fuse, ...); all of the process by default')
    .option('--level <level>', 'set this level: trace, debug, info, warn, error, fatal, silent')
    .option('--target <targets>', 'comma-separated: coordinator, workers, or host:port of a web port', 'coordinator')
    .option('--json', 'print JSON')
    .action((o: LogOptions) => run(global(), o));
}

/** `alluxio logLevel` (Alluxio 2.x spelling). */
export function registerLogLevelCommands(program: Command, global: () => GlobalOptions): void {
  program.command('logLevel').description('print or set the log level of running processes (Alluxio 2.x; same as conf log)')
    .option('--logName <logger>', 'the logger; all of the process by default')
    .option('--level <level>', 'set this level: trace, debug, info, warn, error, fatal, silent')
    .option('--target <targets>', 'comma-separated: coordinator (or master), workers, or host:port', 'coordinator')
    .option('--json', 'print JSON')
    .action((o: { logName?: string; level?: string; target?: string; json?: boolean }) => run(global(), {
      ...(o.logName !== undefined ? { name: o.logName } : {}), ...(o.level !== undefined ? { level: o.level } : {}),
      ...(o.target !== undefined ? { target: o.target } : {}), ...(o.json ? { json: true } : {}),
    }));
}

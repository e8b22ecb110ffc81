import type { Command } from 'commander';
import { AlluxioError, InvalidArgumentError } from '../../common/errors.js';
import { httpCall } from '../../common/protocol/http-json.js';
import { WEB_ROUTES } from '../../common/protocol/routes.js';
import { buildUrl, hostPort, httpOrigin, parseHostPort } from '../../common/protocol/url.js';
import { commandConf, ensureEtcdReachable, type GlobalOptions } from '../context.js';
import { printJson, printTable } from '../output.js';

// `alluxio conf log [--name N] [--level L] [--target T]` and Alluxio 2.x's
// `alluxio logLevel --logName N --target T [--level L]`: read or change logger levels of running
// processes through their web ports (GET/POST /api/v1/conf/log).

interface LogOptions { name?: string; level?: string; target?: string; json?: boolean }
interface LoggerLevel { name: string; level: string }

/** A process to ask: `host:port` of its web port (as printed) and its origin. */
interface Target { name: string; origin: string }

function target(host: string, port: number): Target {
  return { name: hostPort(host, port), origin: httpOrigin(host, port) };
}

/** The web addresses of a --target list: coordinator, worker(s), or host:port / [ipv6]:port (FUSE is host:port only). */
async function resolveTargets(g: GlobalOptions, spec: string): Promise<Target[]> {
  const conf = commandConf(g);
  const out: Target[] = [];
  for (const t of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    const given = parseHostPort(t);
    if (t === 'coordinator' || t === 'master') {
      out.push(target(conf.getString('alluxio.coordinator.hostname'), conf.getInt('alluxio.coordinator.web.port')));
    } else if (t === 'worker' || t === 'workers') {
      await ensureEtcdReachable(conf);
      const { openMembership } = await import('../../client/from-conf.js');
      const membership = await openMembership(conf);
      try {
        for (const w of await membership.liveWorkers()) out.push(target(w.address.Host, w.address.WebPort));
      } finally {
        await membership.close();
      }
      if (out.length === 0) throw new AlluxioError('ALX_ERR_WORKER_UNAVAILABLE', 'no live worker in the membership');
    } else if (given !== undefined) {
      out.push(target(given.host, given.port));
    } else {
      throw new InvalidArgumentError(`bad --target '${t}': use coordinator, workers, or host:port ([ipv6]:port) of a process's web port (worker 30000, coordinator 19999, FUSE 49999)`);
    }
  }
  return out;
}

async function run(g: GlobalOptions, o: LogOptions): Promise<void> {
  const conf = commandConf(g);
  const { restAuthorizationFromConf } = await import('../../client/from-conf.js');
  const authorization = restAuthorizationFromConf(conf);
  const targets = await resolveTargets(g, o.target ?? 'coordinator');
  const query = { name: o.name || undefined, level: o.level || undefined };
  const rows: Array<{ target: string } & LoggerLevel> = [];
  for (const t of targets) {
    let res: Awaited<ReturnType<typeof httpCall>>;
    try {
      res = await httpCall(buildUrl(t.origin, WEB_ROUTES.log, { query }), {
        method: o.level ? 'POST' : 'GET', headers: authorization ? { authorization } : {}, timeoutMs: 10_000,
      });
    } catch (err) {
      throw new AlluxioError('ALX_ERR_WORKER_UNAVAILABLE', `${t.name} does not answer (${(err as Error).message}): is the process running, and is ${t.name} its web port?`);
    }
    const body = (res.json ?? {}) as { loggers?: LoggerLevel[]; code?: string; message?: string };
    if (res.status < 200 || res.status >= 300) throw new AlluxioError((body.code ?? 'ALX_ERR_INTERNAL') as ConstructorParameters<typeof AlluxioError>[0], `${t.name}: ${body.message ?? `answered ${res.status}`}`);
    for (const l of body.loggers ?? []) rows.push({ target: t.name, ...l });
  }
  if (o.json) return printJson(rows);
  printTable(['TARGET', 'LOGGER', 'LEVEL'], rows.map((r) => [r.target, r.name, r.level]));
}

/** `alluxio conf log`: added to the conf group by commands/conf.ts. */
export function registerConfLogCommand(conf: Command, global: () => GlobalOptions): void {
  conf.command('log').description('print or set the log level of running processes (through their web port)')
    .option('--name <logger>', 'the logger (worker, coordinator, fuse, ...); all of the process by default')
    .option('--level <level>', 'set this level: trace, debug, info, warn, error, fatal, silent')
    .option('--target <targets>', 'comma-separated: coordinator, workers, or host:port ([ipv6]:port) of a web port', 'coordinator')
    .option('--json', 'print JSON')
    .action((o: LogOptions) => run(global(), o));
}

/** `alluxio logLevel` (Alluxio 2.x spelling). */
export function registerLogLevelCommands(program: Command, global: () => GlobalOptions): void {
  program.command('logLevel').description('print or set the log level of running processes (Alluxio 2.x; same as conf log)')
    .option('--logName <logger>', 'the logger; all of the process by default')
    .option('--level <level>', 'set this level: trace, debug, info, warn, error, fatal, silent')
    .option('--target <targets>', 'comma-separated: coordinator (or master), workers, or host:port ([ipv6]:port)', 'coordinator')
    .option('--json', 'print JSON')
    .action((o: { logName?: string; level?: string; target?: string; json?: boolean }) => run(global(), {
      ...(o.logName !== undefined ? { name: o.logName } : {}), ...(o.level !== undefined ? { level: o.level } : {}),
      ...(o.target !== undefined ? { target: o.target } : {}), ...(o.json ? { json: true } : {}),
    }));
}

import { resolve } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import type { GlobalOptions } from '../context.js';
import { LocalLayout, processName, type LocalProcess } from '../../local/local-layout.js';
import { readState, restartLocalProcess, startLocalCluster, stopLocalCluster } from '../../local/local-cluster.js';
import { isAlive, isOurs } from '../../local/process-identity.js';
import { printJson, printTable } from '../output.js';
import { nonNegativeInt, positiveInt } from '../arg-parsers.js';

function collect(v: string, prev: string[]): string[] {
  return [...prev, v];
}

const DEFAULT_DIR = '.alluxio-local';

/** ` --dir DIR` when the state directory is not the default one: hints must name it to work. */
function dirFlag(dir: string): string {
  return resolve(dir) === resolve(DEFAULT_DIR) ? '' : ` --dir ${dir}`;
}

/** `alluxio local start|stop|status|restart`: the embedded single-machine cluster. */
export function registerLocalCommands(program: Command, global: () => GlobalOptions): void {
  const local = program.command('local').description('a whole cluster on this machine, as child processes');

  local.command('start')
    .option('--workers <n>', 'number of workers', positiveInt('--workers'), 1)
    .option('--ufs <dir>', 'local directory served as the root mount', './data')
    .option('--dir <dir>', 'state directory (config, cache, logs)', DEFAULT_DIR)
    .option('--cache-size <size>', 'page store size per worker', '2GB')
    .option('--page-size <size>', 'page size (default 1MB)')
    .option('--conf <key=value>', 'extra property for every process (repeatable)', collect, [])
    .option('--port-base <n>', 'shift every port by n (to run two clusters on one machine; every port is checked free before start)', nonNegativeInt('--port-base'), 0)
    .option('--foreground', 'stay in the foreground and stop the cluster on Ctrl-C')
    .option('--no-etcd', 'do not start etcd and the coordinator: STATIC membership and a STATIC_FILE mount table')
    .description('start a local cluster')
    .action(async (o: { workers: number; ufs: string; dir: string; cacheSize: string; pageSize?: string; conf: string[]; portBase: number; foreground?: boolean; etcd: boolean }) => {
      const { state, children, layout } = await startLocalCluster({
        dir: o.dir, ufs: o.ufs, workers: o.workers, cacheSize: o.cacheSize, pageSize: o.pageSize, conf: [...(global().conf ?? []), ...o.conf], portBase: o.portBase,
        foreground: !!o.foreground, etcd: o.etcd, onNotice: (m) => process.stderr.write(m + '\n'),
      });
      const out = process.stdout;
      const workerCount = state.processes.filter((p) => p.role === 'worker').length;
      const etcd = state.processes.find((p) => p.role === 'etcd');
      out.write(`Local Alluxio cluster started: ${workerCount} worker(s), UFS root ${state.ufs}\n`);
      out.write(etcd
        ? `Membership and mount table: ETCD (local etcd at ${etcd.endpoints.client}); coordinator running\n`
        : 'Membership: STATIC (worker list file); mount table: STATIC_FILE; no coordinator\n');
      out.write(`State, config and logs: ${layout.root}\n\n`);
      printTable(['PROCESS', 'PID', 'REST (alluxiofs)', 'S3', 'WEB + /metrics'], state.processes.map((p) => [
        `${p.role}-${p.index}`, p.pid, p.endpoints.rest ?? p.endpoints.client ?? '-', p.endpoints.s3 ?? '-', p.endpoints.web ?? '-',
      ]));
      out.write(`\nTry:\n  echo hello > ${o.ufs}/hello.txt && npx alluxio fs cat /hello.txt\n`);
      out.write(dirFlag(o.dir)
        ? `  (other commands find this cluster with: export ALLUXIO_CONF_DIR=${layout.confDir})\n`
        : `  (from another directory: export ALLUXIO_CONF_DIR=${layout.confDir})\n`);
      if (!o.foreground) {
        out.write(`Stop it with: npx alluxio local stop${dirFlag(o.dir)}\n`);
        return;
      }
      out.write('Press Ctrl-C to stop.\n');
      await new Promise<void>((resolve) => {
        let stopping = false;
        const stop = () => {
          if (stopping) return;
          stopping = true;
          out.write('\nStopping local cluster...\n');
          // etcd last, so workers can revoke their leases on the way out.
          const exited = (cs: typeof children) => Promise.all(cs.map((c) => (c.exitCode !== null || c.signalCode !== null ? Promise.resolve() : new Promise((r) => c.once('exit', r)))));
          const etcdChildren = children.filter((_, i) => state.processes[i]?.role === 'etcd');
          const others = children.filter((c) => !etcdChildren.includes(c));
          for (const c of others) c.kill('SIGTERM');
          exited(others).then(() => {
            for (const c of etcdChildren) c.kill('SIGTERM');
            return exited(etcdChildren);
          }).then(() => {
            out.write('Stopped.\n');
            resolve();
          });
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
        for (const c of children) c.once('exit', (code) => { if (!stopping) { out.write(`a process exited (code ${code}); stopping the cluster\n`); stop(); } });
      });
    });

  local.command('stop').option('--dir <dir>', 'state directory', DEFAULT_DIR).description('stop the local cluster')
    .action(async (o: { dir: string }) => {
      const { stopped, gone } = await stopLocalCluster(o.dir);
      for (const p of gone) process.stdout.write(`${goneNote(p)}; left alone\n`);
      process.stdout.write(stopped.length ? `Stopped ${stopped.length} process(es).\n` : `No local cluster is running from ${resolve(o.dir)}.\n`);
      if (!stopped.length && resolve(o.dir) === resolve(DEFAULT_DIR)) {
        process.stdout.write("A cluster started with 'alluxio local start --dir DIR' is stopped with 'alluxio local stop --dir DIR'.\n");
      }
    });

  local.command('restart').argument('<process>', "a process as 'alluxio local status' names it: worker-0, worker-1, ..., coordinator, etcd")
    .option('--dir <dir>', 'state directory', DEFAULT_DIR).description('restart one process of the local cluster with the same configuration')
    .action(async (name: string, o: { dir: string }) => {
      const { before, after, wasRunning } = await restartLocalProcess(o.dir, name);
      const what = processName(after);
      process.stdout.write(wasRunning
        ? `Restarted ${what}: pid ${before.pid} -> ${after.pid}\n`
        : `${what} was not running; started it: pid ${after.pid}\n`);
    });

  local.command('status').option('--dir <dir>', 'state directory', DEFAULT_DIR).option('--json', 'print JSON').description('show the local cluster processes')
    .action((o: { dir: string; json?: boolean }) => {
      const state = readState(new LocalLayout(o.dir));
      const processes = state?.processes ?? [];
      const rows = processes.map((p) => ({ process: processName(p), pid: p.pid, status: isOurs(p) ? 'RUNNING' : 'STOPPED', rest: p.endpoints.rest }));
      if (o.json) return printJson(rows);
      if (!rows.length) return void process.stdout.write('No local cluster has been started from here.\n');
      printTable(['PROCESS', 'PID', 'STATUS', 'REST'], rows.map((r) => [r.process, r.pid, r.status, r.rest ?? '-']));
      // A PID that is alive but not ours any more: say so, it is easy to misread otherwise.
      for (const p of processes) if (!isOurs(p) && isAlive(p.pid)) process.stdout.write(`${goneNote(p)}\n`);
    });
}

function goneNote(p: LocalProcess): string {
  return `${processName(p)}: the recorded process is gone (pid ${p.pid} now belongs to another process)`;
}

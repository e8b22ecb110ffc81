import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CREDENTIALS_KEY_PROPERTY, createCredentialKeyFile } from '../common/credential-cipher.js';
import { AlluxioError, InvalidArgumentError } from '../common/errors.js';
import { COORDINATOR_REST, WORKER_REST } from '../common/protocol/index.js';
import { loadConfiguration } from '../conf/index.js';
import { ETCD_MISSING_NOTICE, etcdArgs, etcdBinary, etcdInstalled, servicePorts } from './local-etcd.js';
import { LocalLayout, processName, workerPorts, type LocalProcess, type LocalState } from './local-layout.js';
import { isAlive, isOurs, processStartTime } from './process-identity.js';
import { checkPortsFree, type PlannedPort } from './port-check.js';
import { staticWorkersFile } from './static-workers-file.js';

export interface LocalStartOptions {
  dir: string;
  ufs: string;
  workers: number;
  cacheSize: string;
  pageSize?: string;
  foreground: boolean;
  /** Extra properties for every process (key=value). */
  conf: string[];
  portBase?: number;
  /** false: STATIC membership even when etcd is installed. Default true (use etcd when installed). */
  etcd?: boolean;
  /** Told about choices the user should know of (etcd missing: the STATIC fallback). */
  onNotice?: (message: string) => void;
}

const BIN = fileURLToPath(new URL('../../bin/alluxio.js', import.meta.url));

/** Stop order: clients of etcd first, etcd last, so workers can revoke their leases on the way out. */
const STOP_ORDER: Record<string, number> = { worker: 0, coordinator: 0, etcd: 1 };

/**
 * `alluxio local start`: a whole cluster on one machine as child processes under one state dir.
 * With etcd installed (Debian etcd-server): a local etcd (data under the state dir), workers with
 * ETCD membership and an ETCD mount table, and the coordinator. Without it: STATIC membership and
 * a STATIC_FILE mount table, and a notice saying so. The UFS directory is the root mount either way.
 */
export async function startLocalCluster(o: LocalStartOptions): Promise<{ state: LocalState; children: ChildProcess[]; layout: LocalLayout }> {
  if (!Number.isInteger(o.workers) || o.workers < 1 || o.workers > 20) throw new InvalidArgumentError(`--workers must be an integer from 1 to 20, got ${o.workers}`);
  const base = o.portBase ?? 0;
  if (!Number.isInteger(base) || base < 0 || base > 30000) throw new InvalidArgumentError(`--port-base must be an integer from 0 to 30000, got ${o.portBase}`);
  const layout = new LocalLayout(o.dir);
  const running = readState(layout);
  if (running && running.processes.some(isOurs)) {
    throw new AlluxioError('ALX_ERR_ALREADY_EXISTS', `a local cluster is already running from ${layout.root}: stop it with 'alluxio local stop'`);
  }
  const useEtcd = o.etcd !== false && etcdInstalled();
  if (o.etcd !== false && !useEtcd) o.onNotice?.(ETCD_MISSING_NOTICE(etcdBinary()));
  await checkPortsFree(plannedPorts(o.workers, base, useEtcd));
  const ufs = resolve(o.ufs);
  mkdirSync(ufs, { recursive: true });
  mkdirSync(layout.confDir, { recursive: true });
  mkdirSync(layout.logDir, { recursive: true });
  // Mount credentials are encrypted at rest with no setup: one key per state dir, for every process.
  createCredentialKeyFile(layout.credentialsKeyFile);
  const svc = servicePorts(base);
  const membershipProps = useEtcd
    ? [
      'alluxio.worker.membership.manager.type=ETCD',
      `alluxio.etcd.endpoints=http://127.0.0.1:${svc.etcdClient}`,
      'alluxio.mount.table.source=ETCD',
      'alluxio.coordinator.hostname=127.0.0.1',
      'alluxio.coordinator.bind.host=127.0.0.1',
      `alluxio.coordinator.web.port=${svc.coordinatorWeb}`,
      `alluxio.coordinator.rpc.port=${svc.coordinatorRpc}`,
    ]
    : [
      'alluxio.worker.membership.manager.type=STATIC',
      `alluxio.worker.static.membership.manager.config.file=${layout.workersFile}`,
      'alluxio.mount.table.source=STATIC_FILE',
    ];
  writeFileSync(layout.siteProperties, [
    `# Written by \`alluxio local start\`: a single-machine cluster (${useEtcd ? 'local etcd and coordinator' : 'static membership, etcd not used'}).`,
    ...membershipProps,
    `alluxio.mount.table.static.conf.file=${layout.mountTable}`,
    `alluxio.master.mount.table.root.ufs=${ufs}`,
    `${CREDENTIALS_KEY_PROPERTY}=${layout.credentialsKeyFile}`,
    'alluxio.worker.hostname=127.0.0.1',
    'alluxio.worker.bind.host=127.0.0.1',
    `alluxio.worker.http.server.port=${workerPorts(0, base).http}`,
    `alluxio.worker.rest.port=${workerPorts(0, base).s3}`,
    `alluxio.worker.web.port=${workerPorts(0, base).web}`,
    `alluxio.worker.page.store.sizes=${o.cacheSize}`,
    ...(o.pageSize ? [`alluxio.worker.page.store.page.size=${o.pageSize}`] : []),
    ...o.conf,
    '',
  ].join('\n'));
  // From the configuration the workers will load (ALLUXIO_CONF_DIR is this dir, the environment theirs).
  const workersConf = loadConfiguration({ confDir: layout.confDir, onWarning: () => { /* each worker logs its own */ } });
  writeFileSync(layout.workersFile, staticWorkersFile(workersConf, o.workers, base));
  if (!existsSync(layout.mountTable)) writeFileSync(layout.mountTable, '', { mode: 0o600 });

  const processes: LocalProcess[] = [];
  const children: ChildProcess[] = [];
  const health: Array<() => Promise<void>> = [];
  const state: LocalState = { startedAt: new Date().toISOString(), ufs, membership: useEtcd ? 'ETCD' : 'STATIC', ...(o.foreground ? { foreground: true } : {}), processes };
  const fail = async (err: unknown): Promise<never> => {
    await killAll(processes);
    throw err;
  };

  if (useEtcd) {
    mkdirSync(layout.etcdDataDir, { recursive: true, mode: 0o700 });
    const args = etcdArgs(layout.etcdDataDir, base);
    const child = spawnChild(etcdBinary(), args, layout, layout.etcdLog, o.foreground);
    const client = `http://127.0.0.1:${svc.etcdClient}`;
    children.push(child);
    processes.push({ role: 'etcd', index: 0, ...launched(child, etcdBinary()), args, endpoints: { client } });
    writeFileSync(layout.stateFile, JSON.stringify(state, null, 2));
    // Workers register in etcd as they start: etcd must answer first.
    await waitHealthy(`${client}/health`, child, layout.etcdLog).catch(fail);
  }

  for (let i = 0; i < o.workers; i++) {
    const p = workerPorts(i, base);
    const args = [
      BIN, 'process', 'start', 'worker',
      '--conf', `alluxio.worker.http.server.port=${p.http}`, '--conf', `alluxio.worker.rest.port=${p.s3}`,
      '--conf', `alluxio.worker.web.port=${p.web}`, '--conf', `alluxio.worker.rpc.port=${p.rpc}`, '--conf', `alluxio.worker.data.port=${p.data}`,
      '--conf', `alluxio.worker.page.store.dirs=${layout.pageStoreDir(i)}`,
      // Each worker keeps its own identity across restarts, so it comes back to the same ring position.
      '--conf', `alluxio.worker.identity.uuid.file.path=${layout.workerIdentityFile(i)}`,
    ];
    const child = spawnChild(process.execPath, args, layout, layout.workerLog(i), o.foreground);
    children.push(child);
    processes.push({ role: 'worker', index: i, ...launched(child, process.execPath), args, endpoints: { rest: `http://127.0.0.1:${p.http}`, s3: `http://127.0.0.1:${p.s3}`, web: `http://127.0.0.1:${p.web}`, metrics: `http://127.0.0.1:${p.web}/metrics` } });
    health.push(() => waitHealthy(`http://127.0.0.1:${p.http}${WORKER_REST.health}`, child, layout.workerLog(i)));
  }
  if (useEtcd) {
    const args = [BIN, 'process', 'start', 'coordinator'];
    const child = spawnChild(process.execPath, args, layout, layout.coordinatorLog, o.foreground);
    const web = `http://127.0.0.1:${svc.coordinatorWeb}`;
    children.push(child);
    processes.push({ role: 'coordinator', index: 0, ...launched(child, process.execPath), args, endpoints: { rest: web, web, metrics: `${web}/metrics` } });
    health.push(() => waitHealthy(`${web}${COORDINATOR_REST.health}`, child, layout.coordinatorLog));
  }
  writeFileSync(layout.stateFile, JSON.stringify(state, null, 2));
  await Promise.all(health.map((h) => h())).catch(fail);
  return { state, children, layout };
}

/** Every port the cluster's processes will bind, by owner. */
function plannedPorts(workers: number, base: number, useEtcd: boolean): PlannedPort[] {
  const ports: PlannedPort[] = [];
  if (useEtcd) {
    const svc = servicePorts(base);
    ports.push({ port: svc.etcdClient, owner: 'etcd client' }, { port: svc.etcdPeer, owner: 'etcd peer' },
      { port: svc.coordinatorWeb, owner: 'coordinator web' }, { port: svc.coordinatorRpc, owner: 'coordinator rpc' });
  }
  for (let i = 0; i < workers; i++) {
    const p = workerPorts(i, base);
    ports.push({ port: p.http, owner: `worker-${i} REST` }, { port: p.s3, owner: `worker-${i} S3` }, { port: p.web, owner: `worker-${i} web` },
      { port: p.rpc, owner: `worker-${i} rpc` }, { port: p.data, owner: `worker-${i} data` });
  }
  return ports;
}

/** pid, start time and executable of a child just spawned. */
function launched(child: ChildProcess, bin: string): Pick<LocalProcess, 'pid' | 'startTime' | 'bin'> {
  return { pid: child.pid!, startTime: processStartTime(child.pid!), bin };
}

function spawnChild(bin: string, args: string[], layout: LocalLayout, logFile: string, foreground: boolean): ChildProcess {
  const fd = openSync(logFile, 'a');
  const child = spawn(bin, args, {
    env: { ...process.env, ALLUXIO_CONF_DIR: layout.confDir },
    stdio: ['ignore', fd, fd],
    detached: !foreground,
  });
  closeSync(fd);
  if (!foreground) child.unref();
  return child;
}

async function waitHealthy(url: string, child: ChildProcess, log: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited: number | null = child.exitCode;
  child.once('exit', (code) => { exited = code ?? -1; });
  while (Date.now() < deadline) {
    if (exited !== null) throw new AlluxioError('ALX_ERR_INTERNAL', `process exited with code ${exited} before it became healthy; see ${log}:\n${tail(log)}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (res.ok) return;
    } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new AlluxioError('ALX_ERR_INTERNAL', `${url} not healthy after ${timeoutMs / 1000}s; see ${log}:\n${tail(log)}`);
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-15).join('\n');
  } catch {
    return '';
  }
}

export function readState(layout: LocalLayout): LocalState | undefined {
  try {
    return JSON.parse(readFileSync(layout.stateFile, 'utf8')) as LocalState;
  } catch {
    return undefined;
  }
}

/**
 * Stops processes in STOP_ORDER groups: SIGTERM, then SIGKILL for any still running after the grace
 * period. Only processes that are still ours are signalled: a recorded PID now held by another
 * process is reported in `gone` and left alone.
 */
async function stopProcesses(processes: LocalProcess[], graceMs: number): Promise<StopResult> {
  const running = processes.filter(isOurs);
  const gone = processes.filter((p) => !running.includes(p) && isAlive(p.pid));
  const groups = [...new Set(running.map((p) => STOP_ORDER[p.role] ?? 0))].sort();
  for (const g of groups) {
    const group = running.filter((p) => (STOP_ORDER[p.role] ?? 0) === g);
    for (const p of group) signal(p, 'SIGTERM');
    await waitGone(group, graceMs);
    for (const p of group) signal(p, 'SIGKILL');
  }
  return { stopped: running, gone };
}

/** Sends `sig` to `p` if it is still ours. */
function signal(p: LocalProcess, sig: NodeJS.Signals): void {
  if (!isOurs(p)) return;
  try { process.kill(p.pid, sig); } catch { /* gone meanwhile */ }
}

async function waitGone(group: LocalProcess[], ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline && group.some(isOurs)) await new Promise((r) => setTimeout(r, 100));
}

async function killAll(processes: LocalProcess[]): Promise<void> {
  await stopProcesses(processes, 3000);
}

export interface StopResult {
  /** Processes that were running and are stopped now. */
  stopped: LocalProcess[];
  /** Processes whose recorded PID now belongs to another process: not ours any more, not touched. */
  gone: LocalProcess[];
}

/** Stops every process of the local cluster (or those of `roles`; etcd last): SIGTERM, then SIGKILL after a grace period. */
export async function stopLocalCluster(dir: string, graceMs = 20_000, roles?: readonly string[]): Promise<StopResult> {
  const layout = new LocalLayout(dir);
  const state = readState(layout);
  if (!state) return { stopped: [], gone: [] };
  return stopProcesses(roles ? state.processes.filter((p) => roles.includes(p.role)) : state.processes, graceMs);
}

/** Health URL of a local process, by role. */
function healthUrl(p: LocalProcess): string {
  if (p.role === 'etcd') return `${p.endpoints.client}/health`;
  if (p.role === 'coordinator') return `${p.endpoints.web}${COORDINATOR_REST.health}`;
  return `${p.endpoints.rest}${WORKER_REST.health}`;
}

function logFile(layout: LocalLayout, p: LocalProcess): string {
  if (p.role === 'etcd') return layout.etcdLog;
  if (p.role === 'coordinator') return layout.coordinatorLog;
  return layout.workerLog(p.index);
}

/**
 * `alluxio local restart <process>`: stops one process of a background local cluster (SIGTERM,
 * so a worker drains its reads; SIGKILL after `graceMs`) and starts it again with the same
 * executable, arguments and configuration, then waits until it is healthy. A worker keeps its
 * identity and page store, so it comes back to its place in the ring with its cache.
 */
export async function restartLocalProcess(dir: string, name: string, graceMs = 20_000): Promise<{ before: LocalProcess; after: LocalProcess; wasRunning: boolean }> {
  const layout = new LocalLayout(dir);
  const state = readState(layout);
  if (!state) throw new AlluxioError('ALX_ERR_NOT_FOUND', `no local cluster has been started from ${layout.root}: start one with 'alluxio local start'`);
  const wanted = /-\d+$/.test(name) ? name : `${name}-0`; // 'coordinator' and 'etcd' stand for their only instance
  const i = state.processes.findIndex((p) => processName(p) === wanted);
  if (i < 0) {
    throw new InvalidArgumentError(`no process '${name}' in the local cluster at ${layout.root}: expected one of ${state.processes.map(processName).join(', ')} (as 'alluxio local status' lists them)`);
  }
  if (state.foreground) {
    throw new InvalidArgumentError(`the local cluster at ${layout.root} runs in the foreground, which stops every process when one exits: restart it there, or start it without --foreground`);
  }
  const before = state.processes[i]!;
  const wasRunning = isOurs(before);
  if (wasRunning) {
    signal(before, 'SIGTERM');
    await waitGone([before], graceMs);
    signal(before, 'SIGKILL');
    await waitGone([before], 5000);
  }
  const bin = before.bin ?? (before.role === 'etcd' ? etcdBinary() : process.execPath);
  const log = logFile(layout, before);
  const child = spawnChild(bin, before.args, layout, log, false);
  const after: LocalProcess = { ...before, ...launched(child, bin) };
  state.processes[i] = after;
  writeFileSync(layout.stateFile, JSON.stringify(state, null, 2));
  await waitHealthy(healthUrl(after), child, log);
  return { before, after, wasRunning };
}

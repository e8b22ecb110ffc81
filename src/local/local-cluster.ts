import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AlluxioError, InvalidArgumentError } from '../common/errors.js';
import { LocalLayout, workerPorts, type LocalProcess, type LocalState } from './local-layout.js';

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
}

const BIN = fileURLToPath(new URL('../../bin/alluxio.js', import.meta.url));

/**
 * `alluxio local start`: a whole cluster on one machine as child processes under one state dir,
 * with static membership and a STATIC_FILE mount table whose root mount is the UFS directory.
 */
export async function startLocalCluster(o: LocalStartOptions): Promise<{ state: LocalState; children: ChildProcess[]; layout: LocalLayout }> {
  if (!Number.isInteger(o.workers) || o.workers < 1 || o.workers > 20) throw new InvalidArgumentError(`--workers must be an integer from 1 to 20, got ${o.workers}`);
  const layout = new LocalLayout(o.dir);
  const running = readState(layout);
  if (running && running.processes.some((p) => isAlive(p.pid))) {
    throw new AlluxioError('ALX_ERR_ALREADY_EXISTS', `a local cluster is already running from ${layout.root}: stop it with 'alluxio local stop'`);
  }
  const ufs = resolve(o.ufs);
  mkdirSync(ufs, { recursive: true });
  mkdirSync(layout.confDir, { recursive: true });
  mkdirSync(layout.logDir, { recursive: true });
  const base = o.portBase ?? 0;
  writeFileSync(layout.siteProperties, [
    '# Written by `alluxio local start`: a single-machine cluster.',
    'alluxio.worker.membership.manager.type=STATIC',
    `alluxio.worker.static.membership.manager.config.file=${layout.workersFile}`,
    'alluxio.mount.table.source=STATIC_FILE',
    `alluxio.mount.table.static.conf.file=${layout.mountTable}`,
    `alluxio.master.mount.table.root.ufs=${ufs}`,
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
  const lines: string[] = ['# host:httpPort s3= web= rpc= data= (one worker per line)'];
  for (let i = 0; i < o.workers; i++) {
    const p = workerPorts(i, base);
    lines.push(`127.0.0.1:${p.http} s3=${p.s3} web=${p.web} rpc=${p.rpc} data=${p.data}`);
  }
  writeFileSync(layout.workersFile, lines.join('\n') + '\n');
  if (!existsSync(layout.mountTable)) writeFileSync(layout.mountTable, '', { mode: 0o600 });

  const processes: LocalProcess[] = [];
  const children: ChildProcess[] = [];
  for (let i = 0; i < o.workers; i++) {
    const p = workerPorts(i, base);
    const args = [
      BIN, 'process', 'start', 'worker',
      '--conf', `alluxio.worker.http.server.port=${p.http}`, '--conf', `alluxio.worker.rest.port=${p.s3}`,
      '--conf', `alluxio.worker.web.port=${p.web}`, '--conf', `alluxio.worker.rpc.port=${p.rpc}`, '--conf', `alluxio.worker.data.port=${p.data}`,
      '--conf', `alluxio.worker.page.store.dirs=${layout.pageStoreDir(i)}`,
    ];
    const child = spawnChild(args, layout, layout.workerLog(i), o.foreground);
    children.push(child);
    processes.push({ role: 'worker', index: i, pid: child.pid!, args, endpoints: { rest: `http://127.0.0.1:${p.http}`, s3: `http://127.0.0.1:${p.s3}`, web: `http://127.0.0.1:${p.web}`, metrics: `http://127.0.0.1:${p.web}/metrics` } });
  }
  const state: LocalState = { startedAt: new Date().toISOString(), ufs, processes };
  writeFileSync(layout.stateFile, JSON.stringify(state, null, 2));
  try {
    await Promise.all(processes.map((p, i) => waitHealthy(`${p.endpoints.rest}/v1/health`, children[i]!, layout.workerLog(i))));
  } catch (err) {
    for (const c of children) c.kill('SIGTERM');
    throw err;
  }
  return { state, children, layout };
}

function spawnChild(args: string[], layout: LocalLayout, logFile: string, foreground: boolean): ChildProcess {
  const fd = openSync(logFile, 'a');
  const child = spawn(process.execPath, args, {
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
  let exited: number | null = null;
  child.once('exit', (code) => { exited = code ?? -1; });
  while (Date.now() < deadline) {
    if (exited !== null) throw new AlluxioError('ALX_ERR_INTERNAL', `process exited with code ${exited} before it became healthy; see ${log}:\n${tail(log)}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (res.ok) return;
    } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new AlluxioError('ALX_ERR_INTERNAL', `${url} not healthy after ${timeoutMs / 1000}s; see ${log}`);
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

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Stops every process of the local cluster: SIGTERM, then SIGKILL after a grace period. */
export async function stopLocalCluster(dir: string, graceMs = 10_000): Promise<LocalProcess[]> {
  const layout = new LocalLayout(dir);
  const state = readState(layout);
  if (!state) return [];
  const alive = state.processes.filter((p) => isAlive(p.pid));
  for (const p of alive) {
    try { process.kill(p.pid, 'SIGTERM'); } catch { /* gone */ }
  }
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && alive.some((p) => isAlive(p.pid))) await new Promise((r) => setTimeout(r, 100));
  for (const p of alive) if (isAlive(p.pid)) process.kill(p.pid, 'SIGKILL');
  return alive;
}

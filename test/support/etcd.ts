// Real etcd servers for tests: /usr/bin/etcd (Debian etcd-server 3.4) as child processes on free
// loopback ports, data in a temp dir. Members can be stopped and restarted on the same ports and
// data dirs, so tests can simulate an outage and a recovery.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Etcd3 } from 'etcd3';

const ETCD_BIN = process.env.ETCD_BIN ?? '/usr/bin/etcd';

export interface EtcdCluster {
  /** Client URLs, `http://127.0.0.1:<port>`, one per member. */
  endpoints: string[];
  dataRoot: string;
  stopMember(i: number, signal?: NodeJS.Signals): Promise<void>;
  startMember(i: number): Promise<void>;
  stopAll(signal?: NodeJS.Signals): Promise<void>;
  startAll(): Promise<void>;
  /** Stops every member and removes the data dirs. Safe to call twice. */
  cleanup(): Promise<void>;
}

export interface EtcdAuthCluster extends EtcdCluster {
  username: string;
  password: string;
}

interface Member {
  name: string;
  clientPort: number;
  peerPort: number;
  dataDir: string;
  proc?: ChildProcess;
  stderr: string[];
}

import { freePort } from './ports.js';
export { freePort };

const live = new Set<EtcdCluster>();
process.once('exit', () => {
  // Last resort if a test forgot cleanup(): never leave etcd processes behind.
  for (const c of live) void c.stopAll('SIGKILL');
});

/** Starts 1 or 3 etcd members (static initial cluster) and waits until each is healthy. */
export async function startEtcd(opts: { members?: 1 | 3 } = {}): Promise<EtcdCluster> {
  const n = opts.members ?? 1;
  let lastErr: unknown;
  // A port picked by freePort() can be taken by someone else before etcd binds it: retry with new ports.
  for (let attempt = 0; attempt < 3; attempt++) {
    const dataRoot = mkdtempSync(join(tmpdir(), 'alluxio-etcd-'));
    const members: Member[] = [];
    for (let i = 0; i < n; i++) {
      members.push({ name: `m${i}`, clientPort: await freePort(), peerPort: await freePort(), dataDir: join(dataRoot, `m${i}`), stderr: [] });
    }
    const cluster = makeCluster(members, dataRoot, `alluxio-test-${process.pid}-${Date.now()}-${attempt}`);
    try {
      await cluster.startAll();
      live.add(cluster);
      return cluster;
    } catch (err) {
      lastErr = err;
      await cluster.cleanup();
    }
  }
  throw lastErr;
}

/** A 1-member etcd with auth enabled: user `root` with a random password (the root role). */
export async function startEtcdWithAuth(): Promise<EtcdAuthCluster> {
  const cluster = await startEtcd({ members: 1 });
  const username = 'root';
  const password = `pw-${Math.random().toString(36).slice(2)}`;
  const client = new Etcd3({ hosts: cluster.endpoints });
  try {
    await client.user(username).create(password);
    await client.role('root').create().catch(() => undefined); // exists already on some versions
    await client.user(username).addRole('root');
    await client.auth.authEnable({});
  } catch (err) {
    await cluster.cleanup();
    throw err;
  } finally {
    client.close();
  }
  return Object.assign(cluster, { username, password });
}

function makeCluster(members: Member[], dataRoot: string, token: string): EtcdCluster {
  const initialCluster = members.map((m) => `${m.name}=http://127.0.0.1:${m.peerPort}`).join(',');
  let cleaned = false;

  /** `wait`: 'health' = this member reports a leader; 'port' = its client port answers (no quorum needed). */
  const startMember = async (i: number, wait?: 'health' | 'port'): Promise<void> => {
    const m = members[i];
    if (!m) throw new Error(`no etcd member ${i}`);
    if (m.proc) return;
    const url = `http://127.0.0.1:${m.clientPort}`;
    const args = [
      '--name', m.name, '--data-dir', m.dataDir,
      '--listen-client-urls', url, '--advertise-client-urls', url,
      '--listen-peer-urls', `http://127.0.0.1:${m.peerPort}`,
      '--initial-advertise-peer-urls', `http://127.0.0.1:${m.peerPort}`,
      '--initial-cluster', initialCluster, '--initial-cluster-state', 'new', '--initial-cluster-token', token,
      // Fast elections so a stopped member or a restart costs a fraction of a second.
      '--heartbeat-interval', '50', '--election-timeout', '500',
      '--logger', 'zap', '--log-level', 'error', '--log-outputs', 'stderr',
    ];
    m.stderr = [];
    const proc = spawn(ETCD_BIN, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    proc.stderr!.setEncoding('utf8').on('data', (d: string) => { if (m.stderr.length < 200) m.stderr.push(d); });
    m.proc = proc;
    let exited: string | undefined;
    proc.once('exit', (code, sig) => { exited = `etcd ${m.name} exited (${code ?? sig}): ${m.stderr.join('').slice(-2000)}`; if (m.proc === proc) m.proc = undefined; });
    const deadline = Date.now() + 15_000;
    // A member restarted while too few others run has no quorum: wait only for its port then.
    const needHealth = (wait ?? (members.filter((x) => x.proc).length > members.length / 2 ? 'health' : 'port')) === 'health';
    for (;;) {
      if (exited) throw new Error(exited);
      if (await probe(url, needHealth)) return;
      if (Date.now() > deadline) {
        proc.kill('SIGKILL');
        throw new Error(`etcd ${m.name} on ${url} not healthy after 15s: ${m.stderr.join('').slice(-2000)}`);
      }
      await sleep(100);
    }
  };

  const stopMember = async (i: number, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> => {
    const m = members[i];
    const proc = m?.proc;
    if (!m || !proc) return;
    m.proc = undefined;
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      proc.once('exit', () => resolve());
      proc.kill(signal);
    });
  };

  const cluster: EtcdCluster = {
    endpoints: members.map((m) => `http://127.0.0.1:${m.clientPort}`),
    dataRoot,
    startMember: (i: number) => startMember(i),
    stopMember,
    async startAll() {
      // Members of a multi-member cluster need each other for quorum: start all, then wait for all.
      const idle = members.map((m, i) => (m.proc ? -1 : i)).filter((i) => i >= 0);
      await Promise.all(idle.map((i) => startMember(i, 'port')));
      for (const i of idle) await waitHealthy(cluster.endpoints[i]!, 15_000);
    },
    async stopAll(signal: NodeJS.Signals = 'SIGKILL') {
      await Promise.all(members.map((_, i) => stopMember(i, signal)));
    },
    async cleanup() {
      if (cleaned) return;
      cleaned = true;
      live.delete(cluster);
      await cluster.stopAll('SIGKILL');
      rmSync(dataRoot, { recursive: true, force: true });
    },
  };

  return cluster;
}

async function waitHealthy(url: string, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await probe(url, true)) return;
    await sleep(100);
  }
  throw new Error(`etcd at ${url} not healthy after ${ms}ms`);
}

/** `needHealth`: GET /health says {"health":"true"} (there is a leader); else the client port answers at all. */
async function probe(url: string, needHealth: boolean): Promise<boolean> {
  try {
    const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) });
    const body = await res.text();
    if (!needHealth) return true;
    return res.ok && /"health":\s*"true"/.test(body);
  } catch {
    return false;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls `fn` until it returns a truthy value or `ms` pass; returns the value or throws naming `what`. */
export async function waitFor<T>(what: string, fn: () => T | Promise<T>, ms = 15_000, every = 50): Promise<NonNullable<T>> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v as NonNullable<T>;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${ms}ms waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await sleep(every);
  }
}

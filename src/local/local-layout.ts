import { join, resolve } from 'node:path';

/** Ports of worker i in a local cluster: Alluxio's defaults shifted by 100 per worker. */
export function workerPorts(i: number, base = 0): { http: number; s3: number; rpc: number; data: number; web: number } {
  const d = base + i * 100;
  return { http: 28080 + d, s3: 29998 + d, rpc: 29999 + d, data: 29997 + d, web: 30000 + d };
}

/** Where a local cluster keeps its files. */
export class LocalLayout {
  readonly root: string;
  constructor(dir: string) {
    this.root = resolve(dir);
  }
  get confDir(): string { return join(this.root, 'conf'); }
  get siteProperties(): string { return join(this.confDir, 'alluxio-site.properties'); }
  get workersFile(): string { return join(this.confDir, 'workers'); }
  get mountTable(): string { return join(this.confDir, 'mount_table'); }
  get stateFile(): string { return join(this.root, 'cluster.json'); }
  /** The key that encrypts mount credentials in the mount table (mode 0600, made once, kept across restarts). */
  get credentialsKeyFile(): string { return join(this.root, 'mount-credentials.key'); }
  get logDir(): string { return join(this.root, 'logs'); }
  pageStoreDir(i: number): string { return join(this.root, `worker-${i}`, 'pagestore'); }
  workerLog(i: number): string { return join(this.logDir, `worker-${i}.log`); }
  workerIdentityFile(i: number): string { return join(this.root, `worker-${i}`, 'worker_identity'); }
  get etcdDataDir(): string { return join(this.root, 'etcd'); }
  get etcdLog(): string { return join(this.logDir, 'etcd.log'); }
  get coordinatorLog(): string { return join(this.logDir, 'coordinator.log'); }
}

export interface LocalProcess {
  role: string;
  index: number;
  pid: number;
  /** Start time of `pid` at launch (process-identity.ts), so a reused PID is never taken for ours. */
  startTime?: string;
  /** The executable (node, or etcd); args follow it. */
  bin?: string;
  endpoints: Record<string, string>;
  args: string[];
}

/** How `local status` names a process, and what `local restart` takes: worker-0, coordinator-0, etcd-0. */
export function processName(p: Pick<LocalProcess, 'role' | 'index'>): string {
  return `${p.role}-${p.index}`;
}

export interface LocalState {
  startedAt: string;
  ufs: string;
  /** ETCD when a local etcd runs (with the coordinator), STATIC when etcd is not installed or was turned off. */
  membership?: 'ETCD' | 'STATIC';
  /** Set when `local start --foreground` supervises the processes (it stops them all when one exits). */
  foreground?: boolean;
  processes: LocalProcess[];
}

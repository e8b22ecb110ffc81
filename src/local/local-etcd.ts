import { existsSync } from 'node:fs';

/** Where `alluxio local start` looks for etcd (Debian's etcd-server puts it here). */
export function etcdBinary(env: NodeJS.ProcessEnv = process.env): string {
  return env.ALLUXIO_ETCD_BIN || '/usr/bin/etcd';
}

export function etcdInstalled(env: NodeJS.ProcessEnv = process.env): boolean {
  return existsSync(etcdBinary(env));
}

/** Ports of the local etcd and coordinator: Alluxio's and etcd's defaults shifted by the port base. */
export function servicePorts(base = 0): { etcdClient: number; etcdPeer: number; coordinatorWeb: number; coordinatorRpc: number } {
  return { etcdClient: 2379 + base, etcdPeer: 2380 + base, coordinatorWeb: 19999 + base, coordinatorRpc: 19998 + base };
}

/** Arguments of a single-member etcd on loopback with its data under the state dir. */
export function etcdArgs(dataDir: string, base = 0): string[] {
  const p = servicePorts(base);
  const client = `http://127.0.0.1:${p.etcdClient}`;
  const peer = `http://127.0.0.1:${p.etcdPeer}`;
  return [
    '--name', 'alluxio-local', '--data-dir', dataDir,
    '--listen-client-urls', client, '--advertise-client-urls', client,
    '--listen-peer-urls', peer, '--initial-advertise-peer-urls', peer,
    '--initial-cluster', `alluxio-local=${peer}`, '--initial-cluster-state', 'new',
    '--initial-cluster-token', 'alluxio-local',
    '--logger', 'zap', '--log-level', 'warn', '--log-outputs', 'stderr',
  ];
}

export const ETCD_MISSING_NOTICE = (bin: string) =>
  `Notice: etcd is not installed (${bin} not found; install the Debian package etcd-server, or set ALLUXIO_ETCD_BIN). ` +
  'The local cluster uses STATIC membership and a STATIC_FILE mount table, and runs no coordinator.';

import { readFileSync } from 'node:fs';
import { InvalidArgumentError } from '../common/errors.js';
import { parseHostPort } from '../common/protocol/url.js';
import { uuid3Identity } from '../hashring/identity.js';
import type { WorkerInfo, WorkerNetAddress } from '../hashring/worker-info.js';
import type { MembershipManager, WorkerState } from './membership-manager.js';

export type DefaultPorts = Pick<WorkerNetAddress, 'RpcPort' | 'DataPort' | 'WebPort' | 'HttpServerPort' | 'S3Port'>;

const PORT_KEYS: Record<string, keyof DefaultPorts> = {
  http: 'HttpServerPort', rest: 'HttpServerPort', s3: 'S3Port', web: 'WebPort', rpc: 'RpcPort', data: 'DataPort',
};

/**
 * STATIC membership: the workers are the lines of a file (`alluxio.worker.static.membership.manager.config.file`).
 * Alluxio's form is one host name per line, every port the configured default, identity uuid3(host).
 * Ours also accepts `host:httpPort [s3=P web=P rpc=P data=P socket=/path]` so several workers can share a host
 * (the local cluster); the identity is then uuid3 of `host:httpPort`. Every listed worker counts as live:
 * clients find dead ones by failing over (DESIGN.md §6).
 */
export class StaticMembershipManager implements MembershipManager {
  readonly type = 'STATIC' as const;
  private readonly workers: WorkerInfo[];

  constructor(file: string, defaults: DefaultPorts, text?: string) {
    this.workers = parseWorkerList(text ?? readFileOrEmpty(file), defaults, file);
  }

  static fromText(text: string, defaults: DefaultPorts): StaticMembershipManager {
    return new StaticMembershipManager('<inline>', defaults, text);
  }

  async join(): Promise<void> {}
  async leave(): Promise<void> {}
  async liveWorkers(): Promise<WorkerInfo[]> { return [...this.workers]; }
  async allWorkers(): Promise<WorkerState[]> { return this.workers.map((worker) => ({ worker, status: 'ONLINE' as const })); }
  onChange(): () => void { return () => {}; }
  async close(): Promise<void> {}
}

function readFileOrEmpty(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new InvalidArgumentError(`static worker list ${file} does not exist: write one worker host per line, or set alluxio.worker.membership.manager.type=ETCD`);
    }
    throw err;
  }
}

/**
 * `host`, `host:port`, `[ipv6]` or `[ipv6]:port` (an IPv6 address in brackets, as in a URL), read
 * with the protocol module's parseHostPort; a bare host is parsed with a stand-in port.
 */
function parseWorkerHost(text: string): { host: string; port?: number } | undefined {
  const withPort = parseHostPort(text);
  if (withPort) return withPort;
  const bare = parseHostPort(`${text}:1`);
  return bare && { host: bare.host };
}

export function parseWorkerList(text: string, defaults: DefaultPorts, where: string): WorkerInfo[] {
  const out: WorkerInfo[] = [];
  const seen = new Set<string>();
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/#.*$/, '').trim();
    if (!line) return;
    const [hostPort, ...extra] = line.split(/\s+/);
    const given = parseWorkerHost(hostPort!);
    if (!given) throw new InvalidArgumentError(`${where}:${i + 1}: '${hostPort}' is not host, host:port or [ipv6]:port (port 1..65535)`);
    if (seen.has(hostPort!)) throw new InvalidArgumentError(`${where}:${i + 1}: worker ${hostPort} listed twice`);
    seen.add(hostPort!);
    const ports: DefaultPorts = { ...defaults };
    if (given.port !== undefined) ports.HttpServerPort = given.port;
    let socket = '';
    for (const kv of extra) {
      const [k, v] = kv.split('=');
      // socket=<absolute path>: the worker's Unix domain socket, for clients on its host.
      if (k === 'socket' && v?.startsWith('/')) { socket = v; continue; }
      const field = PORT_KEYS[k ?? ''];
      if (!field || !/^\d+$/.test(v ?? '')) {
        throw new InvalidArgumentError(`${where}:${i + 1}: '${kv}' is not one of ${Object.keys(PORT_KEYS).join('|')}=<port> or socket=<absolute path>`);
      }
      ports[field] = Number(v);
    }
    out.push({
      identity: uuid3Identity(hostPort!),
      address: {
        Host: given.host, ContainerHost: '', RpcPort: ports.RpcPort, DataPort: ports.DataPort, SecureRpcPort: 0,
        NettyDataPort: ports.DataPort, WebPort: ports.WebPort, DomainSocketPath: socket, HttpServerPort: ports.HttpServerPort,
        S3Port: ports.S3Port,
      },
    });
  });
  return out;
}

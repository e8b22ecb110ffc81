import { InvalidArgumentError } from '../common/errors.js';
import { workerName, type WorkerInfo, type WorkerNetAddress } from '../hashring/worker-info.js';

// Alluxio's etcd layout (DESIGN.md §6). The same JSON value goes under both keys.
export const DEFAULT_CLUSTER_NAME = 'DefaultAlluxioCluster';

export function ringPrefix(cluster: string): string {
  return `/DHT/${cluster}/AUTHORIZED/`;
}

export function serviceDiscoveryPrefix(cluster: string): string {
  return `/ServiceDiscovery/${cluster}/`;
}

export function validateClusterName(cluster: string): string {
  if (typeof cluster !== 'string' || cluster === '' || /[/\s]/.test(cluster)) {
    throw new InvalidArgumentError(`bad alluxio.cluster.name '${cluster}': expected a non-empty name without '/' or spaces`);
  }
  return cluster;
}

/** The value Alluxio writes, field order and all, plus our `CapacityBytes` when known. */
export function encodeWorkerEntity(w: WorkerInfo): string {
  const a = w.address;
  const address: Record<string, string | number> = {
    Host: a.Host, ContainerHost: a.ContainerHost, RpcPort: a.RpcPort, DataPort: a.DataPort,
    SecureRpcPort: a.SecureRpcPort, NettyDataPort: a.NettyDataPort, WebPort: a.WebPort,
    DomainSocketPath: a.DomainSocketPath, HttpServerPort: a.HttpServerPort,
  };
  if (a.S3Port !== undefined) address.S3Port = a.S3Port;
  const entity: Record<string, unknown> = {
    Identity: { version: w.identity.version, identifier: w.identity.identifier },
    WorkerNetAddress: address,
    State: 'AUTHORIZED',
    GenerationNumber: -1,
    ServiceEntityName: workerName(w.identity),
  };
  if (w.capacityBytes !== undefined) entity.CapacityBytes = w.capacityBytes;
  return JSON.stringify(entity);
}

/** Parses a value written by us or by Alluxio. Missing port fields read as 0, unknown fields are ignored. */
export function decodeWorkerEntity(text: string, key = '<value>'): WorkerInfo {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new InvalidArgumentError(`etcd key ${key}: value is not JSON`);
  }
  const o = v as { Identity?: { version?: unknown; identifier?: unknown }; WorkerNetAddress?: Record<string, unknown>; CapacityBytes?: unknown };
  const version = o?.Identity?.version;
  const identifier = o?.Identity?.identifier;
  if (typeof version !== 'number' || typeof identifier !== 'string' || !/^[0-9a-f]{32}$/i.test(identifier)) {
    throw new InvalidArgumentError(`etcd key ${key}: Identity must be {"version":<number>,"identifier":"<32 hex>"}`);
  }
  const n = o.WorkerNetAddress;
  if (!n || typeof n.Host !== 'string' || n.Host === '') {
    throw new InvalidArgumentError(`etcd key ${key}: WorkerNetAddress.Host is missing`);
  }
  const num = (f: string): number => (typeof n[f] === 'number' ? (n[f] as number) : 0);
  const str = (f: string): string => (typeof n[f] === 'string' ? (n[f] as string) : '');
  const address: WorkerNetAddress = {
    Host: n.Host, ContainerHost: str('ContainerHost'), RpcPort: num('RpcPort'), DataPort: num('DataPort'),
    SecureRpcPort: num('SecureRpcPort'), NettyDataPort: num('NettyDataPort'), WebPort: num('WebPort'),
    DomainSocketPath: str('DomainSocketPath'), HttpServerPort: num('HttpServerPort'),
  };
  if (typeof n.S3Port === 'number') address.S3Port = n.S3Port;
  const info: WorkerInfo = { identity: { version, identifier: identifier.toLowerCase() }, address };
  if (typeof o.CapacityBytes === 'number') info.capacityBytes = o.CapacityBytes;
  return info;
}

const PORT_FIELDS = ['RpcPort', 'DataPort', 'SecureRpcPort', 'NettyDataPort', 'WebPort', 'HttpServerPort'] as const;

/** Checks a worker before it is written to etcd; errors name the field. */
export function validateWorkerInfo(w: WorkerInfo): WorkerInfo {
  if (!w || !w.identity || !w.address) throw new InvalidArgumentError('worker must have identity and address');
  const { version, identifier } = w.identity;
  if (!Number.isInteger(version)) throw new InvalidArgumentError(`worker identity version ${version} is not an integer`);
  if (typeof identifier !== 'string' || !/^[0-9a-f]{32}$/.test(identifier)) {
    throw new InvalidArgumentError(`worker identity identifier '${identifier}' is not 32 lowercase hex characters (the 16 UUID bytes)`);
  }
  if (typeof w.address.Host !== 'string' || w.address.Host.trim() === '') throw new InvalidArgumentError('worker address Host is empty');
  for (const f of PORT_FIELDS) {
    const p = w.address[f];
    if (!Number.isInteger(p) || p < 0 || p > 65535) throw new InvalidArgumentError(`worker address ${f}=${p} is not a port number (0-65535)`);
  }
  if (w.address.S3Port !== undefined && (!Number.isInteger(w.address.S3Port) || w.address.S3Port < 0 || w.address.S3Port > 65535)) {
    throw new InvalidArgumentError(`worker address S3Port=${w.address.S3Port} is not a port number (0-65535)`);
  }
  if (w.capacityBytes !== undefined && (!Number.isFinite(w.capacityBytes) || w.capacityBytes < 0)) {
    throw new InvalidArgumentError(`worker capacityBytes=${w.capacityBytes} is not a non-negative number`);
  }
  return w;
}

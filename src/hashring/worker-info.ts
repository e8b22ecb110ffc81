/** A worker's identity as Alluxio writes it: version 1 and the 16 UUID bytes as 32 hex chars. */
export interface WorkerIdentity {
  version: number;
  identifier: string;
}

/** Where a worker listens. Field names follow Alluxio's WorkerNetAddress. */
export interface WorkerNetAddress {
  Host: string;
  ContainerHost: string;
  RpcPort: number;
  DataPort: number;
  SecureRpcPort: number;
  NettyDataPort: number;
  WebPort: number;
  DomainSocketPath: string;
  HttpServerPort: number;
  /** Ours: the S3 API port (29998 by default); Alluxio leaves it out of the address. */
  S3Port?: number;
}

export interface WorkerInfo {
  identity: WorkerIdentity;
  address: WorkerNetAddress;
  /** Page store capacity in bytes; used by the CAPACITY policy. */
  capacityBytes?: number;
}

/** `worker-<uuid with dashes>`, the name Alluxio prints and uses as the etcd key suffix. */
export function workerName(identity: WorkerIdentity): string {
  const h = identity.identifier;
  return `worker-${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export function sameWorker(a: WorkerIdentity, b: WorkerIdentity): boolean {
  return a.version === b.version && a.identifier === b.identifier;
}

/** Stable string key for maps. */
export function identityKey(identity: WorkerIdentity): string {
  return `${identity.version}:${identity.identifier}`;
}

import { randomIdentity } from '../../src/hashring/identity.js';
import type { WorkerInfo } from '../../src/hashring/worker-info.js';

/** A worker with a random identity and Alluxio's default ports (HTTP port as given). */
export function testWorker(host: string, http: number, capacityBytes?: number): WorkerInfo {
  const w: WorkerInfo = {
    identity: randomIdentity(),
    address: {
      Host: host, ContainerHost: '', RpcPort: 29999, DataPort: 29997, SecureRpcPort: 0, NettyDataPort: 29997,
      WebPort: 30000, DomainSocketPath: '', HttpServerPort: http, S3Port: 29998,
    },
  };
  if (capacityBytes !== undefined) w.capacityBytes = capacityBytes;
  return w;
}

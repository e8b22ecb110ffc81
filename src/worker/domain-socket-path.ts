// Where a worker's Unix domain socket goes, apart from the listener (domain-socket.ts) so that
// `alluxio local start`, which writes the static workers file, knows it without loading metrics.
import { join } from 'node:path';

/**
 * The configured path, or with `asUuid` a socket named after the worker's id in that directory
 * (several workers on one host, one hostPath).
 */
export function domainSocketPath(address: string, asUuid: boolean, workerId: string): string {
  return asUuid ? join(address, `${workerId}.sock`) : address;
}

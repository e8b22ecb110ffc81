import type { Server } from 'node:http';
import { once } from 'node:events';
import { connect } from 'node:net';
import { chmod, lstat, mkdir, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { AlluxioError } from '../common/errors.js';
import { metrics } from '../common/metrics.js';

export { domainSocketPath } from './domain-socket-path.js';

/**
 * Serves `server` (a second instance of the REST server) on a Unix domain socket, the
 * short-circuit path for clients on the same host, and counts the answer bytes it sends. A socket
 * file a dead worker left is replaced; one a live process still listens on is refused.
 */
export async function listenDomainSocket(server: Server, path: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const existing = await lstat(path).catch(() => undefined);
  if (existing) {
    if (!existing.isSocket()) throw new AlluxioError('ALX_ERR_ALREADY_EXISTS', `domain socket path ${path} exists and is not a socket: choose another alluxio.worker.data.server.domain.socket.address`);
    if (await answers(path)) throw new AlluxioError('ALX_ERR_ALREADY_EXISTS', `domain socket ${path} is in use by a running process (another worker on this host?): set alluxio.worker.data.server.domain.socket.as.uuid=true or another address`);
    await unlink(path);
  }
  server.on('request', (req, res) => {
    const before = req.socket.bytesWritten;
    res.once('finish', () => metrics.domainSocketBytes.inc(Math.max(0, req.socket.bytesWritten - before)));
  });
  server.listen(path);
  await once(server, 'listening');
  // Clients on the node may run as other users (a FUSE or training pod); the REST auth still applies.
  await chmod(path, 0o666);
}

function answers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(path);
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

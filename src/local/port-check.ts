import { createServer } from 'node:net';
import { AlluxioError } from '../common/errors.js';

/** A port a local cluster process will bind, and who binds it (for the message when it is taken). */
export interface PlannedPort {
  port: number;
  owner: string;
}

/**
 * Checks, before anything starts, that every port the local cluster will bind is free on `host`
 * and that no two of its processes want the same one. Two clusters on shifted port bases can
 * overlap (etcd peer 2380+base against another cluster's worker 28080): the message names the
 * port, which of our processes wanted it, and what to change.
 */
export async function checkPortsFree(planned: PlannedPort[], host = '127.0.0.1'): Promise<void> {
  const seen = new Map<number, string>();
  for (const p of planned) {
    if (!Number.isInteger(p.port) || p.port < 1 || p.port > 65535) {
      throw new AlluxioError('ALX_ERR_INVALID_ARGUMENT', `${p.owner} would listen on port ${p.port}, outside 1-65535: choose a smaller --port-base`);
    }
    const other = seen.get(p.port);
    if (other) throw new AlluxioError('ALX_ERR_INVALID_ARGUMENT', `${p.owner} and ${other} would both listen on port ${p.port}: choose another --port-base or fewer --workers`);
    seen.set(p.port, p.owner);
  }
  const taken = (await Promise.all(planned.map(async (p) => ((await isFree(p.port, host)) ? undefined : p)))).filter((p): p is PlannedPort => !!p);
  if (taken.length) {
    const list = taken.map((p) => `${p.port} (${p.owner})`).join(', ');
    throw new AlluxioError('ALX_ERR_ALREADY_EXISTS', `port${taken.length > 1 ? 's' : ''} ${list} already in use on ${host} ` +
      '(another local cluster or service?): stop it, or start this cluster with another --port-base; nothing was started');
  }
}

function isFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

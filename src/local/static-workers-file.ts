// The workers file of a local cluster without etcd (STATIC membership): one line per worker with
// its ports and, when the workers serve a Unix domain socket, `socket=<path>`, so that clients on
// this host reach them over it (and read their page files themselves) as they do when a worker
// advertises its socket in etcd.
import { resolve } from 'node:path';
import { InvalidArgumentError } from '../common/errors.js';
import type { AlluxioConfiguration } from '../conf/index.js';
import { uuid3Identity } from '../hashring/identity.js';
import { domainSocketPath } from '../worker/domain-socket-path.js';
import { workerPorts } from './local-layout.js';

/** The text of the workers file for `workers` workers on port base `base`, as `conf` (the cluster's) starts them. */
export function staticWorkersFile(conf: AlluxioConfiguration, workers: number, base: number): string {
  const address = conf.get('alluxio.worker.data.server.domain.socket.address');
  const asUuid = conf.getBool('alluxio.worker.data.server.domain.socket.as.uuid');
  if (address !== undefined && address !== '') {
    if (!asUuid && workers > 1) {
      throw new InvalidArgumentError(`alluxio.worker.data.server.domain.socket.address=${address} would be one socket for ${workers} workers on this host: `
        + 'set alluxio.worker.data.server.domain.socket.as.uuid=true (one socket per worker in that directory) or start one worker');
    }
    // The file is whitespace-separated and '#' starts a comment.
    if (/[\s#]/.test(address)) throw new InvalidArgumentError(`alluxio.worker.data.server.domain.socket.address=${JSON.stringify(address)}: a local cluster without etcd lists it in its workers file, which cannot hold whitespace or '#'`);
  }
  const lines = ['# host:httpPort s3= web= rpc= data= [socket=] (one worker per line)'];
  for (let i = 0; i < workers; i++) {
    const p = workerPorts(i, base);
    const hostPort = `127.0.0.1:${p.http}`;
    // A STATIC worker's id is uuid3 of its list entry (worker-process.ts staticSelfIdentity); the
    // worker resolves a relative address against the cwd it inherits from this process.
    const socket = address ? ` socket=${domainSocketPath(resolve(address), asUuid, uuid3Identity(hostPort).identifier)}` : '';
    lines.push(`${hostPort} s3=${p.s3} web=${p.web} rpc=${p.rpc} data=${p.data}${socket}`);
  }
  return lines.join('\n') + '\n';
}

import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import type { AlluxioConfiguration } from '../conf/index.js';
import { createLogger, type Logger } from '../common/logging.js';
import { metrics, startProcessMetrics } from '../common/metrics.js';
import { uuid3Identity } from '../hashring/identity.js';
import { workerName, type WorkerInfo } from '../hashring/worker-info.js';
import { resolveWorkerIdentity } from '../membership/identity-store.js';
import { Namespace } from '../mount/namespace.js';
import { checkStaticMounts } from './static-mount-check.js';
import { createPageStore } from '../pagestore/index.js';
import type { PageStore } from '../pagestore/page-store.js';
import { createClient, defaultPorts, openMembership, openMountStore, ufsOptionsFromConf } from '../client/from-conf.js';
import type { AlluxioClient } from '../client/alluxio-client.js';
import { CachedReader } from './cached-reader.js';
import { PreviousOwnerPageSource } from './peer-page-source.js';
import { FileService } from './file-service.js';
import { LoadService } from './load-service.js';
import { createRestServer } from './rest-server.js';
import { createWebServer } from './web-server.js';
import { startS3Servers, type S3Servers } from './s3/s3-server.js';
import { VERSION } from '../common/version.js';

export interface RunningWorker {
  readonly info: WorkerInfo;
  readonly store: PageStore;
  readonly files: FileService;
  /** The S3 API servers (HTTP, and HTTPS when a certificate is configured). */
  readonly s3: S3Servers;
  readonly client: AlluxioClient;
  readonly log: Logger;
  close(): Promise<void>;
}

/** Starts a worker (`alluxio process start worker`): page store, REST API, web port, membership. */
export async function startWorker(conf: AlluxioConfiguration, log: Logger = createLogger('worker')): Promise<RunningWorker> {
  startProcessMetrics();
  metrics.versionInfo.set({ version: VERSION, component: 'worker' }, 1);
  const store = createPageStore({
    type: conf.getEnum('alluxio.worker.page.store.type'),
    dirs: [...conf.getList('alluxio.worker.page.store.dirs')],
    sizes: [...conf.getSizeList('alluxio.worker.page.store.sizes')],
    pageSize: conf.getSize('alluxio.worker.page.store.page.size'),
    reservedBytes: conf.getSize('alluxio.worker.page.store.reserved.size'),
    evictor: conf.getEnum('alluxio.worker.page.store.evictor.type'),
    buckets: conf.getInt('alluxio.worker.page.store.local.store.file.buckets'),
    checksum: conf.getBool('alluxio.worker.page.store.checksum.enabled'),
  });
  await store.open();

  const membership = await openMembership(conf, { log });
  const namespace = await Namespace.open(await openMountStore(conf), ufsOptionsFromConf(conf));
  const stopMountChecks = namespace.mountStore.source === 'STATIC_FILE'
    ? checkStaticMounts(namespace, ufsOptionsFromConf(conf), conf.getDuration('alluxio.mount.check.timeout'), log)
    : () => {};
  const client = await createClient(conf, { log, membership, namespace });
  // After a ring change, missing pages are first asked of their previous owner (peer-page-source.ts).
  const peer = new PreviousOwnerPageSource(client.ring, () => info, { pageSize: store.pageSize, timeoutMs: Math.min(conf.getDuration('alluxio.user.network.connect.timeout'), 2000), log });
  const reader = new CachedReader(store, {
    peer,
    readAheadPages: conf.getInt('alluxio.worker.page.store.read.ahead.pages'),
    metadataTtlMs: conf.getDuration('alluxio.user.metadata.cache.expiration.time'),
    metadataMaxSize: conf.getInt('alluxio.user.metadata.cache.max.size'),
    maxPendingWriteBytes: conf.getSize('alluxio.worker.page.store.async.write.max.size'),
  }, log);
  const files = new FileService(namespace, reader);
  // Loading a file = reading it through its owner, so the pages land where readers will look.
  const load = new LoadService(files, async (entry) => {
    const { stream } = await client.read(entry.path);
    for await (const _ of stream) { /* drain */ }
  }, 4, log);

  const ports = defaultPorts(conf);
  const host = conf.getString('alluxio.worker.hostname');
  const bind = conf.getString('alluxio.worker.bind.host');
  const identity = membership.type === 'STATIC'
    ? await staticSelfIdentity(membership, host, ports.HttpServerPort)
    : resolveWorkerIdentity({ uuid: conf.get('alluxio.worker.identity.uuid'), filePath: conf.getString('alluxio.worker.identity.uuid.file.path') });

  // The address is known before any server listens (a request may arrive at once); ports
  // configured as 0 are filled in once bound.
  const info: WorkerInfo = {
    identity,
    address: {
      Host: host, ContainerHost: '', RpcPort: ports.RpcPort, DataPort: ports.DataPort, SecureRpcPort: 0,
      NettyDataPort: ports.DataPort, WebPort: ports.WebPort, DomainSocketPath: '', HttpServerPort: ports.HttpServerPort, S3Port: ports.S3Port,
    },
    capacityBytes: store.stats().capacityBytes,
  };
  const rest = createRestServer({ files, store, self: () => info, owners: (uri, n) => client.ring.owners(uri, n), load });
  const web = createWebServer(() => ({ component: 'worker', version: VERSION, worker: info, name: workerName(info.identity), cache: store.stats() }));
  const servers: Server[] = [];
  let s3: S3Servers;
  try {
    info.address.HttpServerPort = await listen(rest, bind, ports.HttpServerPort, servers);
    info.address.WebPort = await listen(web, bind, ports.WebPort, servers);
    s3 = await startS3Servers({ files, owners: (uri) => client.ring.owners(uri, 1), ringState: () => client.ring.policyInUse, self: () => info, conf, log });
    info.address.S3Port = s3.httpPort;
  } catch (err) {
    // A port in use (or a bad S3 setting) fails the start; release what was opened.
    for (const srv of servers) srv.close();
    await client.close().catch(() => {});
    stopMountChecks();
    await namespace.close();
    await store.close();
    throw err;
  }
  const restPort = info.address.HttpServerPort;
  const webPort = info.address.WebPort;
  await membership.join(info);
  log.info({ worker: workerName(identity), rest: restPort, web: webPort, membership: membership.type }, 'worker started');

  let closed = false;
  return {
    info, store, files, client, log, s3,
    async close() {
      if (closed) return;
      closed = true;
      for (const s of servers) s.closeAllConnections?.();
      await Promise.all(servers.map((s) => new Promise((r) => s.close(() => r(undefined)))));
      await s3.close();
      await membership.leave().catch(() => {});
      await client.close().catch(() => {});
      await peer.close().catch(() => {});
      stopMountChecks();
      await namespace.close();
      await store.close();
    },
  };
}

async function listen(server: Server, host: string, port: number, servers: Server[]): Promise<number> {
  server.listen(port, host);
  await once(server, 'listening');
  servers.push(server);
  return (server.address() as AddressInfo).port;
}

/** In STATIC membership a worker is the list entry with its host and REST port (uuid3 of it). */
async function staticSelfIdentity(membership: { liveWorkers(): Promise<WorkerInfo[]> }, host: string, port: number) {
  const me = (await membership.liveWorkers()).find((w) => w.address.Host === host && w.address.HttpServerPort === port);
  return me?.identity ?? uuid3Identity(host);
}

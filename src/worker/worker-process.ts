import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import { join } from 'node:path';
import type { AlluxioConfiguration } from '../conf/index.js';
import { createLogger, type Logger } from '../common/logging.js';
import { metrics, startProcessMetrics } from '../common/metrics.js';
import { uuid3Identity } from '../hashring/identity.js';
import { workerName, type WorkerInfo } from '../hashring/worker-info.js';
import { resolveWorkerIdentity } from '../membership/identity-store.js';
import { Namespace } from '../mount/namespace.js';
import { checkStaticMounts } from './static-mount-check.js';
import { pageStoreFromConf } from './page-store-from-conf.js';
import type { PageStore } from '../pagestore/page-store.js';
import { createClient, defaultPorts, openMembership, openMountStore, restAuthorizationFromConf, ufsOptionsFromConf } from '../client/from-conf.js';
import type { AlluxioClient } from '../client/alluxio-client.js';
import { CachedReader } from './cached-reader.js';
import { PreviousOwnerPageSource } from './peer-page-source.js';
import { FileService } from './file-service.js';
import { TempFileJournal } from './temp-file-journal.js';
import { workerStateDir } from './state-dir.js';
import { LoadService } from './load-service.js';
import { JobTaskService } from './job-task-service.js';
import { createRestServer } from './rest-server.js';
import { domainSocketPath, listenDomainSocket } from './domain-socket.js';
import { consoleGuard, credentialsFromConf, workerRestGuard } from './rest-auth.js';
import { ConsoleGate } from '../console/console-gate.js';
import { workerConsole } from './console-views.js';
import type { CredentialsFile } from './credentials-file.js';
import { createWebServer } from './web-server.js';
import { WorkerHealth } from './worker-health.js';
import { startS3Servers, type S3Deps, type S3Servers } from './s3/s3-server.js';
import { signRequest } from './s3/sigv4.js';
import { VERSION } from '../common/version.js';
import { AlluxioError } from '../common/errors.js';
import { ShutdownDrain } from '../common/shutdown-drain.js';
import { httpOrigin } from '../common/protocol/index.js';
import { newRequestId, sendS3Error } from './s3/s3-errors.js';

export interface RunningWorker {
  readonly info: WorkerInfo;
  readonly store: PageStore;
  readonly files: FileService;
  /** The S3 API servers (HTTP, and HTTPS when a certificate is configured). */
  readonly s3: S3Servers;
  readonly client: AlluxioClient;
  readonly log: Logger;
  /** Stops at once: every connection is cut. */
  close(): Promise<void>;
  /**
   * Stops gracefully (SIGTERM): leaves membership so clients fail over, refuses new requests with
   * 503, lets requests in flight finish for up to `graceMs` (alluxio.worker.network.shutdown.timeout),
   * then closes. Resolves true when nothing in flight had to be cut.
   */
  shutdown(graceMs?: number): Promise<boolean>;
}

/** Starts a worker (`alluxio process start worker`): page store, REST API, web port, membership. */
export async function startWorker(conf: AlluxioConfiguration, log: Logger = createLogger('worker')): Promise<RunningWorker> {
  startProcessMetrics('worker');
  metrics.versionInfo.set({ version: VERSION, component: 'worker' }, 1);
  // Decided once: who may call the REST API, and what this worker sends when it calls another one.
  const credentials = credentialsFromConf(conf);
  const guard = workerRestGuard(conf, credentials);
  const authorization = internalAuthorization(conf, credentials, log);
  const store = pageStoreFromConf(conf);
  await store.open();

  const membership = await openMembership(conf, { log });
  const namespace = await Namespace.open(await openMountStore(conf), ufsOptionsFromConf(conf));
  const stopMountChecks = namespace.mountStore.source === 'STATIC_FILE'
    ? checkStaticMounts(namespace, ufsOptionsFromConf(conf), conf.getDuration('alluxio.mount.check.timeout'), log)
    : () => {};
  const client = await createClient(conf, { log, membership, namespace, ...(authorization !== undefined ? { authorization } : {}) });
  // After a ring change, missing pages are first asked of their previous owner (peer-page-source.ts).
  const peer = new PreviousOwnerPageSource(client.ring, () => info, { pageSize: store.pageSize, timeoutMs: Math.min(conf.getDuration('alluxio.user.network.connect.timeout'), 2000), log, authorization });
  const reader = new CachedReader(store, {
    peer,
    readAheadPages: conf.getInt('alluxio.worker.page.store.read.ahead.pages'),
    metadataTtlMs: conf.getDuration('alluxio.user.metadata.cache.expiration.time'),
    metadataMaxSize: conf.getInt('alluxio.user.metadata.cache.max.size'),
    maxPendingWriteBytes: conf.getSize('alluxio.worker.page.store.async.write.max.size'),
  }, log);
  // UFS temp files a killed run left are removed before this run writes (temp-file-journal.ts).
  const tempFiles = new TempFileJournal(join(workerStateDir(conf), 'ufs-temp-files'));
  await tempFiles.replay(log);
  const files = new FileService(namespace, reader, tempFiles);
  // Loading a file = reading it through its owner, so the pages land where readers will look.
  const load = new LoadService(files, async (entry) => {
    const { stream } = await client.read(entry.path);
    for await (const _ of stream) { /* drain */ }
  }, 4, log, membership.type === 'ETCD' ? {
    // With etcd there is a coordinator: load jobs run there and every worker forwards to it.
    origin: httpOrigin(conf.getString('alluxio.coordinator.hostname'), conf.getInt('alluxio.coordinator.web.port')),
    timeoutMs: Math.max(conf.getDuration('alluxio.user.network.connect.timeout'), 10_000),
    ...(authorization !== undefined ? { authorization } : {}),
  } : undefined);
  const jobTasks = new JobTaskService(files, store, log);

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
  const health = new WorkerHealth(store, conf.getDuration('alluxio.worker.page.store.health.probe.timeout'));
  // Not healthy until every listener (REST, web, domain socket, S3) is up and the worker has joined
  // the ring: /v1/health answers while the later ones still bind, and a probe or a script that
  // trusts an early 200 would then hit a closed S3 port or a missing socket.
  let serving = false;
  const checkHealth = () => serving ? health.check() : Promise.resolve('the worker is starting: not every listener is up and it has not joined the ring yet');
  const restDeps: Parameters<typeof createRestServer>[0] = {
    files, store, self: () => info, owners: (uri, n) => client.ring.owners(uri, n), load, jobTasks, guard, health: checkHealth,
    timeouts: {
      headersMs: conf.getDuration('alluxio.worker.http.server.request.header.timeout'),
      bodyMs: conf.getDuration('alluxio.worker.http.server.request.body.timeout'),
      idleMs: conf.getDuration('alluxio.worker.http.server.idle.timeout'),
    },
  };
  const rest = createRestServer(restDeps);
  // Short-circuit: the same REST API on a Unix domain socket for clients on this host.
  const socketAddress = conf.get('alluxio.worker.data.server.domain.socket.address');
  const local = socketAddress ? createRestServer({ ...restDeps, domainSocket: true }) : undefined;
  const consoleGate = new ConsoleGate(workerConsole({
    conf, self: () => info, stats: () => store.stats(), live: () => client.ring.liveWorkers, guard: consoleGuard(credentials),
  }));
  const web = createWebServer(() => ({ component: 'worker', version: VERSION, worker: info, name: workerName(info.identity), cache: store.stats() }), checkHealth, guard, consoleGate);
  const servers: Server[] = [];
  const drain = new ShutdownDrain(() => new AlluxioError('ALX_ERR_WORKER_UNAVAILABLE', `worker ${workerName(info.identity)} is shutting down: retry on another worker`));
  drain.track(rest);
  drain.track(web);
  let s3: S3Servers;
  try {
    info.address.HttpServerPort = await listen(rest, bind, ports.HttpServerPort, servers);
    info.address.WebPort = await listen(web, bind, ports.WebPort, servers);
    if (local && socketAddress) {
      const path = domainSocketPath(socketAddress, conf.getBool('alluxio.worker.data.server.domain.socket.as.uuid'), identity.identifier);
      await listenDomainSocket(local, path);
      servers.push(local);
      drain.track(local);
      info.address.DomainSocketPath = path;
    }
    s3 = await startS3Servers({ files, owners: (uri) => client.ring.owners(uri, 1), ringState: () => client.ring.policyInUse, self: () => info, workers: () => client.ring.liveWorkers, conf, log, ...ownerDeleteAuth(authorization, credentials) });
    info.address.S3Port = s3.httpPort;
    for (const srv of s3.servers) drain.track(srv, refuseS3);
  } catch (err) {
    // A port in use (or a bad S3 setting) fails the start; release what was opened.
    for (const srv of servers) srv.close();
    await client.close().catch(() => {});
    await load.close().catch(() => {});
    stopMountChecks();
    await namespace.close();
    await store.close();
    throw err;
  }
  const restPort = info.address.HttpServerPort;
  const webPort = info.address.WebPort;
  await membership.join(info);
  serving = true;
  log.info({ worker: workerName(identity), rest: restPort, web: webPort, membership: membership.type, restAuth: restAuthMode(conf, credentials) }, 'worker started');

  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    consoleGate.close();
    for (const s of servers) s.closeAllConnections?.();
    await Promise.all(servers.map((s) => new Promise((r) => s.close(() => r(undefined)))));
    await s3.close();
    await membership.leave().catch(() => {});
    await client.close().catch(() => {});
    await peer.close().catch(() => {});
    await load.close().catch(() => {});
    stopMountChecks();
    await namespace.close();
    await store.close();
  };
  const defaultGraceMs = conf.getDuration('alluxio.worker.network.shutdown.timeout');
  return {
    info, store, files, client, log, s3, close,
    async shutdown(graceMs = defaultGraceMs) {
      if (closed || drain.isDraining) return true;
      // Out of the ring first, so clients send no more reads here while the last ones finish.
      await membership.leave().catch((err) => log.warn({ err: (err as Error).message }, 'leaving membership failed'));
      log.info({ inFlight: drain.active, graceMs }, 'shutting down: draining requests in flight');
      const clean = await drain.drain(graceMs);
      if (!clean) log.warn({ cut: drain.active, graceMs }, 'shutdown grace period over: cutting the requests still in flight');
      await close();
      log.info('worker stopped');
      return clean;
    },
  };
}

/** A request that reaches the S3 port during a shutdown gets S3's ServiceUnavailable, as S3 clients expect. */
function refuseS3(req: IncomingMessage, res: ServerResponse, err: AlluxioError): void {
  sendS3Error(res, req.method ?? 'GET', err.spec.s3, err.spec.http, err.message, (req.url ?? '/').split('?')[0]!, newRequestId());
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

/**
 * The bearer header this worker sends when it calls another worker's REST API (S3 DeleteObjects of
 * a key another worker owns; with auth.reads, loads and previous-owner page reads):
 * alluxio.user.auth.token.file when set, else the first token of its credentials file.
 */
function internalAuthorization(conf: AlluxioConfiguration, credentials: CredentialsFile | null, log: Logger): string | undefined {
  const own = restAuthorizationFromConf(conf);
  if (own !== undefined || credentials === null) return own;
  if (credentials.firstToken !== undefined) return `Bearer ${credentials.firstToken}`;
  if (conf.getBool('alluxio.worker.http.server.auth.reads')) {
    log.warn('alluxio.worker.http.server.auth.reads=true but alluxio.worker.s3.auth.credentials.file has no token <name> <value> line and alluxio.user.auth.token.file is unset: '
      + 'this worker\'s reads from other workers (loads, previous-owner pages) will be refused');
  }
  return undefined;
}

/**
 * How S3 DeleteObjects authenticates its DELETE on the owning worker: the bearer token when there is
 * one, else a SigV4 signature with the first key of the credentials file (a file of key pairs only,
 * as before tokens existed, keeps working).
 */
function ownerDeleteAuth(authorization: string | undefined, credentials: CredentialsFile | null): Pick<S3Deps, 'restAuth'> {
  if (authorization !== undefined) return { restAuth: () => ({ authorization }) };
  const first = credentials?.keys.entries().next().value;
  if (first === undefined) return {};
  const [accessKey, secret] = first;
  return { restAuth: (method, url) => signRequest(method, url, accessKey, secret) };
}

/** For the start-up log line: what the REST API asks of callers. */
function restAuthMode(conf: AlluxioConfiguration, credentials: CredentialsFile | null): string {
  if (conf.getBool('alluxio.worker.http.server.read.only')) return credentials && conf.getBool('alluxio.worker.http.server.auth.reads') ? 'read-only, reads need credentials' : 'read-only';
  if (!credentials) return 'open';
  return conf.getBool('alluxio.worker.http.server.auth.reads') ? 'every call needs credentials' : 'mutations need credentials';
}

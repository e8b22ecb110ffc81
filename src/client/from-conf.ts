import type { AlluxioConfiguration } from '../conf/index.js';
import type { Logger } from '../common/logging.js';
import type { SelectionPolicyOptions } from '../hashring/worker-selection-policy.js';
import type { MembershipManager } from '../membership/membership-manager.js';
import { StaticMembershipManager, type DefaultPorts } from '../membership/static-membership-manager.js';
import type { EtcdClientOptions } from '../membership/etcd-client.js';
import type { MountStore } from '../mount/mount-store.js';
import { StaticFileMountStore } from '../mount/static-file-mount-store.js';
import { RootMountStore } from '../mount/root-mount-store.js';
import { SealedCredentialsStore } from '../mount/sealed-credentials-store.js';
import { CREDENTIALS_KEY_PROPERTY, loadCredentialCipher } from '../common/credential-cipher.js';
import { Namespace } from '../mount/namespace.js';
import { AlluxioClient } from './alluxio-client.js';
import { WorkerRestClient, type HttpTransportFactory } from '../common/protocol/index.js';
import { WorkerRing } from './worker-ring.js';
import { ShortCircuitReader } from './short-circuit-read.js';
import { bearerFromTokenFile } from './auth-token.js';

export function defaultPorts(conf: AlluxioConfiguration): DefaultPorts {
  return {
    RpcPort: conf.getInt('alluxio.worker.rpc.port'),
    DataPort: conf.getInt('alluxio.worker.data.port'),
    WebPort: conf.getInt('alluxio.worker.web.port'),
    HttpServerPort: conf.getInt('alluxio.worker.http.server.port'),
    S3Port: conf.getInt('alluxio.worker.rest.port'),
  };
}

// etcd's client (gRPC) is loaded only when a cluster uses it: it costs a CLI call about a second.
export async function openMembership(conf: AlluxioConfiguration, opts: { log?: Logger; revokeOnClose?: boolean } = {}): Promise<MembershipManager> {
  const type = conf.getEnum('alluxio.worker.membership.manager.type');
  if (type === 'ETCD') {
    const { EtcdMembershipManager } = await import('../membership/etcd-membership-manager.js');
    return new EtcdMembershipManager({
      etcd: await etcdOptionsFromConf(conf),
      clusterName: conf.getString('alluxio.cluster.name'),
      failureDetectionTimeoutMs: conf.getDuration('alluxio.worker.failure.detection.timeout'),
      logger: opts.log,
      revokeOnClose: opts.revokeOnClose,
    });
  }
  return new StaticMembershipManager(conf.getString('alluxio.worker.static.membership.manager.config.file'), defaultPorts(conf));
}

/**
 * The mount table the configuration names, with credentials encrypted at rest by the key of
 * alluxio.mount.credentials.encryption.key.file (a bad key file fails here, at start-up).
 * `decryptCredentials: false` lists credentials still sealed, for callers that only print them
 * redacted and so need no key.
 */
export async function openMountStore(conf: AlluxioConfiguration, opts: { decryptCredentials?: boolean } = {}): Promise<MountStore> {
  const rootUfs = conf.get('alluxio.master.mount.table.root.ufs') ?? conf.get('alluxio.dora.client.ufs.root');
  const keyFile = conf.get(CREDENTIALS_KEY_PROPERTY);
  const decrypt = opts.decryptCredentials !== false;
  const sealing = {
    cipher: keyFile && decrypt ? loadCredentialCipher(keyFile) : undefined,
    allowPlaintext: conf.getBool('alluxio.mount.credentials.plaintext.allowed'),
    decrypt,
  };
  if (conf.getEnum('alluxio.mount.table.source') === 'ETCD') {
    const { createEtcdClient, describeEtcd } = await import('../membership/etcd-client.js');
    const { EtcdMountStore } = await import('../mount/etcd-mount-store.js');
    const etcd = await etcdOptionsFromConf(conf);
    const client = createEtcdClient(etcd);
    const store = new EtcdMountStore(client, { clusterName: conf.getString('alluxio.cluster.name'), where: describeEtcd(etcd) });
    return new SealedCredentialsStore(new RootMountStore(store, rootUfs, () => client.close()), sealing);
  }
  return new SealedCredentialsStore(new StaticFileMountStore(conf.getString('alluxio.mount.table.static.conf.file'), rootUfs), sealing);
}

export async function etcdOptionsFromConf(conf: AlluxioConfiguration): Promise<EtcdClientOptions> {
  const { etcdClientOptionsFromProperties, ETCD_PROPERTY } = await import('../membership/etcd-client.js');
  const props: Record<string, string | undefined> = {};
  for (const key of Object.values(ETCD_PROPERTY)) props[key] = conf.get(key);
  return etcdClientOptionsFromProperties(props);
}

/** Properties that configure UFS clients, passed to every mount as base options. */
export function ufsOptionsFromConf(conf: AlluxioConfiguration): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of conf.entries()) {
    if (e.value === undefined) continue;
    if (e.name.startsWith('alluxio.underfs.') || e.name.startsWith('s3a.') || e.name.startsWith('aws.')) out[e.name] = e.value;
  }
  return out;
}

export function policyOptionsFromConf(conf: AlluxioConfiguration): SelectionPolicyOptions {
  return {
    virtualNodes: conf.getInt('alluxio.user.consistent.hash.virtual.node.count.per.worker'),
    ketamaReplicas: conf.getInt('alluxio.user.ketama.hash.replicas'),
    maglevLookupSize: conf.getInt('alluxio.user.maglev.hash.lookup.size'),
    multiProbeNum: conf.getInt('alluxio.user.multi.probe.hash.probe.num'),
  };
}

/** The Authorization header this process sends to worker REST APIs (alluxio.user.auth.token.file), if any. */
export function restAuthorizationFromConf(conf: AlluxioConfiguration): string | undefined {
  const file = conf.get('alluxio.user.auth.token.file');
  return file ? bearerFromTokenFile(file) : undefined;
}

/**
 * A client for the cluster the configuration describes. Close it when done. `authorization`
 * replaces the header from alluxio.user.auth.token.file (a worker passes its own); `transport`
 * sends its calls to workers (default undici's pools; a one-shot CLI command passes nodeHttpTransport).
 */
export async function createClient(conf: AlluxioConfiguration, opts: { log?: Logger; membership?: MembershipManager; namespace?: Namespace; authorization?: string; transport?: HttpTransportFactory } = {}): Promise<AlluxioClient> {
  const authorization = opts.authorization ?? restAuthorizationFromConf(conf);
  const membership = opts.membership ?? await openMembership(conf, { log: opts.log });
  const namespace = opts.namespace ?? await Namespace.open(await openMountStore(conf), ufsOptionsFromConf(conf));
  const ring = await WorkerRing.open(
    membership,
    conf.getEnum('alluxio.user.worker.selection.policy'),
    policyOptionsFromConf(conf),
    conf.getDuration('alluxio.user.worker.list.refresh.interval'),
  );
  const readTimeoutMs = conf.getDuration('alluxio.user.streaming.data.read.timeout');
  const http = new WorkerRestClient({
    timeouts: { connectMs: conf.getDuration('alluxio.user.network.connect.timeout'), headersMs: readTimeoutMs, bodyMs: readTimeoutMs },
    connections: 64,
    shortCircuit: conf.getBool('alluxio.user.short.circuit.enabled'),
    ...(authorization !== undefined ? { authorization } : {}),
    ...(opts.transport !== undefined ? { transport: opts.transport } : {}),
  });
  const shortCircuit = conf.getBool('alluxio.user.short.circuit.enabled') ? new ShortCircuitReader(http, opts.log) : undefined;
  return new AlluxioClient({ ring, membership, namespace, http, ufsFallback: conf.getBool('alluxio.dora.client.ufs.fallback.enabled'), log: opts.log, ...(shortCircuit !== undefined ? { shortCircuit } : {}) });
}


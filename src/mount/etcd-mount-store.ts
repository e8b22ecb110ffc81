import type { Etcd3, IKeyValue } from 'etcd3';
import { EtcdPrefixWatch } from '../common/etcd-prefix-watch.js';
import { AlluxioError, InvalidArgumentError, MountError, NotFoundError } from '../common/errors.js';
import { createLogger, type Logger } from '../common/logging.js';
import { normalizePath } from '../common/paths.js';
import { isSecretKey } from '../common/secrets.js';
import { validateMountPoint, type MountPoint } from './mount-point.js';
import type { MountStore } from './mount-store.js';

export interface EtcdMountStoreOptions {
  /** `alluxio.cluster.name`. Default `DefaultAlluxioCluster`. */
  clusterName?: string;
  logger?: Logger;
  /** Names the etcd in error messages (describeEtcd: endpoints and user, never the password). */
  where?: string;
}

type Listener = (mounts: MountPoint[]) => void;

/**
 * ETCD mount table for a cluster. One key per mount, `/alluxio/mount/<cluster>/<urlencoded path>`,
 * value JSON {path, ufsUri, options} without credentials. Options whose key is a secret
 * (isSecretKey) go to `/alluxio/mount-secrets/<cluster>/<urlencoded path>`, so listing the mount
 * keys never shows them; openMountStore wraps this store in SealedCredentialsStore, so what lands
 * there is encrypted, and remove() compacts etcd's history so no old revision keeps it.
 * add and remove are etcd transactions, so of two concurrent adds of one path exactly one wins.
 * The client is the caller's (create it with membership's createEtcdClient) and is not closed here.
 */
export class EtcdMountStore implements MountStore {
  readonly source = 'ETCD' as const;
  readonly mountDir: string;
  readonly secretDir: string;
  private readonly log: Logger;
  private readonly listeners = new Map<Listener, string | undefined>();
  private prefixWatch?: EtcdPrefixWatch;
  private refreshing = false;
  private refreshAgain = false;
  private closed = false;
  private readonly where: string;

  constructor(private readonly client: Etcd3, opts: EtcdMountStoreOptions = {}) {
    if (!client) throw new InvalidArgumentError('EtcdMountStore needs an etcd client');
    const cluster = opts.clusterName ?? 'DefaultAlluxioCluster';
    if (cluster === '' || /[/\s]/.test(cluster)) {
      throw new InvalidArgumentError(`bad alluxio.cluster.name '${cluster}': expected a non-empty name without '/' or spaces`);
    }
    this.mountDir = `/alluxio/mount/${cluster}/`;
    this.secretDir = `/alluxio/mount-secrets/${cluster}/`;
    this.log = opts.logger ?? createLogger('mount');
    this.where = opts.where ?? 'etcd';
  }

  mountKey(path: string): string {
    return this.mountDir + encodeURIComponent(path);
  }

  secretKey(path: string): string {
    return this.secretDir + encodeURIComponent(path);
  }

  /** Every mount with its secrets merged back, sorted by path; one consistent etcd revision. */
  async list(): Promise<MountPoint[]> {
    this.assertOpen();
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.listOnce();
      } catch (err) {
        // A removal compacted etcd between our two reads: read again at the new revision.
        if (attempt >= 3 || !isCompacted((err as Error).cause)) throw err;
      }
    }
  }

  private listOnce(): Promise<MountPoint[]> {
    return this.etcdCall('listing mounts', async () => {
      const mounts = await this.client.getAll().prefix(this.mountDir).exec();
      const secrets = await this.client.getAll().prefix(this.secretDir).revision(mounts.header.revision).exec();
      const secretByKey = new Map<string, Record<string, string>>();
      for (const kv of secrets.kvs) {
        const name = kv.key.toString().slice(this.secretDir.length);
        const parsed = parseJson(kv.value.toString());
        if (parsed && typeof parsed === 'object') secretByKey.set(name, parsed as Record<string, string>);
        else this.log.warn({ key: kv.key.toString() }, 'skipping unreadable mount secrets in etcd');
      }
      const out: MountPoint[] = [];
      for (const kv of mounts.kvs) {
        const mp = this.decode(kv, secretByKey);
        if (mp) out.push(mp);
      }
      return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    });
  }

  async add(mount: MountPoint): Promise<void> {
    this.assertOpen();
    const mp = validateMountPoint(mount);
    const plain: Record<string, string> = {};
    const secret: Record<string, string> = {};
    for (const [k, v] of Object.entries(mp.options)) (isSecretKey(k) ? secret : plain)[k] = v;
    const key = this.mountKey(mp.path);
    const skey = this.secretKey(mp.path);
    const res = await this.etcdCall(`adding mount ${mp.path}`, () => this.client
      .if(key, 'Create', '==', 0) // the key does not exist
      .then(
        this.client.put(key).value(JSON.stringify({ path: mp.path, ufsUri: mp.ufsUri, options: plain })),
        Object.keys(secret).length > 0 ? this.client.put(skey).value(JSON.stringify(secret)) : this.client.delete().key(skey),
      )
      .commit());
    if (!res.succeeded) {
      throw new MountError(`mount point ${mp.path} already exists: remove it first with 'alluxio mount remove --path ${mp.path}'`);
    }
  }

  async remove(path: string): Promise<void> {
    this.assertOpen();
    const p = normalizePath(path);
    const key = this.mountKey(p);
    const res = await this.etcdCall(`removing mount ${p}`, () => this.client
      .if(key, 'Create', '>', 0) // the key exists
      .then(this.client.delete().key(key), this.client.delete().key(this.secretKey(p)))
      .commit());
    if (!res.succeeded) throw new NotFoundError(`no mount point at ${p}`);
    await this.compactHistory(p, res.header.revision);
  }

  /**
   * Drops etcd's history before the removal, so no older revision still holds the mount's
   * credentials (encrypted or not). Physical: the call returns once the backend has dropped
   * them. Compaction is cluster-wide; nothing of ours reads old revisions except list() below,
   * which retries. A failure leaves the mount removed and is logged: etcd's own periodic
   * compaction (--auto-compaction-retention) catches up later.
   */
  private async compactHistory(path: string, revision: string): Promise<void> {
    try {
      await this.client.kv.compact({ revision, physical: true });
    } catch (err) {
      if (isCompacted(err)) return; // someone compacted as far or further already
      this.log.error({ mount: path, revision, err: (err as Error).message }, 'mount removed, but etcd refused to compact its history: old revisions may still hold its credentials until etcd compacts');
    }
  }

  /**
   * Calls the listener with the full table once the etcd watch is up, then after every change
   * (add/remove from any process). While etcd is unreachable nothing is called; after a reconnect
   * the table is re-read.
   */
  watch(listener: (mounts: MountPoint[]) => void): () => void {
    this.assertOpen();
    if (typeof listener !== 'function') throw new InvalidArgumentError('watch needs a listener function');
    this.listeners.set(listener, undefined);
    if (this.prefixWatch?.running) this.refresh();
    else this.startWatch();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) void this.stopWatch();
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.listeners.clear();
    await this.stopWatch();
  }

  private decode(kv: IKeyValue, secrets: Map<string, Record<string, string>>): MountPoint | undefined {
    const key = kv.key.toString();
    const v = parseJson(kv.value.toString()) as Partial<MountPoint> | undefined;
    try {
      if (!v || typeof v.path !== 'string' || typeof v.ufsUri !== 'string') throw new Error('value is not {path, ufsUri, options}');
      const secret = secrets.get(key.slice(this.mountDir.length)) ?? {};
      return validateMountPoint({ path: v.path, ufsUri: v.ufsUri, options: { ...(v.options ?? {}), ...secret } });
    } catch (err) {
      this.log.warn({ key, err: (err as Error).message }, 'skipping an unreadable mount entry in etcd');
      return undefined;
    }
  }

  private startWatch(): void {
    if (this.closed || this.prefixWatch?.running) return;
    this.prefixWatch = new EtcdPrefixWatch(this.client, this.mountDir, () => this.refresh(), this.log);
    this.prefixWatch.start();
  }

  private async stopWatch(): Promise<void> {
    await this.prefixWatch?.stop();
  }

  private refresh(): void {
    if (this.refreshing) {
      this.refreshAgain = true;
      return;
    }
    this.refreshing = true;
    void (async () => {
      try {
        do {
          this.refreshAgain = false;
          let mounts: MountPoint[];
          try {
            mounts = await this.list();
          } catch (err) {
            this.log.debug({ err: (err as Error).message }, 'mount table re-read failed; the watch reconnect retries');
            return;
          }
          if (this.closed) return;
          const sig = JSON.stringify(mounts);
          for (const [listener, last] of this.listeners) {
            if (last === sig) continue;
            this.listeners.set(listener, sig);
            try {
              listener(mounts.map((m) => ({ ...m, options: { ...m.options } })));
            } catch (err) {
              this.log.error({ err: (err as Error).message }, 'mount table listener threw');
            }
          }
        } while (this.refreshAgain && !this.closed);
      } finally {
        this.refreshing = false;
      }
    })();
  }

  private async etcdCall<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof AlluxioError) throw err;
      throw new AlluxioError('ALX_ERR_ETCD_UNAVAILABLE', `${what} failed: ${this.where} unreachable or refused the request (${(err as Error).constructor?.name}: ${(err as Error).message}); check that etcd is running and reachable`, { cause: err });
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new InvalidArgumentError('mount store is closed');
  }
}

function isCompacted(err: unknown): boolean {
  return /required revision has been compacted/.test((err as Error | undefined)?.message ?? '');
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

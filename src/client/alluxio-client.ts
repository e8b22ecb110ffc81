import type { Readable } from 'node:stream';
import { AlluxioError } from '../common/errors.js';
import type { Logger } from '../common/logging.js';
import { lazyMetrics } from '../common/metrics-lazy.js';
import { normalizePath } from '../common/paths.js';
import type { WorkerInfo } from '../hashring/worker-info.js';
import type { MembershipManager } from '../membership/membership-manager.js';
import type { Namespace } from '../mount/namespace.js';
import { ufsVersion } from '../ufs/under-file-system.js';
import { readWithFailover } from './failover-read.js';
import { fromAlluxioJson, PARAM, WORKER_REST, WorkerRestClient, WorkerUnavailableError, type CacheFileJson, type CacheStatsJson, type ClientFileEntry } from '../common/protocol/index.js';
import { PageReadReports } from './page-read-report.js';
import type { ShortCircuitReader } from './short-circuit-read.js';
import type { WorkerRing } from './worker-ring.js';

export interface AlluxioClientOptions {
  ring: WorkerRing;
  membership: MembershipManager;
  namespace: Namespace;
  http: WorkerRestClient;
  ufsFallback: boolean;
  /** How many ring owners a read may try before the UFS fallback. */
  maxReadAttempts?: number;
  /** Short-circuit page reads from a worker on this host (alluxio.user.short.circuit.enabled); undefined: off. */
  shortCircuit?: ShortCircuitReader;
  log?: Logger;
}

/**
 * The client library (DESIGN.md §2 layer 4): Alluxio path → mount table → UFS URI → owning worker by
 * the ring. Reads fail over along the ring, then to the UFS directly; metadata calls go to the
 * path's owner and fail over the same way.
 */
export class AlluxioClient {
  readonly ring: WorkerRing;
  readonly namespace: Namespace;
  readonly membership: MembershipManager;
  private readonly http: WorkerRestClient;

  constructor(private readonly o: AlluxioClientOptions) {
    this.ring = o.ring;
    this.namespace = o.namespace;
    this.membership = o.membership;
    this.http = o.http;
  }

  /** The UFS URI a path maps to ('' for the virtual root). */
  ufsUriOf(path: string): string {
    const p = normalizePath(path);
    if (p === '/' && !this.namespace.mounts.root) return '/';
    return this.namespace.resolve(p).ufsUri;
  }

  /** A batch of the pages this process read from the local workers' page files, for them (see PageReadReports). */
  pageReadReports(log?: Logger): PageReadReports {
    return new PageReadReports(this.http, () => this.ring.liveWorkers, log);
  }

  owners(path: string, count = 3): WorkerInfo[] {
    return this.ring.owners(this.ufsUriOf(path), count);
  }

  async stat(path: string): Promise<ClientFileEntry> {
    return this.onOwner(path, (w) => this.http.info(w, normalizePath(path)));
  }

  async list(path: string, recursive = false): Promise<ClientFileEntry[]> {
    return this.onOwner(path, (w) => this.http.list(w, normalizePath(path), recursive));
  }

  /**
   * One page of a directory listing (at most `limit` entries) and the token of the next page, if
   * any: a directory of any size lists without one giant answer (worker route /v1/files/page).
   */
  async listPage(path: string, token?: string, limit = 1000): Promise<{ entries: ClientFileEntry[]; nextToken?: string }> {
    const q = { [PARAM.path]: normalizePath(path), [PARAM.limit]: String(limit), [PARAM.token]: token };
    const page = await this.onOwner(path, (w) => this.http.json<{ entries: Record<string, unknown>[]; nextToken?: string }>(w, 'GET', WORKER_REST.filesPage, { query: q }));
    return { entries: page.entries.map(fromAlluxioJson), ...(page.nextToken ? { nextToken: page.nextToken } : {}) };
  }

  /**
   * Streams [offset, offset+length) of a file (length -1: to the end). `version` pins the UFS
   * version the bytes must be of (ALX_ERR_STALE when the file changed); the answer names the
   * version it serves, so a caller can pin its later reads to it.
   */
  async read(path: string, offset = 0, length = -1, opts: { version?: string } = {}): Promise<{ length: number; stream: Readable; version?: string }> {
    const p = normalizePath(path);
    const candidates = this.ring.owners(this.ufsUriOf(p), this.o.maxReadAttempts ?? 3);
    const sc = this.o.shortCircuit;
    // Short-circuit: the owner is on this host and names its page files over its domain socket.
    const opened = sc !== undefined && candidates[0] !== undefined ? await sc.open(candidates[0], p, offset, length, opts.version) : undefined;
    if (opened !== undefined) {
      const version = opened.file.version;
      const n = length < 0 ? Math.max(0, opened.file.length - offset) : Math.min(length, Math.max(0, opened.file.length - offset));
      const remote = async (off: number, len: number) => (await this.readFrom(candidates, p, off, len, version)).stream;
      return { length: n, stream: sc!.stream(candidates[0]!, opened, offset, n, remote), version };
    }
    return this.readFrom(candidates, p, offset, length, opts.version);
  }

  /** A range through the workers (failing over along `candidates`), then the UFS. */
  private readFrom(candidates: WorkerInfo[], p: string, offset: number, length: number, version: string | undefined): Promise<{ length: number; stream: Readable; version?: string }> {
    return readWithFailover({
      candidates,
      offset,
      length,
      ...(version !== undefined ? { version } : {}),
      openWorker: (w, off, len, v) => this.http.read(w, p, off, len, v),
      openUfs: this.o.ufsFallback ? (off, len, v) => this.readUfsDirect(p, off, len, v) : undefined,
      log: this.o.log,
    });
  }

  async write(path: string, body: Buffer | Readable, length?: number): Promise<ClientFileEntry> {
    // A streamed body cannot be replayed, so only a Buffer write fails over to the next owner.
    const tries = Buffer.isBuffer(body) ? 3 : 1;
    return this.onOwner(path, (w) => this.http.write(w, normalizePath(path), body, length), tries);
  }

  async delete(path: string, recursive = false): Promise<void> {
    await this.onOwner(path, (w) => this.http.delete(w, normalizePath(path), recursive));
  }

  async mkdir(path: string): Promise<ClientFileEntry> {
    return this.onOwner(path, (w) => this.http.mkdir(w, normalizePath(path)));
  }

  async rename(src: string, dst: string): Promise<void> {
    await this.onOwner(src, (w) => this.http.rename(w, normalizePath(src), normalizePath(dst)));
  }

  async workerCache(w: WorkerInfo): Promise<CacheStatsJson> {
    return this.http.cache(w);
  }

  async fileCacheStatus(w: WorkerInfo, path: string): Promise<CacheFileJson> {
    return this.http.cacheFile(w, normalizePath(path));
  }

  async close(): Promise<void> {
    this.ring.close();
    this.o.shortCircuit?.close();
    await this.http.close();
    await this.namespace.close();
    await this.membership.close();
  }

  private async readUfsDirect(path: string, offset: number, length: number, version?: string): Promise<{ body: Readable; version: string }> {
    const r = this.namespace.resolve(path);
    (await lazyMetrics()).clientUfsFallback.inc();
    this.o.log?.warn({ path }, 'no worker could serve the read: reading the UFS directly');
    try {
      // Without a pinned version, pin the current one, so the caller learns which version it got.
      const v = version ?? ufsVersion(await r.ufs.getStatus(r.ufsUri));
      return { body: await r.ufs.openRead(r.ufsUri, offset, length, { version: v }), version: v };
    } catch (err) {
      if ((err as AlluxioError).code !== 'ALX_ERR_STALE') throw err;
      throw new AlluxioError('ALX_ERR_STALE', `${path} changed during the read (the read started at version ${version}): retry the read`, { cause: err });
    }
  }

  /** Runs a call on the path's owner, then the next owners when a worker is unavailable. */
  private async onOwner<T>(path: string, call: (w: WorkerInfo) => Promise<T>, tries = 3): Promise<T> {
    const owners = this.ring.owners(this.ufsUriOf(path), tries);
    let last: unknown;
    for (const w of owners) {
      try {
        return await call(w);
      } catch (err) {
        if (!(err instanceof WorkerUnavailableError)) throw err;
        last = err;
      }
    }
    throw last instanceof AlluxioError ? last : new AlluxioError('ALX_ERR_NO_WORKER', 'no worker could serve the request');
  }
}

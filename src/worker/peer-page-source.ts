// Ring changes that keep the cache: when a worker joins or leaves, some keys get a new owner that
// has none of their pages. Before reading such pages from the UFS, the new owner asks the key's
// owner in the previous ring snapshot, which most likely has them cached. The peer answers from
// its cache only (it never reads its UFS for this), so a miss there costs one round trip. That
// round trip is made only for files the previous owner has: it is asked once per ring change for
// a digest of its cached files (peer-cache-digest.ts), and a file not in it goes to the UFS at once.
import type { ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { InvalidArgumentError } from '../common/errors.js';
import { PAGE_COUNT_HEADER, PARAM, WORKER_REST, workerOrigin, WorkerRestClient } from '../common/protocol/index.js';
import type { Logger } from '../common/logging.js';
import { metrics } from '../common/metrics.js';
import { identityKey, type WorkerInfo } from '../hashring/worker-info.js';
import type { WorkerRing } from '../client/worker-ring.js';
import { fileIdOf } from '../pagestore/index.js';
import type { FileId, PageStore } from '../pagestore/page-store.js';
import { digestHas, parseCacheDigest } from './peer-cache-digest.js';

/** How many pages one peer request may ask for. */
export const MAX_PEER_PAGES = 64;
/**
 * How many of a key's previous owners may be asked, in ring order: the first one while it is live;
 * when it left, the next live ones, which hold the key's pages after a load with --replicas.
 */
const PEER_OWNERS = 3;
/**
 * A digest taken this soon after the ring change may miss files the peer cached for clients that
 * had not seen the change yet (they learn it from the etcd watch within a second or so): it is
 * taken again, at most every DIGEST_REFRESH_MS, until one is taken after this settling time.
 * A file the peer caches for a stale client later than that is read from the UFS again.
 */
const DIGEST_SETTLE_MS = 10_000;
const DIGEST_REFRESH_MS = 3_000;

/** One peer's digest for the current ring change; `keys` null: unavailable, ask per file. */
interface PeerDigest {
  fetchedAt: number;
  keys: Uint32Array | null;
  /** The fetch in flight (the first fetch is awaited; a refresh is not). */
  pending: Promise<Uint32Array | null> | null;
}

export interface PageRequest {
  ufsUri: string;
  fileId: FileId;
  version: string;
  /** The file length (so both sides agree on every page's size). */
  fileLength: number;
  first: number;
  last: number;
}

/** Somewhere other than the UFS that may hold pages: the consecutive pages from `first` it has. */
export interface PageSource {
  openPages(req: PageRequest): Promise<{ count: number; stream: Readable } | null>;
  /** Counts bytes taken from this source (the reader calls it per completed page). */
  recordBytes(n: number): void;
}

export interface PreviousOwnerOptions {
  pageSize: number;
  /** Connect and first-byte timeout of a peer request; a slow peer must not cost more than a UFS read. */
  timeoutMs?: number;
  log?: Logger;
  /** Sent to the peer when REST reads need credentials (alluxio.worker.http.server.auth.reads). */
  authorization?: string;
}

/** Asks the key's owner in the previous ring snapshot, when it is another live worker. */
export class PreviousOwnerPageSource implements PageSource {
  private readonly http: WorkerRestClient;
  private readonly timeoutMs: number;
  /** Digests of the previous owners, for the ring change at `digestsOf` (ring.changedAt). */
  private readonly digests = new Map<string, PeerDigest>();
  private digestsOf = 0;

  constructor(private readonly ring: WorkerRing, private readonly self: () => WorkerInfo, private readonly o: PreviousOwnerOptions) {
    this.timeoutMs = o.timeoutMs ?? 2000;
    this.http = new WorkerRestClient({
      timeouts: { connectMs: this.timeoutMs, headersMs: this.timeoutMs, bodyMs: this.timeoutMs * 2 },
      ...(o.authorization !== undefined ? { authorization: o.authorization } : {}),
    });
  }

  /**
   * Whom to ask for a key that moved to this worker (its previous first owner is another worker):
   * that owner while it is live; when it left, the key's next previous owners that are live (its
   * replicas). A worker that left has nothing to give, and would cost a timeout. Else none.
   */
  previousOwners(ufsUri: string): WorkerInfo[] {
    const prev = this.ring.previousPolicy;
    if (!prev) return [];
    const owners = prev.getMultiple(ufsUri, PEER_OWNERS);
    const self = identityKey(this.self().identity);
    if (owners.length === 0 || identityKey(owners[0]!.identity) === self) return [];
    const first = this.ring.liveWorker(owners[0]!);
    if (first) return [first];
    const out: WorkerInfo[] = [];
    for (const o of owners.slice(1)) {
      if (identityKey(o.identity) === self) continue;
      const live = this.ring.liveWorker(o);
      if (live) out.push(live);
    }
    return out;
  }

  async openPages(r: PageRequest): Promise<{ count: number; stream: Readable } | null> {
    for (const peer of this.previousOwners(r.ufsUri)) {
      const keys = await this.digestOf(peer);
      if (keys !== null && !digestHas(keys, r.fileId)) continue;
      const opened = await this.openOn(peer, r);
      if (opened) return opened;
    }
    return null;
  }

  /**
   * The peer's digest for the current ring change: fetched on first need (concurrent callers share
   * the fetch), fetched again in the background while it may be incomplete (DIGEST_SETTLE_MS) or
   * after it failed. Null: no digest (the peer did not answer): the caller asks per file.
   */
  private digestOf(peer: WorkerInfo): Uint32Array | null | Promise<Uint32Array | null> {
    const generation = this.ring.changedAt;
    if (generation !== this.digestsOf) {
      this.digests.clear();
      this.digestsOf = generation;
    }
    const key = identityKey(peer.identity);
    const now = Date.now();
    let d = this.digests.get(key);
    if (d === undefined) {
      d = { fetchedAt: now, keys: null, pending: null };
      this.digests.set(key, d);
      return this.fetchDigest(peer, d);
    }
    if (d.pending !== null) return d.keys ?? d.pending;
    const settled = d.keys !== null && d.fetchedAt >= generation + DIGEST_SETTLE_MS;
    if (!settled && now - d.fetchedAt >= DIGEST_REFRESH_MS) {
      d.fetchedAt = now;
      void this.fetchDigest(peer, d);
    }
    return d.keys;
  }

  private fetchDigest(peer: WorkerInfo, d: PeerDigest): Promise<Uint32Array | null> {
    const generation = this.digestsOf;
    d.pending = (async () => {
      try {
        const res = await this.http.send(peer, 'GET', WORKER_REST.cacheDigest, { signal: AbortSignal.timeout(this.timeoutMs * 4) });
        if (res.statusCode !== 200) {
          await res.body.dump().catch(() => {});
          throw new Error(`answered ${res.statusCode}`);
        }
        const keys = parseCacheDigest(Buffer.concat((await res.body.toArray()) as Buffer[]));
        // Taken from the moment it was asked: files cached after that may be missing.
        if (this.digestsOf === generation) d.keys = keys;
        return keys;
      } catch (err) {
        this.o.log?.debug({ peer: workerOrigin(peer), err: (err as Error).message }, 'no cache digest from the previous owner; asking it per file');
        return d.keys;
      } finally {
        d.pending = null;
      }
    })();
    return d.pending;
  }

  private async openOn(peer: WorkerInfo, r: PageRequest): Promise<{ count: number; stream: Readable } | null> {
    const last = Math.min(r.last, r.first + MAX_PEER_PAGES - 1);
    const query = {
      [PARAM.ufsFullPath]: r.ufsUri, [PARAM.version]: r.version, [PARAM.first]: r.first, [PARAM.last]: last,
      [PARAM.pageSize]: this.o.pageSize, [PARAM.fileLength]: r.fileLength,
    };
    try {
      const res = await this.http.send(peer, 'GET', WORKER_REST.cachePages, { params: { fileId: r.fileId }, query, signal: AbortSignal.timeout(this.timeoutMs * 4) });
      const count = Number(res.headers[PAGE_COUNT_HEADER] ?? 0);
      if (res.statusCode !== 200 || !Number.isInteger(count) || count <= 0) {
        await res.body.dump().catch(() => {});
        return null;
      }
      return { count: Math.min(count, last - r.first + 1), stream: res.body as unknown as Readable };
    } catch (err) {
      this.o.log?.debug({ peer: workerOrigin(peer), fileId: r.fileId, err: (err as Error).message }, 'previous owner did not answer; reading the UFS');
      return null;
    }
  }

  recordBytes(n: number): void {
    metrics.peerReadBytes.inc(n);
  }

  async close(): Promise<void> {
    await this.http.close();
  }
}

/**
 * Serves WORKER_REST.cachePages (`GET /v1/cache/pages/<fileId>?ufsFullPath=&version=&first=&last=&pageSize=&fileLength=`):
 * the consecutive pages from `first` this worker has cached in that version, concatenated, their
 * number in the PAGE_COUNT_HEADER (0: none). Cache only: nothing is read from the UFS.
 */
export async function servePeerPages(store: PageStore, fileId: string, q: URLSearchParams, res: ServerResponse): Promise<void> {
  const ufsUri = q.get(PARAM.ufsFullPath) ?? '';
  const version = q.get(PARAM.version) ?? '';
  if (!ufsUri || fileIdOf(ufsUri) !== fileId) throw new InvalidArgumentError(`file id ${fileId} is not the SHA-256 of ufsFullPath '${ufsUri}'`);
  if (!version) throw new InvalidArgumentError("missing query parameter 'version'");
  const first = intOf(q, PARAM.first);
  const last = Math.min(intOf(q, PARAM.last), first + MAX_PEER_PAGES - 1);
  const pageSize = intOf(q, PARAM.pageSize);
  const fileLength = intOf(q, PARAM.fileLength);
  let count = 0;
  // Another page size means other page boundaries: nothing here is usable there.
  if (pageSize === store.pageSize) {
    while (first + count <= last && store.has(fileId, first + count, version)) count++;
  }
  res.writeHead(200, { 'content-type': 'application/octet-stream', [PAGE_COUNT_HEADER]: String(count) });
  for (let i = first; i < first + count; i++) {
    const page = await store.get(fileId, i, version);
    const expected = Math.min(pageSize, fileLength - i * pageSize);
    if (!page || page.length !== expected) {
      res.destroy(); // evicted or different meanwhile: a short answer, the caller reads the rest from the UFS
      return;
    }
    metrics.peerServedBytes.inc(page.length);
    if (!res.write(page)) await new Promise((r) => { res.once('drain', r); res.once('close', r); });
    if (res.destroyed) return;
  }
  res.end();
}

function intOf(q: URLSearchParams, name: string): number {
  const v = q.get(name);
  if (v === null || !/^\d+$/.test(v)) throw new InvalidArgumentError(`query parameter ${name}='${v ?? ''}' must be a non-negative integer`);
  return Number(v);
}

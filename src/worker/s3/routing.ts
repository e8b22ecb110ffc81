import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { request } from 'undici';
import { AlluxioError } from '../../common/errors.js';
import type { Logger } from '../../common/logging.js';
import { httpOrigin, restDispatcher } from '../../common/protocol/index.js';
import { sameWorker, workerName, type WorkerInfo } from '../../hashring/worker-info.js';
import { forwardProofProblem, makeForwardProof } from './forward-proof.js';
import { HOP_BY_HOP, hopHeadersOf, SIGNED_HOP_HEADER } from './hop-headers.js';
import { s3Metrics } from './s3-metrics.js';

/**
 * Set on requests one worker forwards to another: the receiver serves them itself (no loops).
 * Read only through S3Router.isForwardedByPeer: with authentication on it counts only with a valid
 * FORWARD_PROOF_HEADER (forward-proof.ts).
 */
export const FORWARDED_HEADER = 'x-alluxio-s3-forwarded';
/** The forwarding worker's proof that it set FORWARDED_HEADER (authentication on only). */
export const FORWARD_PROOF_HEADER = 'x-alluxio-s3-forwarded-proof';

/**
 * How many times a request was forwarded between workers (authentication on). A request whose
 * marker the receiver cannot verify is routed again, so workers whose credentials files differ
 * (a rotation half done) would pass it back and forth, or fan a listing out again and again:
 * after MAX_FORWARD_HOPS it is refused (or the listing answered from this worker's state). A client
 * setting it only fails or narrows its own request.
 */
export const FORWARD_HOPS_HEADER = 'x-alluxio-s3-forward-hops';
const MAX_FORWARD_HOPS = 3;

/** Headers a client may send but only this router sets on the requests it forwards. */
const PEER_ONLY = new Set([FORWARDED_HEADER, FORWARD_PROOF_HEADER, FORWARD_HOPS_HEADER, SIGNED_HOP_HEADER]);

/** Bound on each peer's answer to a fan-out (askPeers). */
const PEER_TIMEOUT_MS = 10_000;


export interface RouterOptions {
  owners: (ufsUri: string) => WorkerInfo[];
  self: () => WorkerInfo;
  /** 307 to the owner instead of proxying (alluxio.worker.s3.redirect.enabled). */
  redirect: boolean;
  /** The S3 port of a worker whose address does not say (the cluster's alluxio.worker.rest.port). */
  defaultS3Port: number;
  /** The key of forwarding proofs (forward-proof.ts); null: authentication is off, the marker is trusted as it is. */
  proofKey: Buffer | null;
  log: Logger;
}

/**
 * Sends a request for a key to the worker that owns it on the hash ring, so each object is cached
 * on one worker: as a 307 redirect, or proxied with both bodies streamed. The owner checks the
 * signature itself (the Host header is kept, hop-by-hop headers travel as hop-headers.ts says). A GET or HEAD whose owner cannot be reached is served
 * here instead, as the client library's failover does.
 */
export class S3Router {
  /** Connections to the other workers (their S3 and REST ports): the protocol module's HTTP setup. */
  readonly agent = restDispatcher({ connections: 128 });

  /** Whether a marker without a valid proof was logged at warn level already (later ones: debug). */
  private warnedBadMarker = false;

  constructor(private readonly o: RouterOptions) {}

  /**
   * Whether another worker forwarded this request (so it is served here, as the sender asks). The
   * only reader of FORWARDED_HEADER. With authentication on, the marker counts only with a valid
   * proof: one without is ignored (the request is routed as any other) and logged, without secrets.
   */
  isForwardedByPeer(req: IncomingMessage): boolean {
    const by = req.headers[FORWARDED_HEADER];
    if (by === undefined) return false;
    // Authentication off: no shared secret; the network is trusted (docs/security.md).
    if (this.o.proofKey === null) return true;
    const proof = req.headers[FORWARD_PROOF_HEADER];
    const problem = forwardProofProblem(this.o.proofKey, req, String(by), typeof proof === 'string' ? proof : undefined);
    if (problem === undefined) return true;
    // The path only: the query of a presigned URL holds its signature, usable as a credential.
    const fields = { client: req.socket.remoteAddress, claimedForwarder: String(by).slice(0, 80), method: req.method, path: (req.url ?? '').split('?', 1)[0]!.slice(0, 200) };
    const msg = `S3 request marked ${FORWARDED_HEADER} with ${problem}: marker ignored, the request is routed as if it had none`;
    if (this.warnedBadMarker) this.o.log.debug(fields, msg);
    else {
      this.warnedBadMarker = true;
      this.o.log.warn(fields, `${msg} (further ones are logged at debug level)`);
    }
    return false;
  }

  /** The key's owner when it is another worker and the request was not forwarded here by a peer, else undefined (serve locally). */
  ownerOf(forwardedByPeer: boolean, ufsUri: string): WorkerInfo | undefined {
    if (forwardedByPeer) return undefined;
    const owners = this.o.owners(ufsUri);
    const owner = owners[0];
    if (!owner || sameWorker(owner.identity, this.o.self().identity)) return undefined;
    return owner;
  }

  /**
   * Forwards the request; resolves true when the owner answered (or a redirect was sent), false
   * when the caller should serve it locally (owner unreachable for a body-less request).
   */
  async forward(req: IncomingMessage, res: ServerResponse, owner: WorkerInfo, requestId: string): Promise<boolean> {
    const base = httpOrigin(owner.address.Host, owner.address.S3Port ?? this.o.defaultS3Port);
    if (this.o.redirect) {
      s3Metrics.proxied.inc({ mode: 'redirect' });
      res.writeHead(307, { location: base + req.url, 'x-amz-request-id': requestId, 'content-length': 0 });
      res.end();
      return true;
    }
    if (this.hops(req) >= MAX_FORWARD_HOPS) {
      throw new AlluxioError('ALX_ERR_WORKER_UNAVAILABLE', `the request was forwarded between workers ${MAX_FORWARD_HOPS} times without a forwarding proof this worker accepts: every worker must read the same alluxio.worker.s3.auth.credentials.file`);
    }
    const headers: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined && !HOP_BY_HOP.has(k) && !PEER_ONLY.has(k)) headers[k] = v;
    this.markForwarded(req, headers);
    const hasBody = req.headers['content-length'] !== undefined ? req.headers['content-length'] !== '0' : req.headers['transfer-encoding'] !== undefined;
    const abort = new AbortController();
    const onClose = () => { if (!res.writableFinished) abort.abort(); };
    res.once('close', onClose);
    let upstream;
    try {
      upstream = await request(base + req.url, {
        method: req.method as 'GET', headers, body: hasBody ? req : null, dispatcher: this.agent, signal: abort.signal,
        headersTimeout: 60_000, bodyTimeout: 300_000,
      });
    } catch (err) {
      res.off('close', onClose);
      if (!hasBody && !abort.signal.aborted) {
        this.o.log.warn({ owner: workerName(owner.identity), err: (err as Error).message }, 'S3 owner unreachable: serving the request here');
        return false;
      }
      throw err;
    }
    s3Metrics.proxied.inc({ mode: 'proxy' });
    const out: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(upstream.headers)) if (v !== undefined && !HOP_BY_HOP.has(k)) out[k] = v;
    res.writeHead(upstream.statusCode, out);
    try {
      await pipeline(upstream.body, res);
    } finally {
      res.off('close', onClose);
    }
    return true;
  }

  /**
   * Sends a body-less request to every other worker in `workers`, marked forwarded so each answers
   * from its own state only (a cluster-wide listing); returns the bodies of the 200 answers. A
   * worker that cannot be reached, or fails, is left out with a warning.
   */
  async askPeers(req: IncomingMessage, workers: WorkerInfo[]): Promise<Buffer[]> {
    const self = this.o.self().identity;
    if (this.hops(req) >= MAX_FORWARD_HOPS) {
      this.o.log.warn({ hops: this.hops(req) }, 'S3 listing: the request was forwarded between workers too often without a proof this worker accepts (do the workers read the same credentials file?): answered from this worker only');
      return [];
    }
    const headers: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined && !HOP_BY_HOP.has(k) && k !== 'content-length' && !PEER_ONLY.has(k)) headers[k] = v;
    this.markForwarded(req, headers);
    const answers: Array<Buffer | undefined> = await Promise.all(workers.filter((w) => !sameWorker(w.identity, self)).map(async (w) => {
      const url = `${httpOrigin(w.address.Host, w.address.S3Port ?? this.o.defaultS3Port)}${req.url}`;
      try {
        const r = await request(url, { method: 'GET', headers, dispatcher: this.agent, headersTimeout: PEER_TIMEOUT_MS, bodyTimeout: PEER_TIMEOUT_MS });
        const body = Buffer.from(await r.body.arrayBuffer());
        if (r.statusCode === 200) return body;
        this.o.log.warn({ worker: workerName(w.identity), status: r.statusCode }, 'S3 listing: a worker answered with an error; its part is left out');
      } catch (err) {
        this.o.log.warn({ worker: workerName(w.identity), err: (err as Error).message }, 'S3 listing: a worker is unreachable; its part is left out');
      }
      return undefined;
    }));
    return answers.filter((b): b is Buffer => b !== undefined);
  }

  /** Adds the forwarding marker (with its proof when authentication is on) and the hop-by-hop values to the headers sent on. */
  private markForwarded(req: IncomingMessage, headers: Record<string, string | string[]>): void {
    const name = workerName(this.o.self().identity);
    headers[FORWARDED_HEADER] = name;
    if (this.o.proofKey !== null) {
      headers[FORWARD_PROOF_HEADER] = makeForwardProof(this.o.proofKey, req, name);
      headers[FORWARD_HOPS_HEADER] = String(this.hops(req) + 1);
    }
    // The owner verifies the signature, which may cover the hop-by-hop headers (see hop-headers.ts).
    const hop = hopHeadersOf(req);
    if (hop !== undefined) headers[SIGNED_HOP_HEADER] = hop;
  }

  /** FORWARD_HOPS_HEADER of a received request (0 without one). */
  private hops(req: IncomingMessage): number {
    const v = Number(req.headers[FORWARD_HOPS_HEADER]);
    return Number.isInteger(v) && v > 0 ? Math.min(v, MAX_FORWARD_HOPS) : 0;
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}

import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { InvalidConfError } from '../../common/errors.js';
import type { CredentialsFile } from '../credentials-file.js';

// A worker that proxies an S3 request to the key's owner marks it forwarded (routing.ts), and the
// owner then serves it itself. A client could send that marker too and make a worker that does not
// own the key commit a write there, which breaks "every write of a key goes through its owner"
// (write-conditions.ts). With authentication on, the forwarding worker therefore adds a proof: an
// HMAC keyed from the credentials file every worker reads, over the request it forwards (method,
// path and query, the client's Authorization and x-amz-date), the forwarder's name and the time.
// Clients know their own key pair, not this derived key, so they cannot make one. A proof binds
// one client request: replaying it needs that same signed request, which the owner would serve
// anyway. Without authentication there is no shared secret and the marker is trusted as it is
// (docs/security.md: the network is trusted).

/** A proof older (or further in the future) than this is refused, as SigV4 refuses stale requests. */
export const FORWARD_PROOF_MAX_SKEW_MS = 15 * 60_000;

/** Separates the proof key from every other use of the credentials (fixed; changing it breaks mixed-version clusters). */
const KEY_LABEL = 'alluxio-ts/s3/forwarded-request-proof/v1';

/**
 * The proof key of a cluster: an HMAC of a fixed label keyed with the file's first secret key (or,
 * in a file of tokens only, its first token). Every worker reads the same file, so all derive the
 * same key; the key and the secret stay in memory.
 */
export function forwardProofKey(c: CredentialsFile): Buffer {
  const secret = c.keys.values().next().value ?? c.firstToken;
  // readCredentialsFile refuses a file with neither.
  if (secret === undefined) throw new InvalidConfError('alluxio.worker.s3.auth.credentials.file holds no key pair or token to derive the S3 forwarding proof key from');
  return createHmac('sha256', secret).update(KEY_LABEL).digest();
}

/**
 * The path and query as the owner receives them: the forwarder sends `origin + req.url` through a
 * URL parser, which may re-encode characters; parsing again gives the same string on both sides.
 */
function target(req: IncomingMessage): string {
  try {
    const u = new URL(`http://h${req.url ?? ''}`);
    return u.pathname + u.search;
  } catch {
    return req.url ?? '';
  }
}

/** What a proof covers, one field per line. */
function message(req: IncomingMessage, forwarder: string, seconds: string): string {
  const date = req.headers['x-amz-date'];
  return `${seconds}\n${forwarder}\n${req.method ?? ''}\n${target(req)}\n${req.headers.authorization ?? ''}\n${Array.isArray(date) ? date.join(',') : (date ?? '')}`;
}

/** The proof header value for forwarding `req` as `forwarder`: `<unix seconds>.<hex HMAC>`. */
export function makeForwardProof(key: Buffer, req: IncomingMessage, forwarder: string, nowMs = Date.now()): string {
  const seconds = String(Math.floor(nowMs / 1000));
  return `${seconds}.${createHmac('sha256', key).update(message(req, forwarder, seconds)).digest('hex')}`;
}

/** Why `proof` does not prove `req` was forwarded by `forwarder` (undefined: it does). No secret in the answer. */
export function forwardProofProblem(key: Buffer, req: IncomingMessage, forwarder: string, proof: string | undefined, nowMs = Date.now()): string | undefined {
  if (proof === undefined) return 'no proof';
  const m = /^(\d{1,12})\.([0-9a-f]{64})$/.exec(proof);
  if (m === null) return 'a malformed proof';
  if (Math.abs(nowMs - Number(m[1]) * 1000) > FORWARD_PROOF_MAX_SKEW_MS) return 'a stale proof';
  const want = createHmac('sha256', key).update(message(req, forwarder, m[1]!)).digest();
  return timingSafeEqual(want, Buffer.from(m[2]!, 'hex')) ? undefined : 'a wrong proof';
}

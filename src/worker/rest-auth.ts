import type { IncomingMessage } from 'node:http';
import type { AlluxioConfiguration } from '../conf/index.js';
import { AlluxioError, InvalidConfError } from '../common/errors.js';
import type { RequestGuard } from '../common/http.js';
import { COORDINATOR_REST, PARAM, WORKER_REST } from '../common/protocol/index.js';
import { readCredentialsFile, tokenDigest, type CredentialsFile } from './credentials-file.js';
import { S3Error } from './s3/s3-errors.js';
import { authenticate, EMPTY_SHA256, signRequest, UNSIGNED_PAYLOAD } from './s3/sigv4.js';
import { restAuthorizationFromConf } from '../client/from-conf.js';

// Who may call the worker REST API (28080) and the coordinator API (19999); docs/security.md.
// Decided once at startup: a server with nothing to check gets no guard at all (null), so its
// request path pays one comparison.

/** The guard type (common/http.ts); rest-server.ts and coordinator-server.ts call it before any handler. */
export type RestGuard = RequestGuard;

export interface RestAuthPolicy {
  /** Credentials every mutating call needs (null: authentication is off). */
  credentials: CredentialsFile | null;
  /** With credentials: GET and HEAD need them too. */
  authReads: boolean;
  /** The property that refuses every mutating call, when it is set (named in the 403). */
  readOnlyProperty?: string;
}

/** Health checks stay open even when reads need credentials: liveness probes carry none. */
const HEALTH = new Set<string>([WORKER_REST.health, COORDINATOR_REST.health]);

const CREDENTIALS_HINT = 'send Authorization: Bearer <token> (a token line of alluxio.worker.s3.auth.credentials.file; clients set alluxio.user.auth.token.file) or sign the request with AWS Signature Version 4';

/** The credentials of a server whose configuration turns authentication on, else null. */
export function credentialsFromConf(conf: AlluxioConfiguration): CredentialsFile | null {
  if (!conf.getBool('alluxio.worker.s3.auth.enabled')) return null;
  const file = conf.get('alluxio.worker.s3.auth.credentials.file');
  if (!file) throw new InvalidConfError('alluxio.worker.s3.auth.enabled=true needs alluxio.worker.s3.auth.credentials.file (lines accessKey:secretKey or token <name> <value>)');
  return readCredentialsFile(file);
}

/** The worker REST API's guard: read-only mode, then credentials for mutations (and reads, when asked). */
export function workerRestGuard(conf: AlluxioConfiguration, credentials = credentialsFromConf(conf)): RestGuard | null {
  return createRestGuard({
    credentials,
    authReads: conf.getBool('alluxio.worker.http.server.auth.reads'),
    ...(conf.getBool('alluxio.worker.http.server.read.only') ? { readOnlyProperty: 'alluxio.worker.http.server.read.only' } : {}),
  });
}

/** The coordinator API's guard: credentials for mutations (mount add/remove, job submit/stop); reads stay open. */
export function coordinatorRestGuard(conf: AlluxioConfiguration): RestGuard | null {
  return createRestGuard({ credentials: credentialsFromConf(conf), authReads: false });
}

/** The web console's guard (worker and coordinator): with authentication on, its views need credentials, reads included. */
export function consoleGuard(credentials: CredentialsFile | null): RestGuard | null {
  return createRestGuard({ credentials, authReads: true });
}

/** Headers that authenticate one call of a server to a worker's REST API. */
export type PeerRestAuth = (method: string, url: URL) => Record<string, string>;

/**
 * How a server (the coordinator sending job tasks) authenticates its calls to workers with the
 * cluster credentials it already has: alluxio.user.auth.token.file when set, else the first token
 * of its credentials file, else a SigV4 signature with the file's first key pair. undefined: no
 * credentials (authentication is off).
 */
export function peerRestAuth(conf: AlluxioConfiguration, credentials = credentialsFromConf(conf)): PeerRestAuth | undefined {
  const bearer = restAuthorizationFromConf(conf) ?? (credentials?.firstToken !== undefined ? `Bearer ${credentials.firstToken}` : undefined);
  if (bearer !== undefined) return () => ({ authorization: bearer });
  const first = credentials?.keys.entries().next().value;
  if (first === undefined) return undefined;
  const [accessKey, secret] = first;
  return (method, url) => signRequest(method, url, accessKey, secret);
}

export function createRestGuard(p: RestAuthPolicy): RestGuard | null {
  const { credentials, authReads, readOnlyProperty } = p;
  if (credentials === null && readOnlyProperty === undefined) return null;
  return (req, url) => {
    const mutating = isMutating(req, url);
    if (mutating && readOnlyProperty !== undefined) {
      return new AlluxioError('ALX_ERR_PERMISSION_DENIED', `${req.method} ${url.pathname} refused: the REST API is read-only (${readOnlyProperty}=true)`);
    }
    if (credentials === null || (!mutating && (!authReads || HEALTH.has(url.pathname)))) return null;
    return checkCredentials(req, url, credentials);
  };
}

/**
 * Any method but GET and HEAD, and the load API's GET form of submit and stop
 * (`GET /v1/load?opType=submit`, as the alluxiofs client sends it).
 */
export function isMutating(req: IncomingMessage, url: URL): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return true;
  if (url.pathname !== WORKER_REST.load) return false;
  const op = url.searchParams.get(PARAM.opType);
  return op !== null && op !== 'progress';
}

function checkCredentials(req: IncomingMessage, url: URL, c: CredentialsFile): AlluxioError | null {
  const what = `${req.method} ${url.pathname}`;
  const auth = req.headers.authorization;
  if (auth === undefined && !url.searchParams.has('X-Amz-Algorithm')) {
    return new AlluxioError('ALX_ERR_UNAUTHENTICATED', `${what} needs credentials and the request has none: ${CREDENTIALS_HINT}`);
  }
  if (auth !== undefined && /^bearer\s/i.test(auth)) {
    const token = auth.slice(7).trim();
    if (c.tokens.has(tokenDigest(token))) return null;
    return new AlluxioError('ALX_ERR_PERMISSION_DENIED', `${what}: the bearer token is not one of the tokens in alluxio.worker.s3.auth.credentials.file`);
  }
  if (auth !== undefined && !auth.startsWith('AWS4-HMAC-SHA256 ')) {
    return new AlluxioError('ALX_ERR_UNAUTHENTICATED', `${what}: the Authorization scheme '${auth.split(/\s/, 1)[0]!.slice(0, 20)}' is not accepted: ${CREDENTIALS_HINT}`);
  }
  return checkSigV4(req, url, c, what);
}

/** SigV4 exactly as the S3 API checks it (sigv4.ts); the REST API does not read bodies here, so their hash must not be promised. */
function checkSigV4(req: IncomingMessage, url: URL, c: CredentialsFile, what: string): AlluxioError | null {
  const raw = req.url ?? '/';
  const q = raw.indexOf('?');
  const target = { bucket: '', key: '', rawPath: q < 0 ? raw : raw.slice(0, q), rawQuery: q < 0 ? '' : raw.slice(q + 1), query: url.searchParams };
  let payloadHash: string;
  try {
    payloadHash = authenticate(req, target, c.keys).payloadHash;
  } catch (err) {
    if (!(err instanceof S3Error)) throw err;
    return new AlluxioError(err.status === 400 ? 'ALX_ERR_INVALID_ARGUMENT' : 'ALX_ERR_PERMISSION_DENIED', `${what}: SigV4 ${err.s3Code}: ${err.message}`);
  }
  if (payloadHash !== UNSIGNED_PAYLOAD && !(payloadHash === EMPTY_SHA256 && !hasBody(req))) {
    return new AlluxioError('ALX_ERR_INVALID_ARGUMENT', `${what}: the REST API does not check request bodies against x-amz-content-sha256; sign with x-amz-content-sha256: UNSIGNED-PAYLOAD (or the SHA-256 of an empty body when there is none), or send a bearer token`);
  }
  return null;
}

function hasBody(req: IncomingMessage): boolean {
  const len = req.headers['content-length'];
  return len !== undefined ? len !== '0' : req.headers['transfer-encoding'] !== undefined;
}


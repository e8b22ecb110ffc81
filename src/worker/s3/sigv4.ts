import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { readCredentialsFile } from '../credentials-file.js';
import { forwardedHopHeaders, signedHeaderValue } from './hop-headers.js';
import { S3Error } from './s3-errors.js';
import { header, type S3Target } from './s3-request.js';

// AWS Signature Version 4 as S3 checks it: the Authorization header form and the presigned-URL
// form (query parameters). Payload hashes: a hex SHA-256 (checked as the body streams), UNSIGNED-PAYLOAD,
// or a streaming aws-chunked body (see aws-chunked.ts, which checks each chunk's signature).

export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
export const STREAMING_SIGNED = 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD';
export const STREAMING_UNSIGNED_TRAILER = 'STREAMING-UNSIGNED-PAYLOAD-TRAILER';
export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const ALGORITHM = 'AWS4-HMAC-SHA256';
const MAX_SKEW_MS = 15 * 60_000;
const MAX_PRESIGN_SECONDS = 7 * 24 * 3600;

/** Who sent a request, and what the body verifier needs to check the payload. */
export interface AuthResult {
  /** The access key: the user name in SIMPLE mode. */
  user: string;
  /** True when a signature was checked against a configured secret. */
  verified: boolean;
  /** The declared payload hash (x-amz-content-sha256), or UNSIGNED-PAYLOAD. */
  payloadHash: string;
  /** For verified streaming uploads: what each chunk signature chains from. */
  chunkSigning?: { key: Buffer; amzDate: string; scope: string; seedSignature: string };
}

/** accessKey → secretKey from a credentials file (credentials-file.ts; its token lines are for the REST APIs). */
export function loadCredentials(file: string): Map<string, string> {
  return readCredentialsFile(file).keys;
}

interface ParsedAuth {
  accessKey: string;
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
  amzDate: string;
  payloadHash: string;
  presigned: boolean;
  expiresSec?: number;
}

/**
 * Authenticates a request. Without credentials (SIMPLE) the access key of whatever auth the request
 * carries is the user and nothing is verified. With credentials, a valid SigV4 signature is required.
 */
export function authenticate(req: IncomingMessage, t: S3Target, credentials: Map<string, string> | null, nowMs = Date.now()): AuthResult {
  const declared = header(req, 'x-amz-content-sha256');
  if (!credentials) return { user: simpleUser(req, t), verified: false, payloadHash: declared ?? UNSIGNED_PAYLOAD };
  const p = parseSigV4(req, t);
  const secret = credentials.get(p.accessKey);
  if (secret === undefined) throw new S3Error('InvalidAccessKeyId', 'the AWS access key id you provided does not exist in our records');
  const reqMs = parseAmzDate(p.amzDate);
  if (p.amzDate.slice(0, 8) !== p.date) throw new S3Error('AuthorizationHeaderMalformed', `the credential scope date ${p.date} does not match the request date ${p.amzDate}`);
  if (p.presigned) {
    if (nowMs > reqMs + p.expiresSec! * 1000) throw new S3Error('AccessDenied', 'request has expired');
    if (reqMs - nowMs > MAX_SKEW_MS) throw new S3Error('AccessDenied', 'request is not valid yet (X-Amz-Date is in the future)');
  } else if (Math.abs(nowMs - reqMs) > MAX_SKEW_MS) {
    throw new S3Error('RequestTimeTooSkewed', 'the difference between the request time and the server time is too large');
  }
  if (!p.signedHeaders.includes('host')) throw new S3Error('AccessDenied', 'the host header must be signed');
  const scope = `${p.date}/${p.region}/${p.service}/aws4_request`;
  const key = signingKey(secret, p.date, p.region, p.service);
  const ok = [canonicalUri(t.rawPath), t.rawPath].some((uri) => {
    const creq = canonicalRequest(req, uri, t.rawQuery, p);
    const sts = `${ALGORITHM}\n${p.amzDate}\n${scope}\n${sha256Hex(creq)}`;
    return safeEqualHex(hmac(key, sts).toString('hex'), p.signature);
  });
  if (!ok) throw new S3Error('SignatureDoesNotMatch', 'the request signature we calculated does not match the signature you provided; check your key and signing method');
  const result: AuthResult = { user: p.accessKey, verified: true, payloadHash: p.payloadHash };
  if (p.payloadHash === STREAMING_SIGNED) result.chunkSigning = { key, amzDate: p.amzDate, scope, seedSignature: p.signature };
  return result;
}

/**
 * Signs a request this worker sends to another worker (header form, UNSIGNED-PAYLOAD, region
 * us-east-1): the headers to add. `url` is exactly what will be sent.
 */
export function signRequest(method: string, url: URL, accessKey: string, secret: string, nowMs = Date.now()): Record<string, string> {
  const amzDate = new Date(nowMs).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  const date = amzDate.slice(0, 8);
  const scope = `${date}/us-east-1/s3/aws4_request`;
  const signedHeaders = 'host;x-amz-content-sha256;x-amz-date';
  const creq = `${method}\n${canonicalUri(url.pathname)}\n${canonicalQuery(url.search.slice(1), false)}\n`
    + `host:${url.host}\nx-amz-content-sha256:${UNSIGNED_PAYLOAD}\nx-amz-date:${amzDate}\n\n${signedHeaders}\n${UNSIGNED_PAYLOAD}`;
  const signature = hmac(signingKey(secret, date, 'us-east-1', 's3'), `${ALGORITHM}\n${amzDate}\n${scope}\n${sha256Hex(creq)}`).toString('hex');
  return {
    authorization: `${ALGORITHM} Credential=${accessKey}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`,
    'x-amz-date': amzDate, 'x-amz-content-sha256': UNSIGNED_PAYLOAD,
  };
}

function simpleUser(req: IncomingMessage, t: S3Target): string {
  const auth = header(req, 'authorization');
  const cred = auth ? /Credential=([^/,\s]+)/.exec(auth)?.[1] ?? /^AWS ([^:]+):/.exec(auth)?.[1] : t.query.get('X-Amz-Credential')?.split('/')[0];
  return cred || 'anonymous';
}

function parseSigV4(req: IncomingMessage, t: S3Target): ParsedAuth {
  const auth = header(req, 'authorization');
  if (auth !== undefined) {
    if (!auth.startsWith(ALGORITHM + ' ')) {
      throw new S3Error(auth.startsWith('AWS ') ? 'AccessDenied' : 'AuthorizationHeaderMalformed', 'only AWS Signature Version 4 (AWS4-HMAC-SHA256) is accepted');
    }
    const fields = new Map<string, string>();
    for (const part of auth.slice(ALGORITHM.length + 1).split(',')) {
      const eq = part.indexOf('=');
      if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
    }
    const amzDate = header(req, 'x-amz-date') ?? '';
    const payloadHash = header(req, 'x-amz-content-sha256');
    if (!payloadHash) throw new S3Error('InvalidRequest', 'missing required header for this request: x-amz-content-sha256');
    return { ...credential(fields.get('Credential')), ...signed(fields.get('SignedHeaders'), fields.get('Signature')), amzDate, payloadHash, presigned: false };
  }
  const q = t.query;
  if (q.get('X-Amz-Algorithm') !== null) {
    if (q.get('X-Amz-Algorithm') !== ALGORITHM) throw new S3Error('AuthorizationHeaderMalformed', `X-Amz-Algorithm must be ${ALGORITHM}`);
    const expires = q.get('X-Amz-Expires') ?? '';
    if (!/^\d{1,6}$/.test(expires) || Number(expires) > MAX_PRESIGN_SECONDS) throw new S3Error('AuthorizationHeaderMalformed', `X-Amz-Expires must be a number of seconds up to ${MAX_PRESIGN_SECONDS}`);
    return {
      ...credential(q.get('X-Amz-Credential') ?? undefined),
      ...signed(q.get('X-Amz-SignedHeaders') ?? undefined, q.get('X-Amz-Signature') ?? undefined),
      amzDate: q.get('X-Amz-Date') ?? '', payloadHash: header(req, 'x-amz-content-sha256') ?? q.get('X-Amz-Content-Sha256') ?? UNSIGNED_PAYLOAD,
      presigned: true, expiresSec: Number(expires),
    };
  }
  if (q.get('Signature') !== null || q.get('AWSAccessKeyId') !== null) throw new S3Error('AccessDenied', 'only AWS Signature Version 4 is accepted');
  throw new S3Error('AccessDenied', 'anonymous access is not allowed: sign the request with AWS Signature Version 4');
}

function credential(v: string | undefined): Pick<ParsedAuth, 'accessKey' | 'date' | 'region' | 'service'> {
  const parts = (v ?? '').split('/');
  if (parts.length !== 5 || !parts[0] || !/^\d{8}$/.test(parts[1]!) || !parts[2] || parts[3] !== 's3' || parts[4] !== 'aws4_request') {
    throw new S3Error('AuthorizationHeaderMalformed', 'the Credential must be <accessKey>/<yyyymmdd>/<region>/s3/aws4_request');
  }
  return { accessKey: parts[0], date: parts[1]!, region: parts[2], service: parts[3] };
}

function signed(headers: string | undefined, signature: string | undefined): Pick<ParsedAuth, 'signedHeaders' | 'signature'> {
  if (!headers || !/^[a-z0-9-]+(;[a-z0-9-]+)*$/.test(headers)) throw new S3Error('AuthorizationHeaderMalformed', 'SignedHeaders must be a ;-separated list of lower-case header names');
  if (!signature || !/^[0-9a-f]{64}$/.test(signature)) throw new S3Error('AuthorizationHeaderMalformed', 'Signature must be 64 lower-case hex digits');
  return { signedHeaders: headers.split(';'), signature };
}

function parseAmzDate(s: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  if (!m) throw new S3Error('AccessDenied', 'X-Amz-Date must be present and look like 20130524T000000Z');
  return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
}

function canonicalRequest(req: IncomingMessage, uri: string, rawQuery: string, p: ParsedAuth): string {
  const hop = forwardedHopHeaders(req);
  let headers = '';
  for (const name of p.signedHeaders) {
    const value = signedHeaderValue(req, name, hop);
    headers += `${name}:${value.trim().replace(/\s+/g, ' ')}\n`;
  }
  return `${req.method}\n${uri}\n${canonicalQuery(rawQuery, p.presigned)}\n${headers}\n${p.signedHeaders.join(';')}\n${p.payloadHash}`;
}

/** Each path segment decoded and encoded once more the AWS way (S3 does not normalise paths). */
export function canonicalUri(rawPath: string): string {
  return rawPath.split('/').map((s) => awsEncode(decodeURIComponent(s))).join('/');
}

export function canonicalQuery(rawQuery: string, presigned: boolean): string {
  if (!rawQuery) return '';
  const pairs: Array<[string, string]> = [];
  for (const part of rawQuery.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const k = dec(eq < 0 ? part : part.slice(0, eq));
    if (presigned && k === 'X-Amz-Signature') continue;
    pairs.push([awsEncode(k), awsEncode(eq < 0 ? '' : dec(part.slice(eq + 1)))]);
  }
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return pairs.map(([k, v]) => `${k}=${v}`).join('&');
}

function dec(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    throw new S3Error('InvalidURI', 'could not decode the query string');
  }
}

/** RFC 3986 encoding as SigV4 wants it: only A-Z a-z 0-9 - _ . ~ stay as they are. */
export function awsEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

const keyCache = new Map<string, Buffer>();

export function signingKey(secret: string, date: string, region: string, service: string): Buffer {
  const id = `${secret}\0${date}\0${region}\0${service}`;
  let k = keyCache.get(id);
  if (!k) {
    k = hmac(hmac(hmac(hmac(Buffer.from('AWS4' + secret), date), region), service), 'aws4_request');
    if (keyCache.size > 256) keyCache.clear();
    keyCache.set(id, k);
  }
  return k;
}

export function hmac(key: Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

export function safeEqualHex(a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

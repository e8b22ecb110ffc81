import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { once } from 'node:events';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { InvalidConfError, type AlluxioError } from '../../common/errors.js';
import { applyTimeouts, timeoutServerOptions, type HttpTimeouts } from '../../common/http-timeouts.js';
import { bucketLocation, bucketVersioning, createBucket, deleteBucket, headBucket, listBuckets } from './bucket-ops.js';
import { listObjectsV1, listObjectsV2, listObjectVersions } from './list-objects.js';
import { MultipartStore } from './multipart.js';
import { abortUpload, completeUpload, createUpload, listParts, listUploads, uploadPart } from './multipart-ops.js';
import { copyObject, deleteObject, deleteObjects, getObject, putObject } from './object-ops.js';
import { keyConflict } from './key-conflicts.js';
import { S3Router } from './routing.js';
import { workerStateDir } from '../state-dir.js';
import { HotGets } from './hot-gets.js';
import { metrics } from '../../common/metrics.js';
import { SmallObjectCache } from './small-objects.js';
import { sendXml, type S3Call, type S3Deps, type S3Services } from './s3-context.js';
import { newRequestId, s3ErrorOf, sendS3Error, S3Error } from './s3-errors.js';
import { observeLatency, s3Metrics } from './s3-metrics.js';
import { alluxioPath, checkBucket, checkKey, parseTarget } from './s3-request.js';
import { authenticate } from './sigv4.js';
import { readCredentialsFile } from '../credentials-file.js';
import { forwardProofKey } from './forward-proof.js';

export type { S3Deps } from './s3-context.js';

type Op = (c: S3Call) => Promise<void>;

/** Memory for whole small objects (see small-objects.ts), and the largest object kept there. */
const SMALL_OBJECT_BUDGET = 64 << 20;
const SMALL_OBJECT_MAX = 256 << 10;
/** Memory for hot GETs by URL (hot-gets.ts); their buffers are mostly the small-object cache's own. */
const HOT_GET_BUDGET = 32 << 20;

/** Sub-resources S3 has and we do not: answered NotImplemented rather than misread as a plain GET/PUT. */
const UNSUPPORTED = new Set(['acl', 'policy', 'policyStatus', 'cors', 'lifecycle', 'tagging', 'website', 'logging', 'notification',
  'replication', 'encryption', 'object-lock', 'retention', 'legal-hold', 'torrent', 'restore', 'select', 'accelerate',
  'requestPayment', 'analytics', 'inventory', 'metrics', 'intelligent-tiering', 'ownershipControls', 'publicAccessBlock', 'attributes']);

/** Operations that write a key: a refusal may be an object/prefix clash (key-conflicts.ts). */
const KEY_WRITES = new Set(['PutObject', 'CopyObject', 'CompleteMultipartUpload']);

/** Picks the operation for a request: [name for metrics, handler, whether it is routed by key]. */
function dispatch(c: S3Call): [string, Op, boolean] {
  const { bucket, key, query: q } = c.t;
  const m = c.req.method;
  for (const k of q.keys()) if (UNSUPPORTED.has(k)) return [`Unsupported`, notImplemented(`the ?${k} sub-resource is not supported`), false];
  if (!bucket) {
    if (m === 'GET') return ['ListBuckets', listBuckets, false];
    return ['Unsupported', methodNotAllowed, false];
  }
  if (!key) {
    switch (m) {
      case 'GET':
        if (q.has('versions')) return ['ListObjectVersions', (x) => sendList(x, listObjectVersions), false];
        if (q.has('uploads')) return ['ListMultipartUploads', listUploads, false];
        if (q.has('location')) return ['GetBucketLocation', bucketLocation, false];
        if (q.has('versioning')) return ['GetBucketVersioning', bucketVersioning, false];
        if (q.get('list-type') === '2') return ['ListObjectsV2', (x) => sendList(x, listObjectsV2), false];
        if (q.has('list-type')) return ['ListObjects', invalid(`list-type ${q.get('list-type')} does not exist: use 2, or leave it out for version 1`), false];
        return ['ListObjects', (x) => sendList(x, listObjectsV1), false];
      case 'HEAD': return ['HeadBucket', headBucket, false];
      case 'PUT': return q.size > 0 ? ['Unsupported', notImplemented('this bucket sub-resource is not supported'), false] : ['CreateBucket', createBucket, false];
      case 'DELETE': return q.size > 0 ? ['Unsupported', notImplemented('this bucket sub-resource is not supported'), false] : ['DeleteBucket', deleteBucket, false];
      case 'POST': return q.has('delete') ? ['DeleteObjects', deleteObjects, false] : ['Unsupported', notImplemented('POST object (browser form upload) is not supported'), false];
      default: return ['Unsupported', methodNotAllowed, false];
    }
  }
  const upload = q.has('uploadId');
  switch (m) {
    case 'GET': return upload ? ['ListParts', listParts, true] : ['GetObject', (x) => getObject(x, false), true];
    case 'HEAD': return ['HeadObject', (x) => getObject(x, true), true];
    case 'PUT':
      if (upload || q.has('partNumber')) return ['UploadPart', uploadPart, true];
      if (c.req.headers['x-amz-copy-source'] !== undefined) return ['CopyObject', copyObject, true];
      return ['PutObject', putObject, true];
    case 'POST':
      if (q.has('uploads')) return ['CreateMultipartUpload', createUpload, true];
      if (upload) return ['CompleteMultipartUpload', completeUpload, true];
      return ['Unsupported', notImplemented('this POST request is not supported'), false];
    case 'DELETE': return upload ? ['AbortMultipartUpload', abortUpload, true] : ['DeleteObject', deleteObject, true];
    default: return ['Unsupported', methodNotAllowed, false];
  }
}

function notImplemented(msg: string): Op {
  return async () => { throw new S3Error('NotImplemented', msg); };
}
function invalid(msg: string): Op {
  return async () => { throw new S3Error('InvalidArgument', msg); };
}
async function methodNotAllowed(c: S3Call): Promise<void> {
  throw new S3Error('MethodNotAllowed', `the method ${c.req.method} is not allowed on this resource`);
}
async function sendList(c: S3Call, fn: (files: S3Call['svc']['deps']['files'], bucket: string, q: URLSearchParams, owner: string) => Promise<string>): Promise<void> {
  sendXml(c, 200, await fn(c.svc.deps.files, c.t.bucket, c.t.query, c.auth.user));
}

function services(deps: S3Deps): S3Services {
  const conf = deps.conf;
  const authOn = conf.getBool('alluxio.worker.s3.auth.enabled');
  const credFile = conf.get('alluxio.worker.s3.auth.credentials.file');
  if (authOn && !credFile) throw new InvalidConfError('alluxio.worker.s3.auth.enabled=true needs alluxio.worker.s3.auth.credentials.file (lines accessKey:secretKey)');
  const creds = authOn ? readCredentialsFile(credFile!) : null;
  return {
    deps,
    credentials: creds?.keys ?? null,
    small: new SmallObjectCache(deps.files.data, SMALL_OBJECT_BUDGET, SMALL_OBJECT_MAX),
    hot: authOn || !deps.ringState ? null : new HotGets(HOT_GET_BUDGET, {
      cachedStatus: (uri) => deps.files.reader.cachedStatus(uri),
      mountTable: () => deps.files.ns.mounts,
      ring: deps.ringState,
    }),
    multipart: new MultipartStore(conf.get('alluxio.worker.s3.multipart.dir') ?? join(workerStateDir(conf), 's3-multipart'), deps.files),
    router: new S3Router({
      owners: deps.owners, self: deps.self, log: deps.log,
      redirect: conf.getBool('alluxio.worker.s3.redirect.enabled'),
      defaultS3Port: conf.getInt('alluxio.worker.rest.port'),
      proofKey: creds ? forwardProofKey(creds) : null,
    }),
  };
}

/** The S3 API as a node request handler (path-style, DESIGN.md §8). */
export function createS3Handler(deps: S3Deps): (req: IncomingMessage, res: ServerResponse) => void {
  return handlerFor(services(deps));
}

function handlerFor(svc: S3Services): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const requestId = newRequestId();
    const started = performance.now();
    if (svc.hot !== null && HotGets.eligible(req)) {
      const hit = svc.hot.serve(req, res, requestId);
      if (hit !== undefined) {
        countHotGet(hit.data.length, performance.now() - started);
        return;
      }
    }
    const c = { req, res, requestId, svc, t: undefined, auth: undefined, resolved: undefined, ownedHere: false, forwardedByPeer: false } as unknown as S3Call;
    let op = 'Unknown';
    res.once('finish', () => observeLatency(op, performance.now() - started));
    serve(c, (name) => { op = name; }).catch((err) => fail(c, err));
  };
}

async function serve(c: S3Call, named: (op: string) => void): Promise<void> {
  c.t = parseTarget(c.req.url ?? '/');
  const { bucket, key } = c.t;
  if (bucket) checkBucket(bucket);
  if (key) checkKey(key);
  c.auth = authenticate(c.req, c.t, c.svc.credentials);
  c.forwardedByPeer = c.svc.router.isForwardedByPeer(c.req);
  const [name, op, byKey] = dispatch(c);
  named(name);
  if (byKey) {
    const router = c.svc.router;
    try {
      c.resolved = c.svc.deps.files.resolve(alluxioPath(bucket, key));
    } catch (err) {
      if ((err as AlluxioError).code === 'ALX_ERR_NOT_FOUND') throw new S3Error('NoSuchBucket', `the bucket ${bucket} does not exist`, '/' + bucket);
      throw err;
    }
    const owner = router.ownerOf(c.forwardedByPeer, c.resolved.ufsUri);
    if (owner && (await router.forward(c.req, c.res, owner, c.requestId))) return;
    c.ownedHere = owner === undefined && !c.forwardedByPeer;
  }
  if (!KEY_WRITES.has(name)) return op(c);
  try {
    await op(c);
  } catch (err) {
    throw (await keyConflict(c.svc.deps.files, bucket, key, err)) ?? err;
  }
}

/** The metrics a GET answered by a hot entry counts (the full path counts them in getObject). */
function countHotGet(bytes: number, ms: number): void {
  s3Metrics.bytesServed.inc(bytes);
  metrics.cachedDataReadBytes.inc(bytes);
  observeLatency('GetObject', ms);
}

function fail(c: S3Call, err: unknown): void {
  const hasKey = c.t ? c.t.key !== '' : false;
  const e = s3ErrorOf(err, hasKey);
  if (e.status >= 500) c.svc.deps.log.warn({ err: e.message, code: e.code, url: c.req.url?.slice(0, 200) }, 'S3 request failed');
  s3Metrics.errors.inc({ code: e.code });
  // An unread request body (e.g. a refused upload) is not drained: close the connection after the answer.
  if (!c.req.complete) c.res.setHeader('connection', 'close');
  const resource = c.t ? (c.t.key ? `/${c.t.bucket}/${c.t.key}` : `/${c.t.bucket}`) : '/';
  sendS3Error(c.res, c.req.method ?? 'GET', e.code, e.status, e.message, resource, c.requestId, err instanceof S3Error ? err.headers : undefined);
}

export interface S3Servers {
  httpPort: number;
  httpsPort?: number;
  /** The listening servers (HTTP, then HTTPS), for a graceful shutdown to track. */
  readonly servers: readonly Server[];
  close(): Promise<void>;
}

/**
 * Starts the worker's S3 API on alluxio.worker.rest.port at alluxio.worker.bind.host, plus HTTPS on
 * alluxio.worker.s3.https.port when a certificate and key are configured.
 */
export async function startS3Servers(deps: S3Deps): Promise<S3Servers> {
  const conf = deps.conf;
  const svc = services(deps);
  const handler = handlerFor(svc);
  const host = conf.getString('alluxio.worker.bind.host');
  const servers: Server[] = [];
  const timeouts: HttpTimeouts = {
    headersMs: conf.getDuration('alluxio.worker.s3.request.header.timeout'),
    bodyMs: conf.getDuration('alluxio.worker.s3.request.body.timeout'),
    idleMs: conf.getDuration('alluxio.worker.s3.idle.timeout'),
  };
  const options = timeoutServerOptions(timeouts);
  const http = createServer(options, handler);
  const httpPort = await listen(http, handler, host, conf.getInt('alluxio.worker.rest.port'), servers, timeouts);
  let httpsPort: number | undefined;
  const cert = conf.get('alluxio.worker.s3.https.cert.file');
  const key = conf.get('alluxio.worker.s3.https.key.file');
  if (cert && key) {
    let tls: { cert: Buffer; key: Buffer };
    try {
      tls = { cert: readFileSync(cert), key: readFileSync(key) };
    } catch (err) {
      await closeAll(servers);
      throw new InvalidConfError(`alluxio.worker.s3.https.cert.file/.key.file: ${(err as Error).message}`);
    }
    httpsPort = await listen(createHttpsServer({ ...options, ...tls }, handler), handler, host, conf.getInt('alluxio.worker.s3.https.port'), servers, timeouts);
  } else if (cert || key) {
    await closeAll(servers);
    throw new InvalidConfError('set both alluxio.worker.s3.https.cert.file and alluxio.worker.s3.https.key.file to serve HTTPS');
  }
  svc.multipart.startSweeper(conf.getDuration('alluxio.worker.s3.multipart.upload.expiration'), deps.log);
  deps.log.info({ http: httpPort, https: httpsPort, auth: svc.credentials ? 'SIGV4' : 'SIMPLE' }, 'S3 API listening');
  return {
    httpPort,
    ...(httpsPort !== undefined ? { httpsPort } : {}),
    servers,
    async close() {
      await closeAll(servers);
      svc.multipart.close();
      await svc.router.close();
    },
  };
}

async function listen(server: Server, handler: (req: IncomingMessage, res: ServerResponse) => void, host: string, port: number, servers: Server[], timeouts: HttpTimeouts): Promise<number> {
  applyTimeouts(server, timeouts);
  // Node answers 417 to every Expect but 100-continue. S3 ignores an empty `Expect:` (some clients
  // send one), so such a request is served as if it had none; other expectations still get 417.
  server.on('checkExpectation', (req: IncomingMessage, res: ServerResponse) => {
    if ((req.headers.expect ?? '').trim() === '') {
      handler(req, res);
      return;
    }
    res.writeHead(417, { 'content-length': 0, connection: 'close' });
    res.end();
  });
  // Garbage before a request line (or headers too slow) gets a plain 400 and the socket is closed,
  // not just half-closed: a client that never reads would otherwise hold it open.
  server.on('clientError', (_err: Error, socket: Socket) => {
    if (socket.writable && !socket.destroyed) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n', () => socket.destroy());
    else socket.destroy();
  });
  server.listen(port, host);
  await once(server, 'listening');
  servers.push(server);
  return (server.address() as AddressInfo).port;
}

async function closeAll(servers: Server[]): Promise<void> {
  for (const s of servers) s.closeAllConnections();
  await Promise.all(servers.map((s) => new Promise((r) => s.close(() => r(undefined)))));
}

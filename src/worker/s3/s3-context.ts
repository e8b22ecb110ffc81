import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AlluxioConfiguration } from '../../conf/index.js';
import type { Logger } from '../../common/logging.js';
import type { WorkerInfo } from '../../hashring/worker-info.js';
import type { FileService } from '../file-service.js';
import type { ResolvedPath } from '../../mount/namespace.js';
import type { SmallObjectCache } from './small-objects.js';
import type { HotGets } from './hot-gets.js';
import type { MultipartStore } from './multipart.js';
import type { S3Router } from './routing.js';
import type { S3Target } from './s3-request.js';
import type { AuthResult } from './sigv4.js';

/** What the S3 handler is built from (see createS3Handler). */
export interface S3Deps {
  files: FileService;
  /** Workers owning a UFS URI, in ring order. */
  owners: (ufsUri: string) => WorkerInfo[];
  /**
   * An object that is replaced whenever the ring may have changed (compared by identity). Without
   * it, hot GETs (hot-gets.ts) are off.
   */
  ringState?: () => unknown;
  self: () => WorkerInfo;
  /** The live workers (for cluster-wide listings such as ListMultipartUploads); default: only self. */
  workers?: () => WorkerInfo[];
  conf: AlluxioConfiguration;
  log: Logger;
  /** Headers that authenticate this worker's own call to another worker's REST API (worker-process.ts); none when auth is off. */
  restAuth?: (method: string, url: URL) => Record<string, string>;
}

/** Long-lived parts shared by every request. */
export interface S3Services {
  deps: S3Deps;
  multipart: MultipartStore;
  router: S3Router;
  credentials: Map<string, string> | null;
  small: SmallObjectCache;
  /** Hot small-object GETs by URL; null under SigV4 verification or without ringState. */
  hot: HotGets | null;
}

/** One request being served. */
export interface S3Call {
  req: IncomingMessage;
  res: ServerResponse;
  t: S3Target;
  auth: AuthResult;
  requestId: string;
  svc: S3Services;
  /** The key's path resolved once (object requests), reused by the operation. */
  resolved: (ResolvedPath & { path: string }) | undefined;
  /** This worker owns the key by the ring (set for object requests that were not forwarded to it). */
  ownedHere: boolean;
  /** Another worker forwarded this request here (S3Router.isForwardedByPeer, checked once per request). */
  forwardedByPeer: boolean;
}

export function sendXml(c: S3Call, status: number, xml: string): void {
  const body = Buffer.from(xml);
  c.res.writeHead(status, { 'content-type': 'application/xml', 'content-length': body.length, 'x-amz-request-id': c.requestId });
  c.res.end(body);
}

export function sendEmpty(c: S3Call, status: number, headers: Record<string, string | number> = {}): void {
  c.res.writeHead(status, { ...headers, 'content-length': 0, 'x-amz-request-id': c.requestId });
  c.res.end();
}

// The HTTP routes, query parameters and headers processes of a cluster speak to each other: the
// worker REST API (the alluxiofs client's, DESIGN.md §8, plus ours), the coordinator REST API
// (§9) and every process's web port. Servers register these templates and clients build URLs
// from them (url.ts), so a route is spelled once.
import { AlluxioError } from '../errors.js';

/**
 * Every route of the worker REST API (alluxio.worker.http.server.port, 28080). `{fileId}` is the
 * SHA-256 of the full UFS path (as alluxiofs computes it), `{pageIndex}` a page number.
 */
export const WORKER_REST = {
  health: '/v1/health',
  node: '/v1/node',
  info: '/v1/info',
  ufsInfo: '/v1/ufsInfo',
  files: '/v1/files',
  /** One page of a directory listing (ours; FUSE readdir): `{entries, nextToken?}`. */
  filesPage: '/v1/files/page',
  read: '/v1/read',
  file: '/v1/file',
  mkdir: '/v1/mkdir',
  mv: '/v1/mv',
  load: '/v1/load',
  page: '/v1/file/{fileId}/page/{pageIndex}',
  range: '/v1/range/{fileId}',
  chunk: '/v1/chunk/{fileId}',
  head: '/v1/head/{fileId}',
  tail: '/v1/tail/{fileId}',
  touch: '/v1/touch/{fileId}',
  mkdirById: '/v1/mkdir/{fileId}',
  mvById: '/v1/mv/{fileId}',
  copy: '/v1/copy/{fileId}',
  rm: '/v1/rm/{fileId}',
  cache: '/v1/cache',
  cacheFile: '/v1/cache/file',
  /** The cache index (every cached file and its bytes), for `alluxio ring plan`. */
  cacheFiles: '/v1/cache/files',
  /** Cache-only page reads for a worker that took over a key after a ring change. */
  cachePages: '/v1/cache/pages/{fileId}',
  /**
   * Short-circuit, served on the domain socket only (never on the TCP port): a file opened at its
   * current (or the pinned) version and where this worker's page files of it are, so a client on
   * this host reads them itself (client/short-circuit-read.ts). Answer: LocalPagesJson.
   */
  localPages: '/v1/local/pages',
  /** Short-circuit, domain socket only: the pages a local client read itself (POST LocalPagesReadJson), so the evictor sees them used. */
  localPagesRead: '/v1/local/pages/read',
  /** The cache digest (4 bytes per cached file) a new owner checks before asking for pages. */
  cacheDigest: '/v1/cache/digest',
  /** A job task from the coordinator: cache (or free) a batch of files, one result line per file. */
  jobLoad: '/v1/job/load',
  jobFree: '/v1/job/free',
} as const;
export type WorkerRoute = (typeof WORKER_REST)[keyof typeof WORKER_REST];

/** The coordinator REST API (alluxio.coordinator.web.port, 19999). */
export const COORDINATOR_REST = {
  health: '/api/v1/health',
  info: '/api/v1/info',
  workers: '/api/v1/workers',
  cluster: '/api/v1/cluster',
  mount: '/api/v1/mount',
  load: '/api/v1/load',
  free: '/api/v1/free',
  /** Every load and free job (`alluxio job list`). */
  jobs: '/api/v1/jobs',
} as const;
export type CoordinatorRestRoute = (typeof COORDINATOR_REST)[keyof typeof COORDINATOR_REST];

/** Every process's web port (worker 30000, fuse 49999; the coordinator serves them on 19999). */
export const WEB_ROUTES = {
  metrics: '/metrics',
  health: '/health',
  info: '/api/v1/info',
  /** GET: logger levels; POST ?level=[&name=]: change them at run time (mutating: guarded). */
  log: '/api/v1/conf/log',
} as const;

/** Query parameter names of the worker REST API. */
export const PARAM = {
  path: 'path',
  ufsFullPath: 'ufsFullPath',
  recursive: 'recursive',
  /** alluxiofs's rm sends both. */
  recursiveAlias: 'recursiveAlias',
  removeAlluxioOnly: 'remove_alluxio_only',
  offset: 'offset',
  length: 'length',
  /** Pins a read to one UFS version (the UFS_VERSION_HEADER of an earlier answer). */
  version: 'version',
  srcPath: 'srcPath',
  dstPath: 'dstPath',
  opType: 'opType',
  count: 'count',
  numOfBytes: 'numOfBytes',
  first: 'first',
  last: 'last',
  pageSize: 'pageSize',
  fileLength: 'fileLength',
  /** Paged listing: most entries per page, and the UFS continuation token of the next page. */
  limit: 'limit',
  token: 'token',
} as const;

/**
 * The header of a worker's data answer (`/v1/read`, `/v1/range`, the page API) naming the UFS
 * version it serves (URI-encoded ufsVersion()); PARAM.version pins a later read to it.
 */
export const UFS_VERSION_HEADER = 'x-alluxio-ufs-version';
/** How many pages a cachePages answer holds (0: none). */
export const PAGE_COUNT_HEADER = 'x-alluxio-page-count';

/** What each `{name}` of a route template matches. */
const ROUTE_PARAMS: Record<string, string> = {
  fileId: '([0-9a-f]{64})',
  pageIndex: '(\\d+)',
};

/**
 * The pattern a server matches a route template with: each `{name}` becomes a capture group
 * (in order), the rest matches literally.
 */
export function routePattern(route: string): RegExp {
  const src = route.split(/(\{\w+\})/).map((part) => {
    const m = /^\{(\w+)\}$/.exec(part);
    if (!m) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const p = ROUTE_PARAMS[m[1]!];
    if (p === undefined) throw new AlluxioError('ALX_ERR_INTERNAL', `route ${route}: unknown parameter {${m[1]}}`);
    return p;
  }).join('');
  return new RegExp(`^${src}$`);
}

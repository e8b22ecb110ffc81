import type { PropertySpec } from './property-spec.js';

// Worker properties: address and ports, page store, membership and identity, S3 API.

export const WORKER_PROPERTIES = [
  // ---- address and ports
  {
    name: 'alluxio.worker.hostname', type: 'string', default: 'localhost', scope: 'worker',
    description: 'Host name the worker registers under; clients connect to it.',
  },
  {
    name: 'alluxio.worker.bind.host', type: 'string', default: '0.0.0.0', scope: 'worker',
    description: 'Address the worker listens on.',
  },
  {
    name: 'alluxio.worker.http.server.port', type: 'int', default: '28080', min: 0, max: 65535, scope: 'all',
    description: 'Worker REST port (the API of the Python alluxiofs client; 0 = any free port).',
  },
  {
    name: 'alluxio.worker.data.server.domain.socket.address', type: 'string', default: undefined, scope: 'all',
    description: 'Also serve the worker REST API on this Unix domain socket, for clients on the same host (short-circuit: no TCP). With ...domain.socket.as.uuid it is a directory and the socket is <dir>/<worker id>.sock (a hostPath shared by the pods of a node). Unset = no domain socket.',
  },
  {
    name: 'alluxio.worker.data.server.domain.socket.as.uuid', type: 'bool', default: 'false', scope: 'all',
    description: 'Treat alluxio.worker.data.server.domain.socket.address as a directory and name the socket after the worker\'s id, so several workers on one host never share a socket path.',
  },
  {
    name: 'alluxio.worker.http.server.request.header.timeout', type: 'duration', default: '60s', min: 100, scope: 'worker',
    description: 'The REST port closes a connection whose request line and headers have not all arrived within this (ours).',
  },
  {
    name: 'alluxio.worker.http.server.request.body.timeout', type: 'duration', default: '60s', min: 100, scope: 'worker',
    description: 'The REST port cuts a request whose body sends no byte for this long while the worker waits for one, and a response whose client reads no byte for this long while bytes wait for it; a slow transfer that keeps moving is not cut (ours).',
  },
  {
    name: 'alluxio.worker.http.server.idle.timeout', type: 'duration', default: '65s', min: 100, scope: 'worker',
    description: 'The REST port closes a connection with no request in progress (fresh or kept alive) after this (ours).',
  },
  {
    name: 'alluxio.worker.http.server.read.only', type: 'bool', default: 'false', scope: 'worker',
    description: 'Refuse every mutating call of the worker REST API (any method but GET/HEAD: write, delete, rm, mkdir, mv, load) with 403, whatever credentials it carries (ours; see docs/security.md).',
  },
  {
    name: 'alluxio.worker.http.server.auth.reads', type: 'bool', default: 'false', scope: 'worker',
    description: 'When REST authentication is on (alluxio.worker.s3.auth.enabled with a credentials file), require credentials for GET/HEAD calls of the worker REST API too; by default only mutating calls need them (ours; see docs/security.md).',
  },
  {
    name: 'alluxio.worker.rest.port', type: 'int', default: '29998', min: 0, max: 65535, scope: 'all',
    description: 'Worker S3 API port, plain HTTP (0 = any free port).',
  },
  {
    name: 'alluxio.worker.s3.https.port', type: 'int', default: '29996', min: 0, max: 65535, scope: 'all',
    description: 'Worker S3 API port over HTTPS; served only when alluxio.worker.s3.https.cert.file and .key.file are set.',
  },
  {
    name: 'alluxio.worker.rpc.port', type: 'int', default: '29999', min: 0, max: 65535, scope: 'all',
    description: 'Worker RPC port (0 = any free port).',
  },
  {
    name: 'alluxio.worker.data.port', type: 'int', default: '29997', min: 0, max: 65535, scope: 'all',
    description: 'Worker data port (0 = any free port).',
  },
  {
    name: 'alluxio.worker.web.port', type: 'int', default: '30000', min: 0, max: 65535, scope: 'all',
    description: 'Worker web and /metrics port (0 = any free port).',
  },
  {
    name: 'alluxio.worker.network.shutdown.timeout', type: 'duration', default: '10s', min: 0, scope: 'worker',
    description: 'On SIGTERM the worker leaves membership, refuses new requests (503) and lets reads in flight finish for up to this long before it cuts them and exits. A second SIGTERM or SIGINT exits at once.',
  },

  // ---- page store
  // Alluxio 2.x tiered store (tiered-store.ts): levels of page stores, hot pages copied upward.
  {
    name: 'alluxio.worker.tieredstore.levels', type: 'int', default: undefined, min: 1, max: 3, scope: 'worker',
    description: 'Alluxio 2.x tiered store: number of levels (1-3, level0 on top). When set, level{n}.* replace page.store.dirs|sizes|type: pages are written to the lowest level and copied to the level above when read again (alluxio.worker.tieredstore.promote.after.hits).',
  },
  {
    name: 'alluxio.worker.tieredstore.promote.after.hits', type: 'int', default: '2', min: 1, scope: 'worker',
    description: 'Tiered store: a page read this many times from a lower level is copied to the level above (ours; Alluxio 2.x promotes on access).',
  },
  {
    name: 'alluxio.worker.tieredstore.level0.alias', type: 'string', default: undefined, scope: 'worker',
    description: 'Tiered store level 0: MEM (process memory, or a directory on tmpfs), SSD or HDD (page files in dirs.path).',
  },
  {
    name: 'alluxio.worker.tieredstore.level0.dirs.path', type: 'list', default: undefined, scope: 'worker',
    description: 'Tiered store level 0: comma-separated directories (ignored for MEM unless on tmpfs: a MEM level keeps pages in memory).',
  },
  {
    name: 'alluxio.worker.tieredstore.level0.dirs.quota', type: 'sizeList', default: undefined, min: 1, scope: 'worker',
    description: 'Tiered store level 0: capacity of each directory (one value applies to all); for MEM the sum is the memory used.',
  },
  {
    name: 'alluxio.worker.tieredstore.level0.dirs.mediumtype', type: 'list', default: undefined, scope: 'worker',
    description: 'Tiered store level 0: medium of each directory (MEM, SSD, HDD); accepted for 2.x files, the alias decides.',
  },
  {
    name: 'alluxio.worker.tieredstore.level0.watermark.high.ratio', type: 'string', default: '1.0', scope: 'worker',
    description: 'Tiered store level 0: the share of the quota pages may fill (0 < ratio <= 1): the level evicts beyond quota x ratio.',
  },
  {
    name: 'alluxio.worker.tieredstore.level0.watermark.low.ratio', type: 'string', default: '0.7', scope: 'worker',
    description: 'Tiered store level 0: accepted for 2.x files; eviction here frees one page at a time at the high watermark, not down to a low one.',
  },
  {
    name: 'alluxio.worker.tieredstore.level1.alias', type: 'string', default: undefined, scope: 'worker',
    description: 'Tiered store level 1: MEM (process memory, or a directory on tmpfs), SSD or HDD (page files in dirs.path).',
  },
  {
    name: 'alluxio.worker.tieredstore.level1.dirs.path', type: 'list', default: undefined, scope: 'worker',
    description: 'Tiered store level 1: comma-separated directories (ignored for MEM unless on tmpfs: a MEM level keeps pages in memory).',
  },
  {
    name: 'alluxio.worker.tieredstore.level1.dirs.quota', type: 'sizeList', default: undefined, min: 1, scope: 'worker',
    description: 'Tiered store level 1: capacity of each directory (one value applies to all); for MEM the sum is the memory used.',
  },
  {
    name: 'alluxio.worker.tieredstore.level1.dirs.mediumtype', type: 'list', default: undefined, scope: 'worker',
    description: 'Tiered store level 1: medium of each directory (MEM, SSD, HDD); accepted for 2.x files, the alias decides.',
  },
  {
    name: 'alluxio.worker.tieredstore.level1.watermark.high.ratio', type: 'string', default: '1.0', scope: 'worker',
    description: 'Tiered store level 1: the share of the quota pages may fill (0 < ratio <= 1): the level evicts beyond quota x ratio.',
  },
  {
    name: 'alluxio.worker.tieredstore.level1.watermark.low.ratio', type: 'string', default: '0.7', scope: 'worker',
    description: 'Tiered store level 1: accepted for 2.x files; eviction here frees one page at a time at the high watermark, not down to a low one.',
  },
  {
    name: 'alluxio.worker.tieredstore.level2.alias', type: 'string', default: undefined, scope: 'worker',
    description: 'Tiered store level 2: MEM (process memory, or a directory on tmpfs), SSD or HDD (page files in dirs.path).',
  },
  {
    name: 'alluxio.worker.tieredstore.level2.dirs.path', type: 'list', default: undefined, scope: 'worker',
    description: 'Tiered store level 2: comma-separated directories (ignored for MEM unless on tmpfs: a MEM level keeps pages in memory).',
  },
  {
    name: 'alluxio.worker.tieredstore.level2.dirs.quota', type: 'sizeList', default: undefined, min: 1, scope: 'worker',
    description: 'Tiered store level 2: capacity of each directory (one value applies to all); for MEM the sum is the memory used.',
  },
  {
    name: 'alluxio.worker.tieredstore.level2.dirs.mediumtype', type: 'list', default: undefined, scope: 'worker',
    description: 'Tiered store level 2: medium of each directory (MEM, SSD, HDD); accepted for 2.x files, the alias decides.',
  },
  {
    name: 'alluxio.worker.tieredstore.level2.watermark.high.ratio', type: 'string', default: '1.0', scope: 'worker',
    description: 'Tiered store level 2: the share of the quota pages may fill (0 < ratio <= 1): the level evicts beyond quota x ratio.',
  },
  {
    name: 'alluxio.worker.tieredstore.level2.watermark.low.ratio', type: 'string', default: '0.7', scope: 'worker',
    description: 'Tiered store level 2: accepted for 2.x files; eviction here frees one page at a time at the high watermark, not down to a low one.',
  },
  {
    name: 'alluxio.worker.page.store.type', type: 'enum', default: 'LOCAL', values: ['LOCAL', 'MEM'], scope: 'worker',
    description: 'Page store kind: LOCAL (files on local disk) or MEM (process memory).',
  },
  {
    name: 'alluxio.worker.page.store.dirs', type: 'list', default: '/tmp/alluxio_cache', scope: 'worker',
    description: 'Comma-separated cache directories, one per disk; pages go under <dir>/LOCAL/<pageSize>/.',
  },
  {
    name: 'alluxio.worker.page.store.sizes', type: 'sizeList', default: '512MB', min: 1, scope: 'worker',
    description: 'Comma-separated capacity of each directory in alluxio.worker.page.store.dirs, in the same order (MB means MiB).',
  },
  {
    name: 'alluxio.worker.page.store.page.size', type: 'size', default: '1MB', min: 1, scope: 'all',
    description: 'Page size: the unit in which files are cached and read from the UFS (the operator sets 4MB).',
  },
  {
    name: 'alluxio.worker.page.store.reserved.size', type: 'size', default: '0', min: 0, scope: 'worker',
    description: 'Space kept free in each directory for pages being written (usable = size - reserved).',
  },
  {
    name: 'alluxio.worker.page.store.evictor.type', type: 'enum', default: 'LRU', values: ['LRU', 'LFU', 'FIFO'], scope: 'worker',
    description: 'Which cached page is evicted when a directory is full.',
  },
  {
    name: 'alluxio.worker.page.store.local.store.file.buckets', type: 'int', default: '1000', min: 1, scope: 'worker',
    description: 'Number of bucket directories a LOCAL page store spreads files over.',
  },
  {
    name: 'alluxio.worker.page.store.read.ahead.pages', type: 'int', default: '2', min: 0, scope: 'worker',
    description: 'Pages prefetched from the UFS after a sequential read (ours; 0 disables read-ahead).',
  },
  {
    name: 'alluxio.worker.page.store.async.write.max.size', type: 'size', default: '256MB', scope: 'worker',
    description: 'Bytes of pages read from the UFS that may wait to be written to the page store (ours). A miss never waits for the cache disk: past this bound a page is served but not cached, and a later read caches it.',
  },
  {
    name: 'alluxio.worker.page.store.checksum.enabled', type: 'bool', default: 'true', scope: 'worker',
    description: 'Keep a checksum per page and verify it on read; a mismatched page is dropped and re-read from the UFS (ours).',
  },
  {
    name: 'alluxio.worker.page.store.health.probe.timeout', type: 'duration', default: '5s', min: 100, scope: 'worker',
    description: 'GET /v1/health writes, reads back and removes a small file in each page store dir; it answers 503 when that fails or takes longer than this (a hung disk, or an I/O thread pool that is all blocked) (ours).',
  },

  // ---- membership and identity
  {
    name: 'alluxio.worker.membership.manager.type', type: 'enum', default: 'ETCD', values: ['STATIC', 'ETCD', 'NOOP'], scope: 'all',
    description: 'How workers are found: ETCD (registration with a lease), STATIC (a host list file) or NOOP (one worker, no registry; for tests).',
  },
  {
    name: 'alluxio.worker.static.membership.manager.config.file', type: 'string', default: '${alluxio.conf.dir}/workers', scope: 'all',
    description: 'Worker host list, one per line, for alluxio.worker.membership.manager.type=STATIC.',
  },
  {
    name: 'alluxio.worker.identity.uuid', type: 'string', default: undefined, scope: 'worker',
    description: 'Fixed worker identity (a UUID). Unset = read from, or create in, alluxio.worker.identity.uuid.file.path.',
  },
  {
    name: 'alluxio.worker.identity.uuid.file.path', type: 'string', default: '${alluxio.conf.dir}/worker_identity', scope: 'worker',
    description: 'File holding the worker identity: the first line not starting with #; a new UUID is written there when missing.',
  },
  {
    name: 'alluxio.worker.failure.detection.timeout', type: 'duration', default: '30s', min: 1000, scope: 'all',
    description: 'TTL of a worker\'s etcd liveness lease; a worker silent this long drops out of the hash ring.',
  },

  // ---- S3 API
  {
    name: 'alluxio.worker.s3.request.header.timeout', type: 'duration', default: '60s', min: 100, scope: 'worker',
    description: 'The S3 API closes a connection whose request line and headers have not all arrived within this (ours).',
  },
  {
    name: 'alluxio.worker.s3.request.body.timeout', type: 'duration', default: '60s', min: 100, scope: 'worker',
    description: 'The S3 API cuts a request whose body sends no byte for this long while the worker waits for one (its temp file is removed at once), and a response whose client reads no byte for this long while bytes wait for it; a slow transfer that keeps moving is not cut (ours).',
  },
  {
    name: 'alluxio.worker.s3.idle.timeout', type: 'duration', default: '65s', min: 100, scope: 'worker',
    description: 'The S3 API closes a connection with no request in progress (fresh or kept alive) after this (ours).',
  },
  {
    name: 'alluxio.worker.s3.redirect.enabled', type: 'bool', default: 'false', scope: 'worker',
    description: 'Answer a request for an object another worker owns with a 307 redirect instead of proxying it.',
  },
  {
    name: 'alluxio.worker.s3.auth.enabled', type: 'bool', default: 'false', scope: 'all',
    description: 'Verify SigV4 signatures against alluxio.worker.s3.auth.credentials.file (otherwise the access key is taken as the user name). Also turns on authentication of mutating calls on the worker REST API and the coordinator API (SigV4 or a bearer token from the same file; see docs/security.md).',
  },
  {
    name: 'alluxio.worker.s3.auth.credentials.file', type: 'string', default: undefined, scope: 'all',
    description: 'Credentials for alluxio.worker.s3.auth.enabled, one per line: accessKey:secretKey (SigV4, S3 and REST), or token <name> <value> (a bearer token for the REST and coordinator APIs, at least 16 characters). Read by workers and the coordinator.',
  },
  {
    name: 'alluxio.worker.s3.https.cert.file', type: 'string', default: undefined, scope: 'worker',
    description: 'PEM certificate for the HTTPS S3 port.',
  },
  {
    name: 'alluxio.worker.s3.https.key.file', type: 'string', default: undefined, scope: 'worker',
    description: 'PEM private key for the HTTPS S3 port.',
  },
  {
    name: 'alluxio.worker.s3.multipart.dir', type: 'string', default: undefined, scope: 'worker',
    description: 'Where parts of multipart uploads are staged until completed, private to the worker (mode 0700). Unset = state/s3-multipart in the first alluxio.worker.page.store.dirs entry.',
  },
  {
    name: 'alluxio.worker.s3.multipart.upload.expiration', type: 'duration', default: '1d', min: 1000, scope: 'worker',
    description: 'A multipart upload with no activity (no part uploaded) for this long is aborted and its staged parts removed (ours; like an S3 AbortIncompleteMultipartUpload lifecycle rule).',
  },
] as const satisfies readonly PropertySpec[];

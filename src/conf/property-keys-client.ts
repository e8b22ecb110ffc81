import type { PropertySpec } from './property-spec.js';

// Client (alluxio.user.*, alluxio.dora.client.*) and FUSE properties.

export const CLIENT_PROPERTIES = [
  // ---- worker selection (hash ring)
  {
    name: 'alluxio.user.worker.selection.policy', type: 'enum', default: 'CONSISTENT',
    values: ['CONSISTENT', 'JUMP', 'KETAMA', 'MAGLEV', 'MULTI_PROBE', 'CAPACITY'], scope: 'client',
    description: 'How a client maps a file to its worker(s). CONSISTENT is bit-exact with Alluxio\'s ring.',
  },
  {
    name: 'alluxio.user.consistent.hash.virtual.node.count.per.worker', type: 'int', default: '5', min: 1, scope: 'client',
    description: 'Virtual nodes per worker on the CONSISTENT ring.',
  },
  {
    name: 'alluxio.user.ketama.hash.replicas', type: 'int', default: '200', min: 1, scope: 'client',
    description: 'Points per worker on the KETAMA ring.',
  },
  {
    name: 'alluxio.user.maglev.hash.lookup.size', type: 'int', default: '65537', min: 1, scope: 'client',
    description: 'Size of the MAGLEV lookup table; should be a prime well above the worker count.',
  },
  {
    name: 'alluxio.user.multi.probe.hash.probe.num', type: 'int', default: '21', min: 1, scope: 'client',
    description: 'Probes per lookup for the MULTI_PROBE policy.',
  },
  {
    name: 'alluxio.user.dynamic.consistent.hash.ring.enabled', type: 'bool', default: 'true', scope: 'client',
    description: 'Build the ring from live workers only (true) or from every registered worker (false).',
  },
  {
    name: 'alluxio.user.worker.list.refresh.interval', type: 'duration', default: '2min', min: 1, scope: 'client',
    description: 'How often a client re-reads the worker list (etcd watch events refresh it sooner).',
  },

  // ---- reads, metadata, network
  {
    name: 'alluxio.dora.client.ufs.fallback.enabled', type: 'bool', default: 'true', scope: 'client',
    description: 'When every candidate worker fails, read straight from the UFS instead of failing.',
  },
  {
    name: 'alluxio.user.metadata.cache.max.size', type: 'int', default: '20000', min: 0, scope: 'client',
    description: 'Entries in the client metadata cache (0 disables it).',
  },
  {
    name: 'alluxio.user.metadata.cache.expiration.time', type: 'duration', default: '10s', min: 0, scope: 'client',
    description: 'How long a client metadata cache entry is trusted.',
  },
  {
    name: 'alluxio.user.streaming.data.read.timeout', type: 'duration', default: '30s', min: 1, scope: 'client',
    description: 'Longest wait for the next chunk of data from a worker before trying the next one.',
  },
  {
    name: 'alluxio.user.short.circuit.enabled', type: 'bool', default: 'true', scope: 'client',
    description: 'Talk to a worker on the same host over its Unix domain socket (alluxio.worker.data.server.domain.socket.address) instead of TCP, when the worker advertises one and the socket exists here.',
  },
  {
    name: 'alluxio.user.network.connect.timeout', type: 'duration', default: '5s', min: 1, scope: 'client',
    description: 'Timeout for connecting to a worker or the coordinator.',
  },
  {
    name: 'alluxio.user.auth.token.file', type: 'string', default: undefined, scope: 'all',
    description: 'File holding the bearer token a client (the CLI, FUSE, a worker calling another worker) sends to worker REST APIs when they require authentication: a line with the bare token, or a credentials-file line token <name> <value> (the first one is used). Ours; see docs/security.md.',
  },

  // ---- FUSE
  {
    name: 'alluxio.fuse.mount.point', type: 'string', default: '/mnt/alluxio-fuse', scope: 'fuse',
    description: 'Local directory the FUSE file system is mounted on.',
  },
  {
    name: 'alluxio.fuse.mount.alluxio.path', type: 'string', default: '/', scope: 'fuse',
    description: 'Alluxio path shown at the mount point.',
  },
  {
    name: 'alluxio.fuse.mount.options', type: 'list', default: 'allow_other,kernel_cache,entry_timeout=60,attr_timeout=60', scope: 'fuse',
    description: 'Comma-separated FUSE mount options.',
  },
  {
    name: 'alluxio.fuse.call.timeout', type: 'duration', default: '60s', min: 1, scope: 'fuse',
    description: 'Deadline of every FUSE call (ours): a call that has no answer by then fails (ETIMEDOUT) instead of hanging on a dead worker or UFS.',
  },
  {
    name: 'alluxio.fuse.read.chunk.size', type: 'size', default: '1MB', min: 65536, scope: 'fuse',
    description: 'Size of one FUSE read request to a worker (ours); use the workers\' page size. Sequential reads fetch the next chunks ahead.',
  },
  {
    name: 'alluxio.fuse.read.ahead.chunks', type: 'int', default: '4', min: 0, scope: 'fuse',
    description: 'Chunks one open file reads ahead of a sequential reader (ours), within alluxio.fuse.read.buffer.size.',
  },
  {
    name: 'alluxio.fuse.direct.page.read.enabled', type: 'bool', default: 'true', scope: 'fuse',
    description: 'Read cached pages straight from the page files of a worker on this host (ours): those under alluxio.worker.page.store.dirs that exist here, with alluxio.worker.page.store.page.size and ...file.buckets. A page is served only when the file\'s sidecar names the version the open file is pinned to and the page matches its checksum; anything else is read from the worker.',
  },
  {
    name: 'alluxio.fuse.kernel.read.ahead.size', type: 'size', default: '4MB', min: 0, scope: 'fuse',
    description: 'How far the kernel reads ahead of a sequential reader of the mount (ours; /sys/class/bdi/<dev>/read_ahead_kb, needs root; 0 = leave the kernel default of 128KB). With the default, a reader has about two 128 KB reads in flight and waits out each round trip to a worker.',
  },
  {
    name: 'alluxio.fuse.read.buffer.size', type: 'size', default: '128MB', min: 1048576, scope: 'fuse',
    description: 'Cap on the bytes all open files of the mount hold in read-ahead (ours); read-ahead is skipped past it, whatever the number of open files.',
  },
  {
    name: 'alluxio.fuse.write.buffer.size', type: 'size', default: '64MB', min: 1048576, scope: 'fuse',
    description: 'Cap on the bytes all files being written through the mount hold before the worker takes them (ours); a write waits past it.',
  },
  {
    name: 'alluxio.fuse.web.port', type: 'int', default: '49999', min: 0, max: 65535, scope: 'fuse',
    description: 'FUSE process web and /metrics port (0 = any free port).',
  },
] as const satisfies readonly PropertySpec[];

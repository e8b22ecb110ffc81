import type { PropertySpec } from './property-spec.js';

// General, security, coordinator, etcd, mount table and job properties.

export const CORE_PROPERTIES = [
  // ---- general
  {
    name: 'alluxio.home', type: 'string', default: undefined, dynamicDefault: 'cwd', scope: 'all',
    description: 'Installation directory. Defaults to the working directory of the process (Alluxio: /opt/alluxio); the alluxio scripts set it from ALLUXIO_HOME.',
  },
  {
    name: 'alluxio.conf.dir', type: 'string', default: '${alluxio.home}/conf', scope: 'all',
    description: 'Directory holding alluxio-site.properties, the static worker list and mount table. ALLUXIO_CONF_DIR selects it; setting it inside alluxio-site.properties has no effect.',
  },
  {
    name: 'alluxio.tmp.dirs', type: 'list', default: '/tmp', scope: 'all',
    description: 'Comma-separated directories for temporary files.',
  },
  {
    name: 'alluxio.log.dir', type: 'string', default: '${alluxio.home}/logs', scope: 'all', aliases: ['alluxio.logs.dir'],
    description: 'Directory for log files. Alluxio spells it alluxio.logs.dir, which is accepted too; ALLUXIO_LOGS_DIR sets it.',
  },
  {
    name: 'alluxio.logger.format', type: 'enum', default: 'AUTO', values: ['AUTO', 'TEXT', 'JSON'], scope: 'all',
    description: 'Log line format (ours; Alluxio configures log4j instead): TEXT is one readable line per record (local time, level name, component, message, fields), JSON one pino JSON object per line, AUTO is TEXT when standard output is a terminal and JSON otherwise (files, pipes, Kubernetes).',
  },
  {
    name: 'alluxio.cluster.name', type: 'string', default: 'DefaultAlluxioCluster', scope: 'all',
    description: 'Cluster name; namespaces the etcd keys (/DHT/<cluster>/..., /ServiceDiscovery/<cluster>/...).',
  },
  {
    name: 'alluxio.license', type: 'string', default: undefined, scope: 'all', secret: true,
    description: 'License string (base64), as issued. Optional; redacted when printed.',
  },
  {
    name: 'alluxio.security.authentication.type', type: 'enum', default: 'SIMPLE', values: ['SIMPLE', 'NOSASL', 'CUSTOM'], scope: 'all',
    description: 'Client authentication: SIMPLE takes the user name the client states, NOSASL disables authentication, CUSTOM is reserved for a plug-in provider.',
  },

  // ---- coordinator
  {
    name: 'alluxio.coordinator.hostname', type: 'string', default: 'localhost', scope: 'all',
    description: 'Host name of the coordinator, used by clients and the CLI to reach it.',
  },
  {
    name: 'alluxio.coordinator.bind.host', type: 'string', default: '0.0.0.0', scope: 'coordinator',
    description: 'Address the coordinator listens on (ours; Alluxio binds to all interfaces).',
  },
  {
    name: 'alluxio.coordinator.rpc.port', type: 'int', default: '19998', min: 0, max: 65535, scope: 'all',
    description: 'Coordinator RPC port (0 = any free port).',
  },
  {
    name: 'alluxio.coordinator.web.port', type: 'int', default: '19999', min: 0, max: 65535, scope: 'all',
    description: 'Coordinator web console, REST API (/api/v1/...) and /metrics port (0 = any free port).',
  },

  // ---- jobs (run by the coordinator)
  {
    name: 'alluxio.job.batch.size', type: 'int', default: '200', min: 1, scope: 'coordinator',
    description: 'Files handed to a worker in one load/free task (ours; a job option can override it per job).',
  },
  {
    name: 'alluxio.job.max.tasks.per.worker', type: 'int', default: '3', min: 1, scope: 'coordinator',
    description: 'Tasks of one job running at once on each worker.',
  },
  {
    name: 'alluxio.job.retries', type: 'int', default: '5', min: 0, scope: 'coordinator',
    description: 'Retries of a failed file (with exponential backoff) before a job lists it as failed.',
  },
  {
    name: 'alluxio.job.failure.percent.threshold', type: 'int', default: '5', min: 0, max: 100, scope: 'coordinator',
    description: 'A job whose failed files exceed this percentage of its files ends FAILED; at or below it the job ends SUCCEEDED and lists the failed files (ours).',
  },
  {
    name: 'alluxio.job.lease.ttl', type: 'duration', default: '10s', scope: 'coordinator',
    description: 'TTL of the etcd lease by which one coordinator holds a running job; a killed coordinator\'s jobs are resumed by another (or its restart) once it expires (ours).',
  },
  {
    name: 'alluxio.job.worker.unreachable.timeout', type: 'duration', default: '2min', scope: 'coordinator',
    description: 'How long a job keeps requeueing the tasks of a worker that does not answer (waiting for membership to drop it and the ring to name a new owner) before the files fail (ours).',
  },

  // ---- etcd
  {
    name: 'alluxio.etcd.endpoints', type: 'list', default: 'http://localhost:2379', scope: 'all',
    description: 'Comma-separated etcd client URLs (membership, mount table, job state).',
  },
  {
    name: 'alluxio.etcd.username', type: 'string', default: undefined, scope: 'all',
    description: 'etcd user name, when etcd authentication is on.',
  },
  {
    name: 'alluxio.etcd.password', type: 'string', default: undefined, scope: 'all', secret: true,
    description: 'etcd password, when etcd authentication is on. Redacted when printed.',
  },
  {
    name: 'alluxio.etcd.tls.enabled', type: 'bool', default: 'false', scope: 'all',
    description: 'Connect to etcd over TLS.',
  },
  {
    name: 'alluxio.etcd.tls.client.cert', type: 'string', default: undefined, scope: 'all',
    description: 'PEM client certificate file for etcd mutual TLS.',
  },
  {
    name: 'alluxio.etcd.tls.client.key', type: 'string', default: undefined, scope: 'all',
    description: 'PEM private key file of the etcd client certificate.',
  },
  {
    name: 'alluxio.etcd.tls.ca.cert', type: 'string', default: undefined, scope: 'all',
    description: 'PEM CA certificate file that signed the etcd server certificate (default: the system trust store).',
  },

  // ---- mount table
  {
    name: 'alluxio.mount.table.source', type: 'enum', default: 'ETCD', values: ['ETCD', 'STATIC_FILE'], scope: 'all',
    description: 'Where the mount table lives: ETCD (clusters) or STATIC_FILE (a file, for one machine).',
  },
  {
    name: 'alluxio.mount.table.static.conf.file', type: 'string', default: '${alluxio.conf.dir}/mount_table', scope: 'all',
    description: 'The mount table file when alluxio.mount.table.source=STATIC_FILE.',
  },
  {
    name: 'alluxio.master.mount.table.root.ufs', type: 'string', default: undefined, scope: 'all',
    description: 'UFS URI mounted at / (Alluxio 2.x spelling). Unset = no root mount (Alluxio defaults to ${alluxio.home}/underFSStorage).',
  },
  {
    name: 'alluxio.dora.client.ufs.root', type: 'string', default: undefined, scope: 'all',
    description: 'UFS URI mounted at / (Alluxio 3.x spelling); wins over alluxio.master.mount.table.root.ufs when both are set. Unset = no root mount.',
  },
  {
    name: 'alluxio.mount.credentials.encryption.key.file', type: 'string', default: undefined, scope: 'all',
    description: 'File holding the 32-byte AES-256-GCM key that encrypts mount credentials (options such as s3a.secretKey) in the mount table: 32 raw bytes, 64 hex characters, or base64 of 32 bytes. Every process that reads the mount table needs the same file. Unset = mounts with credentials are refused unless alluxio.mount.credentials.plaintext.allowed is true. `alluxio local start` generates one.',
  },
  {
    name: 'alluxio.mount.credentials.plaintext.allowed', type: 'bool', default: 'false', scope: 'all',
    description: 'Allow mount credentials to be stored unencrypted when no alluxio.mount.credentials.encryption.key.file is set (not recommended: anyone who can read etcd or the static mount table reads them).',
  },
  {
    name: 'alluxio.mount.check.timeout', type: 'duration', default: '10s', min: 100, scope: 'all',
    description: 'Bound on the check that `mount add` makes against a new mount\'s under-storage (one list request of its root) before storing it.',
  },
] as const satisfies readonly PropertySpec[];

import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics, type Metric } from 'prom-client';

// Every metric of every process is declared here (one home per fact); docs/metrics.md lists them
// with their Alluxio 3.x counterparts. A metric is created unregistered and a process adds only the
// groups it records into (startProcessMetrics), so a coordinator's /metrics has no worker gauges
// stuck at 0. Units are Prometheus base units (seconds, bytes), so `promtool check metrics` passes.
export const registry = new Registry();

/** Seconds: from 0.5 ms to 10 s. */
const LATENCY_BUCKETS_S = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const none: Registry[] = [];

export const metrics = {
  // ---- every process
  versionInfo: new Gauge({ name: 'alluxio_version_info', help: 'Version of this process (value 1)', labelNames: ['version', 'component'] as const, registers: none }),
  restRequests: new Counter({ name: 'alluxio_rest_requests_total', help: 'REST API requests by route and status', labelNames: ['route', 'status'] as const, registers: none }),

  // ---- worker: page store. The hit rate is cached / (cached + missed) over user reads only:
  // job loads (jobLoadedBytes) and pages taken from a peer (peerReadBytes) have their own series.
  cachedStorageBytes: new Gauge({ name: 'alluxio_cached_storage_bytes', help: 'Bytes stored in the page store', registers: none }),
  cachedCapacityBytes: new Gauge({ name: 'alluxio_cached_capacity_bytes', help: 'Usable page store capacity in bytes', registers: none }),
  cachedDataReadBytes: new Counter({ name: 'alluxio_cached_data_read_bytes_total', help: 'Bytes of user reads served from the page store (cache hits)', registers: none }),
  missedDataReadBytes: new Counter({ name: 'alluxio_missed_data_read_bytes_total', help: 'Bytes of user reads not in the page store and read from the under-storage (cache misses)', registers: none }),
  cachedEvictedBytes: new Counter({ name: 'alluxio_cached_evicted_data_bytes_total', help: 'Bytes evicted from the page store', registers: none }),
  cachedFiles: new Gauge({ name: 'alluxio_data_cached_files', help: 'Files with at least one cached page', registers: none }),
  cachedPages: new Gauge({ name: 'alluxio_data_cached_pages', help: 'Pages in the page store', registers: none }),
  skippedPages: new Counter({ name: 'alluxio_cached_skipped_pages_total', help: 'Pages served from the UFS but not cached because too many page writes were pending', registers: none }),
  corruptPages: new Counter({ name: 'alluxio_cached_corrupt_pages_total', help: 'Pages dropped because their checksum failed', registers: none }),
  stalePages: new Counter({ name: 'alluxio_cached_stale_pages_total', help: 'Pages dropped because the UFS version changed', registers: none }),
  // ---- worker: 2.x tiered store levels (pagestore/tiered-page-store.ts)
  tierPageHits: new Counter({ name: 'alluxio_cached_tier_page_hits_total', help: 'Pages served by each level of a 2.x tiered store (alluxio.worker.tieredstore.*)', labelNames: ['tier'] as const, registers: none }),
  tierPromotions: new Counter({ name: 'alluxio_cached_tier_promotions_total', help: 'Pages copied up to a level of the tiered store after repeated reads below it', labelNames: ['tier'] as const, registers: none }),
  // ---- worker: short-circuit (worker/domain-socket.ts)
  domainSocketBytes: new Counter({ name: 'alluxio_worker_bytes_read_domain_total', help: 'Bytes of answers the worker sent over its Unix domain socket (short-circuit; Alluxio 2.x Cluster.BytesReadDomain)', registers: none }),
  shortCircuitPageBytes: new Counter({ name: 'alluxio_worker_bytes_read_short_circuit_total', help: 'Bytes of this worker\'s page files that clients on its host read themselves (short-circuit page reads, as the clients report them over the domain socket)', registers: none }),
  // ---- worker: pages moved between workers after a ring change (worker/peer-page-source.ts)
  peerReadBytes: new Counter({ name: 'alluxio_peer_page_read_bytes_total', help: 'Bytes of pages fetched from the previous owner instead of the UFS after a ring change (not counted as hits or misses)', registers: none }),
  peerServedBytes: new Counter({ name: 'alluxio_peer_page_served_bytes_total', help: 'Bytes of cached pages served to workers that took over a key after a ring change', registers: none }),
  // ---- worker: S3 API
  s3ApiLatency: new Histogram({ name: 'alluxio_s3_api_call_latency_seconds', help: 'S3 API call latency by operation', labelNames: ['op'] as const, buckets: LATENCY_BUCKETS_S, registers: none }),
  s3BytesServed: new Counter({ name: 'alluxio_s3_api_bytes_served_total', help: 'Object bytes sent by the S3 API (GetObject)', registers: none }),
  s3BytesReceived: new Counter({ name: 'alluxio_s3_api_bytes_received_total', help: 'Object bytes received by the S3 API (PutObject, UploadPart)', registers: none }),
  s3Errors: new Counter({ name: 'alluxio_s3_api_errors_total', help: 'S3 API error responses by S3 error code', labelNames: ['code'] as const, registers: none }),
  s3Forwarded: new Counter({ name: 'alluxio_s3_api_forwarded_total', help: 'S3 requests for keys another worker owns, by how they were forwarded', labelNames: ['mode'] as const, registers: none }),
  // ---- worker: job tasks. Bytes a load brings into the cache are counted here, not as missed reads.
  jobLoadedBytes: new Counter({ name: 'alluxio_job_loaded_bytes_total', help: 'Bytes load jobs read from the under-storage into this worker\'s cache (not counted as missed reads)', registers: none }),
  jobTaskFiles: new Counter({ name: 'alluxio_job_task_files_total', help: 'Files handled by job tasks on this worker', labelNames: ['type', 'result'] as const, registers: none }),

  // ---- worker and FUSE (both read the under-storage; FUSE through its client's fallback)
  ufsDataAccessBytes: new Counter({ name: 'alluxio_ufs_data_access_bytes_total', help: 'Bytes read from the under-storage', labelNames: ['ufs'] as const, registers: none }),
  ufsLatency: new Histogram({ name: 'alluxio_ufs_latency_seconds', help: 'Under-storage call latency by operation', labelNames: ['op', 'ufs'] as const, buckets: LATENCY_BUCKETS_S, registers: none }),
  ufsErrors: new Counter({ name: 'alluxio_ufs_errors_total', help: 'Failed under-storage calls after retries', labelNames: ['op', 'ufs'] as const, registers: none }),
  clientReadFailover: new Counter({ name: 'alluxio_client_read_failover_total', help: 'Client reads moved to the next worker of the ring (the next replica) because a worker failed or was busy', registers: none }),
  clientUfsFallback: new Counter({ name: 'alluxio_client_ufs_fallback_total', help: 'Client reads served directly from the UFS because no worker could', registers: none }),
  clientShortCircuitBytes: new Counter({ name: 'alluxio_client_short_circuit_read_bytes_total', help: 'Bytes the client read itself from page files of a worker on its host (short-circuit, each page checked against the sidecar version and CRC)', registers: none }),

  // ---- FUSE
  fuseLatency: new Histogram({ name: 'alluxio_fuse_call_latency_seconds', help: 'FUSE call latency by operation', labelNames: ['op'] as const, buckets: LATENCY_BUCKETS_S, registers: none }),
  fuseBytes: new Counter({ name: 'alluxio_fuse_bytes_total', help: 'Bytes read or written through the FUSE mount', labelNames: ['op'] as const, registers: none }),
  fuseErrors: new Counter({ name: 'alluxio_fuse_errors_total', help: 'FUSE calls answered with an error, by operation and errno', labelNames: ['op', 'errno'] as const, registers: none }),
  fuseDirectReadBytes: new Counter({ name: 'alluxio_fuse_direct_read_bytes_total', help: 'Bytes the FUSE process read from page files of a worker on its host (checked against the page checksum), without a request to the worker', registers: none }),
  fuseBufferedBytes: new Gauge({ name: 'alluxio_fuse_buffered_bytes', help: 'Bytes held by FUSE read-ahead and write buffers (capped by alluxio.fuse.read.buffer.size and alluxio.fuse.write.buffer.size)', labelNames: ['kind'] as const, registers: none }),

  // ---- coordinator: jobs (per job type load|free)
  activeJobs: new Gauge({ name: 'alluxio_active_job_count', help: 'Running jobs', labelNames: ['type'] as const, registers: none }),
  jobFiles: new Counter({ name: 'alluxio_job_files_total', help: 'Files processed by jobs (coordinator)', labelNames: ['type', 'result'] as const, registers: none }),
  jobBytes: new Counter({ name: 'alluxio_job_bytes_total', help: 'Bytes of the files jobs processed successfully (coordinator)', labelNames: ['type'] as const, registers: none }),
  jobDuration: new Histogram({ name: 'alluxio_job_duration_seconds', help: 'Duration of finished jobs (coordinator)', labelNames: ['type', 'state'] as const, buckets: [1, 5, 15, 60, 300, 900, 3600, 14400], registers: none }),
};

export type ProcessComponent = 'worker' | 'coordinator' | 'fuse';

const m = metrics;
const UFS_GROUP: Metric[] = [m.ufsDataAccessBytes, m.ufsLatency, m.ufsErrors, m.clientReadFailover, m.clientUfsFallback, m.clientShortCircuitBytes];

/** Which metrics each kind of process exports (besides versionInfo, restRequests and Node's process metrics). */
export const PROCESS_METRICS: Readonly<Record<ProcessComponent, readonly Metric[]>> = {
  worker: [
    m.cachedStorageBytes, m.cachedCapacityBytes, m.cachedDataReadBytes, m.missedDataReadBytes, m.cachedEvictedBytes,
    m.cachedFiles, m.cachedPages, m.skippedPages, m.corruptPages, m.stalePages, m.peerReadBytes, m.peerServedBytes,
    m.s3ApiLatency, m.s3BytesServed, m.s3BytesReceived, m.s3Errors, m.s3Forwarded, m.jobLoadedBytes, m.jobTaskFiles,
    m.tierPageHits, m.tierPromotions, m.domainSocketBytes, m.shortCircuitPageBytes,
    ...UFS_GROUP,
  ],
  fuse: [m.fuseLatency, m.fuseBytes, m.fuseErrors, m.fuseDirectReadBytes, m.fuseBufferedBytes, ...UFS_GROUP],
  // The coordinator lists the UFS for jobs: its UFS calls are timed too (labelled, so nothing shows until one happens).
  coordinator: [m.activeJobs, m.jobFiles, m.jobBytes, m.jobDuration, m.ufsLatency, m.ufsErrors],
};

const COMMON: Metric[] = [m.versionInfo, m.restRequests];
let defaultsStarted = false;

/**
 * Registers Node's process metrics and the metrics of `component` on this process's registry.
 * Callable more than once (tests run a worker and a coordinator in one process: the union is exported).
 */
export function startProcessMetrics(component: ProcessComponent): void {
  if (!defaultsStarted) {
    defaultsStarted = true;
    collectDefaultMetrics({ register: registry });
    // prom-client names three gauges *_total, which promtool rejects: only the unsuffixed twins stay.
    for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) registry.removeSingleMetric(name);
  }
  for (const metric of [...COMMON, ...PROCESS_METRICS[component]]) {
    const name = (metric as unknown as { name: string }).name;
    if (registry.getSingleMetric(name) === undefined) registry.registerMetric(metric);
  }
}

import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

// One registry per process; every module records into the metric objects below, and each
// process exposes the registry at /metrics on its web port. Names follow DESIGN.md §10.
export const registry = new Registry();
let defaultsStarted = false;

export function startProcessMetrics(): void {
  if (defaultsStarted) return;
  defaultsStarted = true;
  collectDefaultMetrics({ register: registry });
}

const LATENCY_BUCKETS_MS = [0.5, 1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];

export const metrics = {
  cachedStorageBytes: new Gauge({ name: 'alluxio_cached_storage_bytes', help: 'Bytes stored in the page store', registers: [registry] }),
  cachedCapacityBytes: new Gauge({ name: 'alluxio_cached_capacity_bytes', help: 'Usable page store capacity in bytes', registers: [registry] }),
  cachedDataReadBytes: new Counter({ name: 'alluxio_cached_data_read_bytes_total', help: 'Bytes served from the page store', registers: [registry] }),
  missedDataReadBytes: new Counter({ name: 'alluxio_missed_data_read_bytes_total', help: 'Bytes requested that were not in the page store', registers: [registry] }),
  cachedEvictedBytes: new Counter({ name: 'alluxio_cached_evicted_data_bytes_total', help: 'Bytes evicted from the page store', registers: [registry] }),
  cachedFiles: new Gauge({ name: 'alluxio_data_cached_files', help: 'Files with at least one cached page', registers: [registry] }),
  cachedPages: new Gauge({ name: 'alluxio_data_cached_pages', help: 'Pages in the page store', registers: [registry] }),
  skippedPages: new Counter({ name: 'alluxio_cached_skipped_pages_total', help: 'Pages served from the UFS but not cached because too many page writes were pending', registers: [registry] }),
  corruptPages: new Counter({ name: 'alluxio_cached_corrupt_pages_total', help: 'Pages dropped because their checksum failed', registers: [registry] }),
  stalePages: new Counter({ name: 'alluxio_cached_stale_pages_total', help: 'Pages dropped because the UFS version changed', registers: [registry] }),
  ufsDataAccessBytes: new Counter({ name: 'alluxio_ufs_data_access_bytes_total', help: 'Bytes read from the under-storage', labelNames: ['ufs'] as const, registers: [registry] }),
  ufsLatency: new Histogram({ name: 'alluxio_ufs_latency_ms', help: 'Under-storage call latency', labelNames: ['op', 'ufs'] as const, buckets: LATENCY_BUCKETS_MS, registers: [registry] }),
  ufsErrors: new Counter({ name: 'alluxio_ufs_errors_total', help: 'Failed under-storage calls after retries', labelNames: ['op', 'ufs'] as const, registers: [registry] }),
  s3ApiLatency: new Histogram({ name: 'alluxio_s3_api_call_latency_ms', help: 'S3 API call latency', labelNames: ['op'] as const, buckets: LATENCY_BUCKETS_MS, registers: [registry] }),
  fuseLatency: new Histogram({ name: 'alluxio_fuse_call_latency_ms', help: 'FUSE call latency', labelNames: ['op'] as const, buckets: LATENCY_BUCKETS_MS, registers: [registry] }),
  fuseBytes: new Counter({ name: 'alluxio_fuse_bytes_total', help: 'Bytes read or written through the FUSE mount', labelNames: ['op'] as const, registers: [registry] }),
  fuseErrors: new Counter({ name: 'alluxio_fuse_errors_total', help: 'FUSE calls answered with an error, by operation and errno', labelNames: ['op', 'errno'] as const, registers: [registry] }),
  fuseBufferedBytes: new Gauge({ name: 'alluxio_fuse_buffered_bytes', help: 'Bytes held by FUSE read-ahead and write buffers (capped by alluxio.fuse.read.buffer.size and alluxio.fuse.write.buffer.size)', labelNames: ['kind'] as const, registers: [registry] }),
  activeJobs: new Gauge({ name: 'alluxio_active_job_count', help: 'Running jobs', labelNames: ['type'] as const, registers: [registry] }),
  // Jobs (coordinator: per job type load|free) and their worker-side tasks. Bytes a load job brings
  // into a worker's cache are counted here, not as missed reads: the hit rate stays one of user reads.
  jobFiles: new Counter({ name: 'alluxio_job_files_total', help: 'Files processed by jobs (coordinator)', labelNames: ['type', 'result'] as const, registers: [registry] }),
  jobBytes: new Counter({ name: 'alluxio_job_bytes_total', help: 'Bytes of the files jobs processed successfully (coordinator)', labelNames: ['type'] as const, registers: [registry] }),
  jobDuration: new Histogram({ name: 'alluxio_job_duration_seconds', help: 'Duration of finished jobs (coordinator)', labelNames: ['type', 'state'] as const, buckets: [1, 5, 15, 60, 300, 900, 3600, 14400], registers: [registry] }),
  jobLoadedBytes: new Counter({ name: 'alluxio_job_loaded_bytes_total', help: 'Bytes load jobs read from the under-storage into this worker\'s cache (not counted as missed reads)', registers: [registry] }),
  jobTaskFiles: new Counter({ name: 'alluxio_job_task_files_total', help: 'Files handled by job tasks on this worker', labelNames: ['type', 'result'] as const, registers: [registry] }),
  versionInfo: new Gauge({ name: 'alluxio_version_info', help: 'Version of this process', labelNames: ['version', 'component'] as const, registers: [registry] }),
  clientReadFailover: new Counter({ name: 'alluxio_client_read_failover_total', help: 'Client reads moved to the next worker of the ring (the next replica) because a worker failed or was busy', registers: [registry] }),
  clientUfsFallback: new Counter({ name: 'alluxio_client_ufs_fallback_total', help: 'Client reads served directly from the UFS because no worker could', registers: [registry] }),
  restRequests: new Counter({ name: 'alluxio_rest_requests_total', help: 'REST API requests by route and status', labelNames: ['route', 'status'] as const, registers: [registry] }),
};

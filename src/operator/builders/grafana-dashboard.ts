// The Alluxio Grafana dashboard: rows Cluster, Fuse, S3, Worker, UFS, Job, Process, ETCD
// over the metric names of DESIGN.md §10. Built in code so each query names a real metric.

interface PanelSpec { title: string; expr: string[]; unit: string }

export const DASHBOARD_ROWS: readonly { title: string; panels: PanelSpec[] }[] = [
  { title: 'Cluster', panels: [
    { title: 'Cache hit rate', unit: 'percentunit', expr: [
      'sum(rate(alluxio_cached_data_read_bytes_total[5m])) / (sum(rate(alluxio_cached_data_read_bytes_total[5m])) + sum(rate(alluxio_missed_data_read_bytes_total[5m])))'] },
    { title: 'Cache used / capacity', unit: 'bytes', expr: ['sum(alluxio_cached_storage_bytes)', 'sum(alluxio_cached_capacity_bytes)'] },
    { title: 'Live workers', unit: 'short', expr: ['count(up{job="alluxio-worker"} == 1)'] },
    { title: 'Version', unit: 'short', expr: ['count by (version, component) (alluxio_version_info)'] },
  ] },
  { title: 'Fuse', panels: [
    { title: 'FUSE calls per second', unit: 'ops', expr: ['sum by (op) (rate(alluxio_fuse_call_latency_seconds_count[5m]))'] },
    { title: 'FUSE call latency p99', unit: 's', expr: ['histogram_quantile(0.99, sum by (le, op) (rate(alluxio_fuse_call_latency_seconds_bucket[5m])))'] },
  ] },
  { title: 'S3', panels: [
    { title: 'S3 API calls per second', unit: 'ops', expr: ['sum by (op) (rate(alluxio_s3_api_call_latency_seconds_count[5m]))'] },
    { title: 'S3 API latency p99', unit: 's', expr: ['histogram_quantile(0.99, sum by (le, op) (rate(alluxio_s3_api_call_latency_seconds_bucket[5m])))'] },
  ] },
  { title: 'Worker', panels: [
    { title: 'Cached bytes per worker', unit: 'bytes', expr: ['alluxio_cached_storage_bytes'] },
    { title: 'Read throughput: cache hit / miss', unit: 'Bps', expr: ['sum(rate(alluxio_cached_data_read_bytes_total[5m]))', 'sum(rate(alluxio_missed_data_read_bytes_total[5m]))'] },
    { title: 'Evicted bytes per second', unit: 'Bps', expr: ['sum(rate(alluxio_cached_evicted_data_bytes_total[5m]))'] },
    { title: 'Cached files and pages', unit: 'short', expr: ['sum(alluxio_data_cached_files)', 'sum(alluxio_data_cached_pages)'] },
  ] },
  { title: 'UFS', panels: [
    { title: 'UFS read throughput', unit: 'Bps', expr: ['sum by (ufs) (rate(alluxio_ufs_data_access_bytes_total[5m]))'] },
    { title: 'UFS latency p99', unit: 's', expr: ['histogram_quantile(0.99, sum by (le, op) (rate(alluxio_ufs_latency_seconds_bucket[5m])))'] },
    { title: 'Client UFS fallbacks', unit: 'ops', expr: ['sum(rate(alluxio_client_ufs_fallback_total[5m]))'] },
  ] },
  { title: 'Job', panels: [
    { title: 'Active jobs', unit: 'short', expr: ['sum by (type) (alluxio_active_job_count)'] },
  ] },
  { title: 'Process', panels: [
    { title: 'CPU', unit: 'percentunit', expr: ['rate(process_cpu_seconds_total{job=~"alluxio-.*"}[5m])'] },
    { title: 'Resident memory', unit: 'bytes', expr: ['process_resident_memory_bytes{job=~"alluxio-.*"}'] },
    { title: 'Event loop lag', unit: 's', expr: ['nodejs_eventloop_lag_seconds{job=~"alluxio-.*"}'] },
  ] },
  { title: 'ETCD', panels: [
    { title: 'Has leader', unit: 'short', expr: ['etcd_server_has_leader'] },
    { title: 'DB size', unit: 'bytes', expr: ['etcd_mvcc_db_total_size_in_bytes'] },
    { title: 'Leader changes', unit: 'short', expr: ['increase(etcd_server_leader_changes_seen_total[1h])'] },
  ] },
];

export function buildDashboard(): Record<string, unknown> {
  const panels: Record<string, unknown>[] = [];
  let id = 1;
  let y = 0;
  for (const row of DASHBOARD_ROWS) {
    panels.push({ id: id++, type: 'row', title: row.title, collapsed: false, gridPos: { h: 1, w: 24, x: 0, y: y++ }, panels: [] });
    row.panels.forEach((p, i) => {
      panels.push({
        id: id++,
        type: 'timeseries',
        title: p.title,
        datasource: { type: 'prometheus', uid: 'prometheus' },
        fieldConfig: { defaults: { unit: p.unit }, overrides: [] },
        gridPos: { h: 8, w: 12, x: (i % 2) * 12, y: y + Math.floor(i / 2) * 8 },
        targets: p.expr.map((expr, j) => ({ refId: String.fromCharCode(65 + j), expr, datasource: { type: 'prometheus', uid: 'prometheus' } })),
      });
    });
    y += Math.ceil(row.panels.length / 2) * 8;
  }
  return {
    uid: 'alluxio-ts', title: 'Alluxio', tags: ['alluxio'], timezone: 'browser', schemaVersion: 39, version: 1,
    refresh: '30s', time: { from: 'now-1h', to: 'now' }, panels,
  };
}

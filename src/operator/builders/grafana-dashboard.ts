import { readFileSync } from 'node:fs';

// The Grafana dashboard (rows Cluster, Fuse, S3, Worker, UFS, Job, Process, ETCD) lives in one
// importable file, deploy/grafana/alluxio-dashboard.json; the operator's ConfigMap carries it as is.
// Same relative place from src/, dist/ and the image's lib/ (the Dockerfile copies deploy/grafana).
export const DASHBOARD_FILE = new URL('../../../deploy/grafana/alluxio-dashboard.json', import.meta.url);

let cached: string | undefined;

/** The dashboard JSON text, read once. */
export function dashboardJson(): string {
  cached ??= readFileSync(DASHBOARD_FILE, 'utf8');
  return cached;
}

import { Counter } from 'prom-client';
import { metrics, registry } from '../../common/metrics.js';

// S3 API metrics beside alluxio_s3_api_call_latency_ms (common/metrics.ts): bytes served and
// errors by S3 code, on the process registry.

export const s3Metrics = {
  latency: metrics.s3ApiLatency,
  bytesServed: new Counter({ name: 'alluxio_s3_api_bytes_served_total', help: 'Object bytes sent by the S3 API (GetObject)', registers: [registry] }),
  bytesReceived: new Counter({ name: 'alluxio_s3_api_bytes_received_total', help: 'Object bytes received by the S3 API (PutObject, UploadPart)', registers: [registry] }),
  errors: new Counter({ name: 'alluxio_s3_api_errors_total', help: 'S3 API error responses by S3 error code', labelNames: ['code'] as const, registers: [registry] }),
  proxied: new Counter({ name: 'alluxio_s3_api_forwarded_total', help: 'S3 requests for keys another worker owns, by how they were forwarded', labelNames: ['mode'] as const, registers: [registry] }),
};

const latencyByOp = new Map<string, { observe(v: number): void }>();

/** Records one call's latency (the labelled child is looked up once per operation name). */
export function observeLatency(op: string, ms: number): void {
  let h = latencyByOp.get(op);
  if (h === undefined) {
    h = metrics.s3ApiLatency.labels(op);
    latencyByOp.set(op, h);
  }
  h.observe(ms);
}

import { metrics } from '../../common/metrics.js';

// The S3 API's metrics (declared in common/metrics.ts) under short names for the S3 code.

export const s3Metrics = {
  latency: metrics.s3ApiLatency,
  bytesServed: metrics.s3BytesServed,
  bytesReceived: metrics.s3BytesReceived,
  errors: metrics.s3Errors,
  proxied: metrics.s3Forwarded,
};

const latencyByOp = new Map<string, { observe(v: number): void }>();

/** Records one call's latency in ms (the labelled child is looked up once per operation name). */
export function observeLatency(op: string, ms: number): void {
  let h = latencyByOp.get(op);
  if (h === undefined) {
    h = metrics.s3ApiLatency.labels(op);
    latencyByOp.set(op, h);
  }
  h.observe(ms / 1000);
}

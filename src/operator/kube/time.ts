// Kubernetes time formats. metav1.Time is RFC 3339 in seconds; metav1.MicroTime (Lease
// acquireTime/renewTime, Event eventTime) is parsed with the Go layout
// 2006-01-02T15:04:05.000000Z07:00: exactly six fractional digits, or the API server answers 400.

export const MICRO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}(Z|[+-]\d{2}:\d{2})$/;

/** A Date as metav1.MicroTime. (toISOString() has three fractional digits: a 400 on a real server.) */
export function microTime(d: Date): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

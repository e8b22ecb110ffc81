import type { IncomingMessage } from 'node:http';

// Hop-by-hop headers describe one connection, so a proxy does not pass them on as they are (undici
// frames the body itself and refuses Expect and Transfer-Encoding). But SigV4 clients may sign
// them (botocore and aws-sdk-go sign every header but a few), and the owner worker checks the
// signature itself. So the forwarding worker sends their values in SIGNED_HOP_HEADER and the owner
// reads them from there when it rebuilds the canonical request. Trusting that header gains a
// client nothing: it only restates connection-level values the client signed itself, and the
// signature must still verify with the client's own secret.

export const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'expect']);

/** Carries the received hop-by-hop headers to the owner (query-string encoded name=value pairs). */
export const SIGNED_HOP_HEADER = 'x-alluxio-s3-hop-headers';

/** The SIGNED_HOP_HEADER value for a request being forwarded, or undefined when it has no hop-by-hop headers. */
export function hopHeadersOf(req: IncomingMessage): string | undefined {
  let out: URLSearchParams | undefined;
  for (const name of HOP_BY_HOP) {
    const v = req.headers[name];
    if (v === undefined) continue;
    out ??= new URLSearchParams();
    out.set(name, Array.isArray(v) ? v.join(',') : v);
  }
  return out?.toString();
}

/**
 * The value of a signed header as the client sent it: for a hop-by-hop header of a forwarded
 * request, the one the forwarding worker received; otherwise the request's own.
 */
export function signedHeaderValue(req: IncomingMessage, name: string, hop: URLSearchParams | undefined): string {
  if (hop !== undefined && HOP_BY_HOP.has(name)) return hop.get(name) ?? '';
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(',') : (v ?? '');
}

/** The hop-by-hop values a forwarding worker sent with the request, if any. */
export function forwardedHopHeaders(req: IncomingMessage): URLSearchParams | undefined {
  const v = req.headers[SIGNED_HOP_HEADER];
  return typeof v === 'string' ? new URLSearchParams(v) : undefined;
}

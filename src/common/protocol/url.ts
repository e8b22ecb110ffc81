// URLs of the cluster's HTTP APIs, built in one place: an IPv6 host is bracketed, route
// parameters and query values are percent-encoded (a name may hold spaces, %, #, ? or any
// Unicode), and the result parses back to exactly the values given.
import { AlluxioError } from '../errors.js';

/** A query: undefined values are left out. */
export type Query = Readonly<Record<string, string | number | boolean | undefined>>;

/** `host:port`, with an IPv6 literal in brackets (`[::1]:28080`). */
export function hostPort(host: string, port: number): string {
  return `${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${port}`;
}

/**
 * The host and port of `host:port` or `[ipv6]:port` (hostPort() read back; the host unbracketed),
 * or undefined when text is neither or the port is not 1..65535.
 */
export function parseHostPort(text: string): { host: string; port: number } | undefined {
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:\s[\]]+)):(\d{1,5})$/.exec(text);
  const port = Number(m?.[3]);
  return m && port >= 1 && port <= 65535 ? { host: m[1] ?? m[2]!, port } : undefined;
}

/** `http://host:port` (IPv6 bracketed). */
export function httpOrigin(host: string, port: number, scheme: 'http' | 'https' = 'http'): string {
  return `${scheme}://${hostPort(host, port)}`;
}

/** A route template with each `{name}` replaced by its percent-encoded value. */
export function routePath(route: string, params: Readonly<Record<string, string | number>> = {}): string {
  return route.replace(/\{(\w+)\}/g, (_m, name: string) => {
    const v = params[name];
    if (v === undefined) throw new AlluxioError('ALX_ERR_INTERNAL', `route ${route}: no value for {${name}}`);
    return encodeURIComponent(String(v));
  });
}

/** `?k=v&...` with keys and values percent-encoded, or '' when nothing is left. */
export function queryString(query: Query = {}): string {
  let out = '';
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined) continue;
    out += `${out ? '&' : '?'}${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`;
  }
  return out;
}

/** origin + route (parameters filled) + query. */
export function buildUrl(origin: string, route: string, o: { params?: Readonly<Record<string, string | number>>; query?: Query } = {}): string {
  return `${origin}${routePath(route, o.params)}${queryString(o.query)}`;
}

// The coordinator's mount REST API (POST/DELETE/GET /api/v1/mount), behind an interface so
// tests run the UnderFileSystem reconciler against a fake coordinator. With authentication on
// (the default in Kubernetes) mount add/remove need a bearer token: the operator's, from the
// Secret <cluster>-s3-credentials. The token is sent, never logged or put in an error.
import { buildUrl, COORDINATOR_REST, PARAM } from '../../common/protocol/index.js';

export interface MountEntry { path: string; ufs: string; options?: Record<string, string> }

export class CoordinatorError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
    this.name = 'CoordinatorError';
  }
}

/** A coordinator: its base URL and the bearer token to send (none when authentication is off). */
export interface CoordinatorTarget { url: string; token?: string }

export interface MountClient {
  list(to: CoordinatorTarget): Promise<MountEntry[]>;
  add(to: CoordinatorTarget, m: { path: string; ufs: string; options: Record<string, string> }): Promise<void>;
  remove(to: CoordinatorTarget, path: string): Promise<void>;
}

export function headers(to: CoordinatorTarget, extra: Record<string, string> = {}): Record<string, string> {
  return to.token ? { ...extra, authorization: `Bearer ${to.token}` } : extra;
}

/** One JSON call; a non-2xx answer is a CoordinatorError with the coordinator's code and message. */
export async function call(url: string, init: RequestInit, timeoutMs: number): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    throw new CoordinatorError(0, 'ALX_ERR_UNAVAILABLE', `coordinator at ${new URL(url).origin} is unreachable: ${(err as Error).message}`);
  }
  const text = await res.text();
  let body: unknown;
  try { body = text ? JSON.parse(text) : undefined; } catch { body = undefined; }
  if (!res.ok) {
    const b = (body ?? {}) as { code?: string; message?: string };
    throw new CoordinatorError(res.status, b.code ?? `HTTP_${res.status}`, b.message ?? (text.slice(0, 500) || res.statusText));
  }
  return body;
}

/** Any error of a coordinator call as a CoordinatorError; one that is not (fetch, DNS...) means no answer. */
export function toCoordinatorError(err: unknown): CoordinatorError {
  return err instanceof CoordinatorError ? err : new CoordinatorError(0, 'ALX_ERR_UNAVAILABLE', (err as Error).message);
}

/** No answer, or a server-side failure worth retrying (501 is a refusal: the option is not supported). */
export function isUnreachable(e: CoordinatorError): boolean {
  return e.status === 0 || (e.status >= 500 && e.status !== 501);
}

/**
 * What a controller tells the user about a failed coordinator call, the same for every controller:
 * "could not <what>: <why>" when it did not answer, "the coordinator refused to <what>: <code>:
 * <message>" when it refused. Every secret value is scrubbed from it (errors may echo them).
 */
export function coordinatorMessage(what: string, err: unknown, secrets: string[] = []): string {
  const e = toCoordinatorError(err);
  return scrub(isUnreachable(e) ? `could not ${what}: ${e.message}` : `the coordinator refused to ${what}: ${e.code}: ${e.message}`, secrets);
}

export class HttpMountClient implements MountClient {
  constructor(private readonly timeoutMs = 30_000) {}

  async list(to: CoordinatorTarget): Promise<MountEntry[]> {
    const body = await call(buildUrl(to.url, COORDINATOR_REST.mount), { method: 'GET', headers: headers(to) }, this.timeoutMs);
    return Array.isArray(body) ? body as MountEntry[] : [];
  }

  async add(to: CoordinatorTarget, m: { path: string; ufs: string; options: Record<string, string> }): Promise<void> {
    await call(buildUrl(to.url, COORDINATOR_REST.mount), {
      method: 'POST', headers: headers(to, { 'content-type': 'application/json' }), body: JSON.stringify(m),
    }, this.timeoutMs);
  }

  async remove(to: CoordinatorTarget, path: string): Promise<void> {
    await call(buildUrl(to.url, COORDINATOR_REST.mount, { query: { [PARAM.path]: path } }), { method: 'DELETE', headers: headers(to) }, this.timeoutMs);
  }
}

/** Replaces every secret value in a text (coordinator errors may echo what they were sent). */
export function scrub(text: string, secrets: string[]): string {
  let out = text;
  for (const s of secrets.filter((x) => x.length >= 4).sort((a, b) => b.length - a.length)) out = out.split(s).join('***');
  return out;
}

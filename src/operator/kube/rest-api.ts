import { KubeConfig } from '@kubernetes/client-node';
import { Agent, request, type Dispatcher } from 'undici';
import { resourceInfo, resourcePath } from './resources.js';
import {
  KubeApiError, type ApplyOptions, type KubeApi, type KubeObject, type ListOptions, type ObjectList, type ObjectRef,
  type WatchEvent, type WatchHandle,
} from './types.js';

// KubeApi over a real API server. The kubeconfig (in-cluster service account, $KUBECONFIG or
// ~/.kube/config) is read by @kubernetes/client-node, which also yields the TLS material and the
// auth header; requests go through undici. Server-side apply is a PATCH with
// Content-Type application/apply-patch+yaml and a fieldManager, the body JSON (a subset of YAML:
// the server decodes YAML 1.1, where an unquoted on/yes/12:30 would not be the string we mean);
// status goes to /status as a merge patch. Tested against a wire-protocol server:
// test/operator/rest-api-wire.test.ts.

const selector = (l: Record<string, string> | undefined) =>
  l && Object.keys(l).length ? Object.entries(l).map(([k, v]) => `${k}=${v}`).join(',') : undefined;

/** A failed response as KubeApiError: the metav1.Status's reason and message, or the raw body (a proxy's HTML page). */
function statusError(code: number, text: string): KubeApiError {
  let st: { reason?: string; message?: string } | undefined;
  try { st = JSON.parse(text); } catch { /* not a Status */ }
  return new KubeApiError(code, st?.reason ?? 'Error', st?.message ?? (text.slice(0, 500) || `HTTP ${code}`));
}

export class RestKubeApi implements KubeApi {
  private readonly kc: KubeConfig;
  private agent?: Agent;
  private headers: Record<string, string> = {};
  private server = '';

  constructor(kc?: KubeConfig) {
    this.kc = kc ?? (() => { const k = new KubeConfig(); k.loadFromDefault(); return k; })();
  }

  static fromDefault(): RestKubeApi { return new RestKubeApi(); }

  /** The current cluster's server URL, or undefined when the kubeconfig has none. */
  serverUrl(): string | undefined { return this.kc.getCurrentCluster()?.server; }

  private async prepare(): Promise<void> {
    const cluster = this.kc.getCurrentCluster();
    if (!cluster) throw new KubeApiError(0, 'NoCluster', 'no current cluster in the kubeconfig (set KUBECONFIG or run in a pod)');
    const opts: Record<string, unknown> = { headers: {} };
    await this.kc.applyToHTTPSOptions(opts as never);
    this.server = cluster.server.replace(/\/+$/, '');
    this.headers = { ...(opts.headers as Record<string, string>) };
    if (!this.agent) {
      this.agent = new Agent({ connect: {
        ca: opts.ca as string | undefined, cert: opts.cert as string | undefined, key: opts.key as string | undefined,
        rejectUnauthorized: opts.rejectUnauthorized !== false,
      } });
    }
  }

  private async call(method: Dispatcher.HttpMethod, path: string, query: Record<string, string | undefined> = {}, body?: string, contentType = 'application/json'): Promise<any> {
    await this.prepare();
    const qs = Object.entries(query).filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${encodeURIComponent(v!)}`).join('&');
    const res = await request(`${this.server}${path}${qs ? `?${qs}` : ''}`, {
      method, dispatcher: this.agent, body,
      headers: { ...this.headers, accept: 'application/json', ...(body !== undefined ? { 'content-type': contentType } : {}) },
    });
    const text = await res.body.text();
    if (res.statusCode >= 400) throw statusError(res.statusCode, text);
    return text ? JSON.parse(text) : undefined;
  }

  async get(ref: ObjectRef): Promise<KubeObject | undefined> {
    try {
      return await this.call('GET', resourcePath(resourceInfo(ref.apiVersion, ref.kind), ref.namespace, ref.name));
    } catch (e) {
      if (e instanceof KubeApiError && e.code === 404) return undefined;
      throw e;
    }
  }

  async list(apiVersion: string, kind: string, opts: ListOptions = {}): Promise<ObjectList> {
    const r = await this.call('GET', resourcePath(resourceInfo(apiVersion, kind), opts.namespace), { labelSelector: selector(opts.labelSelector) });
    return { items: (r.items ?? []).map((o: KubeObject) => ({ ...o, apiVersion, kind })), resourceVersion: r.metadata?.resourceVersion ?? '' };
  }

  async watch(apiVersion: string, kind: string, opts: ListOptions & { resourceVersion?: string },
    onEvent: (e: WatchEvent) => void, onDone: (err?: KubeApiError) => void): Promise<WatchHandle> {
    await this.prepare();
    const ac = new AbortController();
    const path = resourcePath(resourceInfo(apiVersion, kind), opts.namespace);
    const q = new URLSearchParams({ watch: '1', timeoutSeconds: '300', allowWatchBookmarks: 'true' });
    if (opts.resourceVersion) q.set('resourceVersion', opts.resourceVersion);
    const sel = selector(opts.labelSelector);
    if (sel) q.set('labelSelector', sel);
    void (async () => {
      try {
        const res = await request(`${this.server}${path}?${q}`, { method: 'GET', dispatcher: this.agent, signal: ac.signal,
          headers: { ...this.headers, accept: 'application/json' } });
        if (res.statusCode >= 400) return onDone(statusError(res.statusCode, await res.body.text()));
        // Decoded as a stream: a multi-byte character split across chunks stays whole.
        const decoder = new TextDecoder();
        let buf = '';
        for await (const chunk of res.body) {
          buf += decoder.decode(chunk as Uint8Array, { stream: true });
          let nl: number;
          while ((nl = buf.indexOf('\n')) >= 0) {
            const line = buf.slice(0, nl).trim();
            buf = buf.slice(nl + 1);
            if (!line) continue;
            const ev = JSON.parse(line) as { type: string; object: KubeObject };
            if (ev.type === 'ERROR') {
              // A metav1.Status; 410 (Expired/Gone): the version is too old, the caller lists again.
              const st = ev.object as unknown as { code?: number; reason?: string; message?: string };
              ac.abort();
              return onDone(new KubeApiError(st.code ?? 500, st.reason ?? 'WatchError', st.message ?? 'watch error'));
            }
            // BOOKMARK only moves the version on; the callers relist after a watch ends anyway.
            if (ev.type === 'ADDED' || ev.type === 'MODIFIED' || ev.type === 'DELETED') onEvent({ type: ev.type, object: { ...ev.object, apiVersion, kind } });
          }
        }
        onDone();
      } catch (err) {
        if (ac.signal.aborted) return;
        onDone(new KubeApiError(0, 'WatchFailed', (err as Error).message));
      }
    })();
    return { stop: () => ac.abort() };
  }

  async apply(obj: KubeObject, opts: ApplyOptions): Promise<KubeObject> {
    const info = resourceInfo(obj.apiVersion, obj.kind);
    const { managedFields: _m, resourceVersion: _r, ...metadata } = obj.metadata;
    return this.call('PATCH', resourcePath(info, obj.metadata.namespace, obj.metadata.name),
      { fieldManager: opts.fieldManager, force: opts.force ? 'true' : undefined },
      JSON.stringify({ ...obj, metadata }), 'application/apply-patch+yaml');
  }

  async create(obj: KubeObject, opts: { fieldManager?: string } = {}): Promise<KubeObject> {
    return this.call('POST', resourcePath(resourceInfo(obj.apiVersion, obj.kind), obj.metadata.namespace), { fieldManager: opts.fieldManager }, JSON.stringify(obj));
  }

  async update(obj: KubeObject, opts: { fieldManager?: string } = {}): Promise<KubeObject> {
    return this.call('PUT', resourcePath(resourceInfo(obj.apiVersion, obj.kind), obj.metadata.namespace, obj.metadata.name),
      { fieldManager: opts.fieldManager }, JSON.stringify(obj));
  }

  async patchStatus(ref: ObjectRef, status: Record<string, unknown>, opts: { fieldManager: string }): Promise<KubeObject> {
    return this.call('PATCH', `${resourcePath(resourceInfo(ref.apiVersion, ref.kind), ref.namespace, ref.name)}/status`,
      { fieldManager: opts.fieldManager }, JSON.stringify({ status }), 'application/merge-patch+json');
  }

  async delete(ref: ObjectRef, opts: { propagationPolicy?: string } = {}): Promise<void> {
    await this.call('DELETE', resourcePath(resourceInfo(ref.apiVersion, ref.kind), ref.namespace, ref.name), {},
      JSON.stringify({ kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: opts.propagationPolicy ?? 'Background' }));
  }

  async serverVersion() {
    return this.call('GET', '/version');
  }
}

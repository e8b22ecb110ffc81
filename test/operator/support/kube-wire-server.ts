// An HTTP server speaking the Kubernetes API wire protocol, enough to test RestKubeApi
// (src/operator/kube/rest-api.ts) end to end: REST paths of the kinds in kube/resources.ts,
// server-side apply only as PATCH application/apply-patch+yaml with a fieldManager (the body
// decoded as YAML 1.1, as the API server's sigs.k8s.io/yaml does), status only as PATCH
// .../status application/merge-patch+json, any other patch type 415, errors as metav1.Status
// objects with the code and reason, map[string]string fields that decode to anything but strings
// a 400, and watches streamed as newline-delimited JSON events (BOOKMARKs when asked for them, an
// ERROR event carrying a 410 Status when a watch's version is too old). The objects live in a
// MemoryKubeApi, which keeps the server's rules (conflicts, immutable fields, MicroTime...).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { parse as parseYaml } from 'yaml';
import { RESOURCES, type ResourceInfo } from '../../../src/operator/kube/resources.js';
import { KubeApiError, type KubeObject } from '../../../src/operator/kube/types.js';
import type { MemoryKubeApi } from './memory-api.js';

export interface WireRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: string;
}

interface OpenWatch { res: ServerResponse; info: ResourceInfo; stop: () => void; bookmarks: boolean }

export const TOKEN = 'wire-test-token';

export class KubeWireServer {
  readonly requests: WireRequest[] = [];
  private server?: Server;
  private readonly watches = new Set<OpenWatch>();
  private readonly writing = new WeakMap<ServerResponse, Promise<void>>();
  /** Answers the next request with this status and raw body (e.g. a proxy's HTML 502). */
  failNext?: { status: number; body: string; contentType: string };
  url = '';

  constructor(readonly api: MemoryKubeApi) {}

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    for (const w of this.watches) { w.stop(); w.res.destroy(); }
    this.watches.clear();
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  /** A kubeconfig for this server, with a bearer token. */
  kubeConfig(): KubeConfig {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'wire', server: this.url, skipTLSVerify: true }],
      users: [{ name: 'op', token: TOKEN }],
      contexts: [{ name: 'wire', cluster: 'wire', user: 'op' }],
      currentContext: 'wire',
    });
    return kc;
  }

  openWatches(): number { return this.watches.size; }

  /** A BOOKMARK to every watch that asked for them (allowWatchBookmarks=true). */
  async bookmark(): Promise<void> {
    const rv = (await this.api.list('v1', 'Namespace')).resourceVersion;
    for (const w of this.watches) {
      if (w.bookmarks) this.send(w.res, { type: 'BOOKMARK', object: { apiVersion: w.info.apiVersion, kind: w.info.kind, metadata: { resourceVersion: rv } } });
    }
  }

  /** What the server does when its watch cache no longer holds a watch's version: ERROR 410, then close. */
  expireWatches(): void {
    for (const w of [...this.watches]) {
      this.watches.delete(w);
      w.stop();
      this.send(w.res, { type: 'ERROR', object: status(410, 'Expired', 'too old resource version: 1 (2)') });
      this.end(w.res);
    }
  }

  /** One event line, written in two chunks split inside it (mid-character for non-ASCII text). */
  private send(res: ServerResponse, event: unknown): void {
    const line = Buffer.from(`${JSON.stringify(event)}\n`);
    const cut = Math.max(1, line.indexOf(0xc3) > 0 ? line.indexOf(0xc3) + 1 : line.length >> 1);
    const prev = this.writing.get(res) ?? Promise.resolve();
    this.writing.set(res, prev.then(async () => {
      if (res.writableEnded) return;
      res.write(line.subarray(0, cut));
      await new Promise((r) => setTimeout(r, 5));
      if (!res.writableEnded) res.write(line.subarray(cut));
    }));
  }

  /** Ends a watch response after the events queued before. */
  private end(res: ServerResponse): void {
    void (this.writing.get(res) ?? Promise.resolve()).then(() => res.end());
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const u = new URL(req.url ?? '/', 'http://x');
    const r: WireRequest = { method: req.method ?? 'GET', path: u.pathname, query: u.searchParams, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
    this.requests.push(r);
    try {
      if (this.failNext) {
        const f = this.failNext;
        this.failNext = undefined;
        res.writeHead(f.status, { 'content-type': f.contentType }).end(f.body);
        return;
      }
      if (req.headers.authorization !== `Bearer ${TOKEN}`) throw new KubeApiError(401, 'Unauthorized', 'Unauthorized');
      if (r.path === '/version') return json(res, 200, await this.api.serverVersion());
      await this.route(r, res);
    } catch (err) {
      if (res.headersSent) { res.end(); return; }
      const e = err instanceof KubeApiError ? err : new KubeApiError(500, 'InternalError', (err as Error).message);
      json(res, e.code || 500, status(e.code || 500, e.reason, e.message));
    }
  }

  private async route(r: WireRequest, res: ServerResponse): Promise<void> {
    const p = parsePath(r.path);
    if (!p) throw new KubeApiError(404, 'NotFound', `the server could not find the requested resource (${r.path})`);
    const { info, namespace, name, subresource } = p;
    const ref = { apiVersion: info.apiVersion, kind: info.kind, namespace, name: name ?? '' };
    const ct = (r.headers['content-type'] ?? '').split(';')[0]!.trim();
    if (r.method === 'GET' && !name && r.query.get('watch') && ['1', 'true'].includes(r.query.get('watch')!)) return this.watch(r, res, info, namespace);
    if (r.method === 'GET' && !name) {
      const list = await this.api.list(info.apiVersion, info.kind, { namespace, labelSelector: selector(r.query.get('labelSelector')) });
      // A real list's items carry no apiVersion/kind.
      return json(res, 200, { apiVersion: info.apiVersion, kind: `${info.kind}List`, metadata: { resourceVersion: list.resourceVersion },
        items: list.items.map(({ apiVersion: _a, kind: _k, ...o }) => o) });
    }
    if (r.method === 'GET') {
      const o = await this.api.get(ref);
      if (!o) throw new KubeApiError(404, 'NotFound', `${info.plural} "${name}" not found`);
      return json(res, 200, o);
    }
    if (r.method === 'POST' && !name) {
      const obj = decodeBody(r.body, 'json');
      return json(res, 201, await this.api.create({ ...obj, metadata: { ...obj.metadata, namespace: obj.metadata?.namespace ?? namespace } }, { fieldManager: r.query.get('fieldManager') ?? undefined }));
    }
    if (r.method === 'PUT' && name) {
      return json(res, 200, await this.api.update(decodeBody(r.body, 'json'), { fieldManager: r.query.get('fieldManager') ?? undefined }));
    }
    if (r.method === 'PATCH' && name && subresource === 'status') {
      if (ct !== 'application/merge-patch+json') throw new KubeApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml (got ${ct})`);
      const patch = decodeBody(r.body, 'json');
      return json(res, 200, await this.api.patchStatus(ref, patch.status ?? {}, { fieldManager: r.query.get('fieldManager') ?? 'unknown' }));
    }
    if (r.method === 'PATCH' && name && !subresource) {
      if (ct !== 'application/apply-patch+yaml') throw new KubeApiError(415, 'UnsupportedMediaType', `patch type ${ct} not supported by this test server`);
      const fieldManager = r.query.get('fieldManager');
      if (!fieldManager) throw new KubeApiError(422, 'Invalid', 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch');
      const obj = decodeBody(r.body, 'yaml');
      if (obj.metadata?.managedFields) throw new KubeApiError(400, 'BadRequest', 'metadata.managedFields must be nil');
      return json(res, 200, await this.api.apply({ ...obj, metadata: { ...obj.metadata, namespace: obj.metadata?.namespace ?? namespace } },
        { fieldManager, force: r.query.get('force') === 'true' }));
    }
    if (r.method === 'DELETE' && name) {
      const opts = (r.body ? JSON.parse(r.body) : {}) as { propagationPolicy?: 'Background' | 'Foreground' | 'Orphan' };
      await this.api.delete(ref, { propagationPolicy: opts.propagationPolicy });
      return json(res, 200, status(200, '', 'deleted'));
    }
    throw new KubeApiError(405, 'MethodNotAllowed', `${r.method} ${r.path}`);
  }

  private async watch(r: WireRequest, res: ServerResponse, info: ResourceInfo, namespace?: string): Promise<void> {
    let failed: KubeApiError | undefined;
    const bookmarks = r.query.get('allowWatchBookmarks') === 'true';
    const handle = await this.api.watch(info.apiVersion, info.kind,
      { namespace, labelSelector: selector(r.query.get('labelSelector')), resourceVersion: r.query.get('resourceVersion') ?? undefined },
      (e) => {
        const { apiVersion: _a, kind: _k, ...rest } = e.object;
        this.send(res, { type: e.type, object: { apiVersion: info.apiVersion, kind: info.kind, ...rest } });
      },
      (err) => {
        if (!res.headersSent) { failed = err; return; }
        this.watches.delete(w);
        if (err) this.send(res, { type: 'ERROR', object: status(err.code, err.reason, err.message) });
        this.end(res);
      });
    const w: OpenWatch = { res, info, stop: () => handle.stop(), bookmarks };
    await new Promise((resolve) => setImmediate(resolve)); // a 410 for a too-old version comes at once
    if (failed) { handle.stop(); throw failed; }
    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    res.flushHeaders();
    this.watches.add(w);
    res.on('close', () => { handle.stop(); this.watches.delete(w); });
  }
}

function status(code: number, reason: string, message: string): Record<string, unknown> {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: code < 400 ? 'Success' : 'Failure', message, reason, code };
}

function json(res: ServerResponse, code: number, body: unknown): void {
  res.writeHead(code, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function selector(s: string | null): Record<string, string> | undefined {
  if (!s) return undefined;
  return Object.fromEntries(s.split(',').map((kv) => kv.split('=') as [string, string]));
}

/** The body as the API server decodes it; map[string]string fields holding non-strings are a 400. */
function decodeBody(body: string, as: 'json' | 'yaml'): KubeObject {
  let obj: KubeObject;
  try {
    obj = as === 'json' ? JSON.parse(body) : parseYaml(body, { version: '1.1' });
  } catch (err) {
    throw new KubeApiError(400, 'BadRequest', `error decoding ${as}: ${(err as Error).message}`);
  }
  const stringMaps: [string, Record<string, unknown> | undefined][] = [
    ['metadata.labels', obj?.metadata?.labels], ['metadata.annotations', obj?.metadata?.annotations],
  ];
  if (obj?.kind === 'ConfigMap' || obj?.kind === 'Secret') stringMaps.push(['data', obj.data], ['stringData', obj.stringData]);
  for (const [field, m] of stringMaps) {
    for (const [k, v] of Object.entries(m ?? {})) {
      if (typeof v !== 'string') throw new KubeApiError(400, 'BadRequest', `json: cannot unmarshal ${typeof v} into Go struct field ${field} of type string (key ${k})`);
    }
  }
  return obj;
}

function parsePath(path: string): { info: ResourceInfo; namespace?: string; name?: string; subresource?: string } | undefined {
  const m = /^\/(?:api\/(v1)|apis\/([^/]+\/[^/]+))(?:\/namespaces\/([^/]+))?\/([^/]+)(?:\/([^/]+))?(?:\/([^/]+))?$/.exec(path);
  if (!m) return undefined;
  const apiVersion = m[1] ?? m[2]!;
  const info = RESOURCES.find((x) => x.apiVersion === apiVersion && x.plural === m[4]);
  if (!info) return undefined;
  return { info, namespace: m[3] ? decodeURIComponent(m[3]) : undefined, name: m[5] ? decodeURIComponent(m[5]) : undefined, subresource: m[6] };
}

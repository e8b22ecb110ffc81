// The web console of a process (coordinator on 19999, worker on its web port): one HTML page,
// a small script and uPlot, all served from this process (no CDN; relative URLs only, so it works
// offline and behind `kubectl port-forward` or a path prefix), and the JSON views the page polls.
// The servers import this module on the first console request only (console-gate.ts).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { sendError, sendJson, sendRefusal, type RequestGuard } from '../common/http.js';
import { recentWarnings } from '../common/recent-warnings.js';
import { RateSampler, type CounterReading } from './rate-sampler.js';
import { CONSOLE_ROUTES } from './console-routes.js';

/** What a process shows in its console. */
export interface ConsoleSetup {
  kind: 'coordinator' | 'worker';
  /** Shown in the title bar (cluster or worker name). */
  title: () => string;
  /** JSON views by name, served at api/v1/console/<name> (overview, ring, jobs, conf, ...). */
  views: Record<string, () => Promise<unknown>>;
  /** Counters whose rates the charts show (sampled every `sampleMs`). */
  counters: () => Promise<CounterReading> | CounterReading;
  /**
   * Checks credentials before any view (never before the page and its script, which hold no data):
   * with authentication on, the views need the same credentials as the REST API. null: open.
   */
  guard: RequestGuard | null;
}

/** How often the page refreshes and the sampler reads the counters; how many points a chart keeps. */
export const REFRESH_MS = 2000;
export const SAMPLE_MS = 5000;
export const SAMPLE_POINTS = 120; // 10 minutes

const ASSET_DIR = new URL('../../resources/console/', import.meta.url);
const require = createRequire(import.meta.url);

/** The files the page loads: name -> [where, content type]. */
const ASSETS: Record<string, [() => string | URL, string]> = {
  'console.js': [() => new URL('console.js', ASSET_DIR), 'text/javascript; charset=utf-8'],
  'console.css': [() => new URL('console.css', ASSET_DIR), 'text/css; charset=utf-8'],
  'uPlot.iife.min.js': [() => require.resolve('uplot/dist/uPlot.iife.min.js'), 'text/javascript; charset=utf-8'],
  'uPlot.min.css': [() => require.resolve('uplot/dist/uPlot.min.css'), 'text/css; charset=utf-8'],
};

const cache = new Map<string, Buffer>();

async function asset(name: string): Promise<Buffer> {
  let b = cache.get(name);
  if (b === undefined) {
    b = await readFile(ASSETS[name]![0]());
    cache.set(name, b);
  }
  return b;
}

function send(res: ServerResponse, type: string, body: Buffer, maxAge: number): void {
  res.writeHead(200, {
    'content-type': type, 'content-length': body.length, 'cache-control': maxAge > 0 ? `max-age=${maxAge}` : 'no-store',
    'x-content-type-options': 'nosniff',
    // Everything comes from this origin; nothing inline but the page's JSON settings, nothing framed.
    'content-security-policy': "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
  });
  res.end(body);
}

export class ConsoleServer {
  private readonly sampler: RateSampler;

  constructor(private readonly setup: ConsoleSetup) {
    this.sampler = new RateSampler(setup.counters, SAMPLE_MS, SAMPLE_POINTS);
  }

  /** Answers a console request (a path console-routes.ts `isConsolePath` accepted). */
  handle(req: IncomingMessage, res: ServerResponse, url: URL): void {
    this.sampler.start(); // from the first visit on; the timer is unref'd
    this.route(req, res, url).catch((err) => sendError(res, err));
  }

  close(): void {
    this.sampler.stop();
  }

  private async route(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const p = url.pathname;
    if (p === '/' || p === CONSOLE_ROUTES.page) {
      const html = (await pageHtml()).replace('{{CONFIG}}', escapeJsonForHtml({ kind: this.setup.kind, refreshMs: REFRESH_MS, sampleMs: SAMPLE_MS }))
        .replaceAll('{{TITLE}}', escapeHtml(this.setup.title()));
      return send(res, 'text/html; charset=utf-8', Buffer.from(html), 0);
    }
    if (p.startsWith(CONSOLE_ROUTES.assets)) {
      const name = p.slice(CONSOLE_ROUTES.assets.length);
      if (!Object.hasOwn(ASSETS, name)) return sendJson(res, 404, { code: 'ALX_ERR_NOT_FOUND', message: `no console asset ${name}` });
      return send(res, ASSETS[name]![1], await asset(name), 300);
    }
    const view = p.slice(CONSOLE_ROUTES.api.length);
    // The page asks first whether its credentials (if any) are good, so it can show a login form
    // without a failed request (a browser logs every 401 as an error).
    if (view === 'session') {
      const refused = this.setup.guard?.(req, url) ?? null;
      return sendJson(res, 200, { authRequired: this.setup.guard !== null, authenticated: refused === null, message: refused?.message ?? null });
    }
    if (this.setup.guard !== null) {
      const refused = this.setup.guard(req, url);
      if (refused !== null) return sendRefusal(req, res, refused);
    }
    if (view === 'series') return sendJson(res, 200, this.sampler.series());
    if (view === 'warnings') return sendJson(res, 200, recentWarnings());
    const f = Object.hasOwn(this.setup.views, view) ? this.setup.views[view] : undefined;
    if (f === undefined) return sendJson(res, 404, { code: 'ALX_ERR_NOT_FOUND', message: `no console view ${view}` });
    sendJson(res, 200, await f());
  }
}

let page: string | undefined;
async function pageHtml(): Promise<string> {
  page ??= await readFile(new URL('index.html', ASSET_DIR), 'utf8');
  return page;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** JSON placed inside a <script type="application/json"> element: no '<' can close it. */
function escapeJsonForHtml(v: unknown): string {
  return JSON.stringify(v).replace(/</g, '\\u003c');
}

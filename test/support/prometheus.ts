// A real Prometheus server for tests: Debian's /usr/bin/prometheus on a free loopback port with a
// given configuration (YAML text), its TSDB in a temp dir, queried through its HTTP API.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from './etcd.js';
import { freePort } from './ports.js';

export const PROMETHEUS_BIN = process.env.PROMETHEUS_BIN ?? '/usr/bin/prometheus';
export const PROMTOOL_BIN = process.env.PROMTOOL_BIN ?? '/usr/bin/promtool';

export interface PromTarget { labels: Record<string, string>; health: string; lastError: string; scrapeUrl: string }
export interface PromSample { metric: Record<string, string>; value: [number, string] }

export class PrometheusServer {
  private out: string[] = [];

  private constructor(readonly port: number, private readonly proc: ChildProcess) {}

  /** Writes `configYaml` under `dir` and starts Prometheus on it; waits until it is ready. */
  static async start(dir: string, configYaml: string): Promise<PrometheusServer> {
    mkdirSync(join(dir, 'data'), { recursive: true });
    const file = join(dir, 'prometheus.yml');
    writeFileSync(file, configYaml);
    const port = await freePort();
    const proc = spawn(PROMETHEUS_BIN, [`--config.file=${file}`, `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const p = new PrometheusServer(port, proc);
    const keep = (d: Buffer) => { if (p.out.length < 200) p.out.push(d.toString()); };
    proc.stdout!.on('data', keep);
    proc.stderr!.on('data', keep);
    let exited: string | undefined;
    proc.once('exit', (code, sig) => { exited = `prometheus exited (${code ?? sig}): ${p.out.join('').slice(-3000)}`; });
    try {
      await waitFor('prometheus ready', async () => {
        if (exited) throw new Error(exited);
        return (await fetch(`${p.url}/-/ready`, { signal: AbortSignal.timeout(1000) }).catch(() => null))?.ok;
      }, 60_000, 200);
    } catch (err) {
      await p.stop();
      throw err;
    }
    return p;
  }

  get url(): string { return `http://127.0.0.1:${this.port}`; }

  async api<T>(path: string, params: Record<string, string> = {}): Promise<T> {
    const res = await fetch(`${this.url}/api/v1/${path}?${new URLSearchParams(params)}`);
    const body = await res.json() as { status: string; data: T; error?: string };
    if (body.status !== 'success') throw new Error(`prometheus ${path}: ${body.error ?? res.status}`);
    return body.data;
  }

  async query(expr: string): Promise<PromSample[]> {
    return (await this.api<{ result: PromSample[] }>('query', { query: expr })).result;
  }

  async targets(): Promise<PromTarget[]> {
    return (await this.api<{ activeTargets: PromTarget[] }>('targets')).activeTargets;
  }

  /** Waits until every target has been scraped successfully (a wrong config shows here with the error). */
  async waitAllUp(expected: number): Promise<PromTarget[]> {
    let last: PromTarget[] = [];
    try {
      return await waitFor('every Prometheus target up', async () => {
        last = await this.targets();
        return last.length === expected && last.every((t) => t.health === 'up') ? last : undefined;
      }, 60_000, 250);
    } catch (err) {
      throw new Error(`${(err as Error).message}: ${JSON.stringify(last.map((t) => ({ job: t.labels.job, url: t.scrapeUrl, health: t.health, error: t.lastError })))}`);
    }
  }

  logs(): string { return this.out.join(''); }

  async stop(): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      this.proc.once('exit', () => resolve());
      this.proc.kill('SIGKILL');
    });
  }
}

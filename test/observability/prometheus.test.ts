// A real Prometheus (Debian's /usr/bin/prometheus) scrapes a real cluster: etcd, a coordinator, two
// worker processes and a FUSE mount, after a small read load through the client, S3 and FUSE. It
// runs once with the scrape config we document (deploy/prometheus/prometheus.yml) and once with the
// one the operator renders (its Prometheus ConfigMap), each with the targets pointed at this
// cluster's ports. Checked: every target is up, key series exist with the right types and labels,
// the coordinator exports no worker series, `promtool check metrics` passes on every process's
// /metrics, and every query of the Grafana dashboard names a series these processes or etcd export.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { createClient } from '../../src/client/from-conf.js';
import type { AlluxioClient } from '../../src/client/alluxio-client.js';
import { createLogger } from '../../src/common/logging.js';
import { PROCESS_METRICS } from '../../src/common/metrics.js';
import { REPO_ROOT } from '../../src/operator/api/generate-crds.js';
import { renderCluster } from '../../src/operator/render.js';
import { freePort, startEtcd, waitFor, type EtcdCluster } from '../support/etcd.js';
import { PROMTOOL_BIN, PrometheusServer } from '../support/prometheus.js';
import { makeTempDir, type TempDir } from '../support/tmp.js';
import { CoordinatorProcess, readAll, startWorkerProcesses, writeEtcdConf, type EtcdClusterConf, type WorkerProcess } from '../cluster/harness.js';
import { FuseProcess, bash, forceUnmount } from '../fuse/fuse-harness.js';

const BUCKET = 'data';
const FILE = randomBytes(3 * 1024 * 1024 + 123);

interface ScrapeConfig { job_name: string; static_configs?: { targets: string[] }[]; dns_sd_configs?: unknown[]; [k: string]: unknown }

/** The config with each job's targets replaced by this cluster's (discovery dropped), scraped every second. */
function pointAt(yamlText: string, targets: Record<string, string[]>): string {
  const conf = parse(yamlText) as { global?: Record<string, unknown>; scrape_configs: ScrapeConfig[] };
  conf.global = { ...conf.global, scrape_interval: '1s', evaluation_interval: '1s' };
  for (const sc of conf.scrape_configs) {
    const t = targets[sc.job_name];
    assert.ok(t, `scrape job ${sc.job_name} is not one of ours (${Object.keys(targets).join(', ')})`);
    delete sc.dns_sd_configs;
    sc.static_configs = [{ targets: t }];
  }
  return stringify(conf);
}

function promtool(args: string[], input?: string): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const p = execFile(PROMTOOL_BIN, args, (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr }));
    if (input !== undefined) p.stdin!.end(input);
  });
}

/** Metric names a /metrics text declares (# TYPE lines), with the series names a histogram adds. */
function declaredSeries(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    out.set(m[1]!, m[2]!);
    if (m[2] === 'histogram' || m[2] === 'summary') for (const s of ['_bucket', '_count', '_sum']) out.set(m[1]! + s, m[2]!);
  }
  return out;
}

describe('Prometheus scrapes a real cluster', { timeout: 900_000 }, () => {
  let tmp: TempDir;
  let etcd: EtcdCluster;
  let cc: EtcdClusterConf;
  let workers: WorkerProcess[] = [];
  let coord: CoordinatorProcess;
  let fuse: FuseProcess | undefined;
  let client: AlluxioClient;
  let point: string;
  const proms: PrometheusServer[] = [];
  let targets: Record<string, string[]>;
  const texts = new Map<string, string>(); // process → its /metrics

  before(async () => {
    tmp = await makeTempDir('alluxio-prom-');
    const ufs = join(tmp.path, 'ufs');
    mkdirSync(join(ufs, BUCKET), { recursive: true });
    writeFileSync(join(ufs, BUCKET, 'f.bin'), FILE);
    etcd = await startEtcd();
    const coordPort = await freePort();
    cc = writeEtcdConf(tmp.path, etcd.endpoints, {
      'alluxio.coordinator.web.port': String(coordPort),
      'alluxio.master.mount.table.root.ufs': `file://${ufs}/`,
    });
    workers = await startWorkerProcesses(cc, tmp.path, 2);
    coord = await CoordinatorProcess.start(cc, coordPort);
    point = join(tmp.path, 'mnt');
    fuse = await FuseProcess.start(point, cc.env);
    client = await createClient(cc.conf(), { log: createLogger('test-client', 'silent') });

    // A small read load: a miss then a hit through the client, a GET through each worker's S3 API, a cat through FUSE.
    for (let i = 0; i < 2; i++) assert.ok((await readAll(client, `/${BUCKET}/f.bin`)).equals(FILE));
    for (const w of workers) {
      const res = await fetch(`http://127.0.0.1:${w.ports.s3}/${BUCKET}/f.bin`);
      assert.equal(res.status, 200, await res.clone().text());
      assert.equal((await res.arrayBuffer()).byteLength, FILE.length);
    }
    const cat = await bash(`set -o pipefail; cat '${point}/${BUCKET}/f.bin' | wc -c`);
    assert.equal(cat.code, 0, cat.stderr + fuse.logs().slice(-2000));
    assert.equal(Number(cat.stdout.trim()), FILE.length);

    const etcdHost = new URL(etcd.endpoints[0]!).host;
    targets = {
      'alluxio-coordinator': [`127.0.0.1:${coordPort}`],
      'alluxio-worker': workers.map((w) => `127.0.0.1:${w.ports.web}`),
      'alluxio-fuse': [`127.0.0.1:${fuse.webPort}`],
      'alluxio-etcd': [etcdHost],
    };
    texts.set('coordinator', await (await fetch(`${coord.url}/metrics`)).text());
    for (const [i, w] of workers.entries()) texts.set(`worker ${i}`, await (await fetch(w.metricsUrl)).text());
    texts.set('fuse', await (await fetch(fuse.metricsUrl)).text());
    texts.set('etcd', await (await fetch(`${etcd.endpoints[0]}/metrics`)).text());
  });

  after(async () => {
    for (const p of proms) await p.stop();
    await client?.close().catch(() => {});
    await fuse?.stop();
    if (point) await forceUnmount(point);
    await coord?.kill();
    await Promise.all(workers.map((w) => w.kill()));
    await etcd?.cleanup();
    await tmp?.cleanup();
  });

  test('promtool check metrics passes on the /metrics of every process', async () => {
    for (const [name, text] of texts) {
      if (name === 'etcd') continue; // not ours
      const r = await promtool(['check', 'metrics'], text);
      assert.equal(r.code, 0, `${name}: ${r.out}`);
    }
  });

  test('each process exports its own series: the coordinator has no worker gauges stuck at 0', () => {
    const coordinator = declaredSeries(texts.get('coordinator')!);
    const worker = declaredSeries(texts.get('worker 0')!);
    const fuseSeries = declaredSeries(texts.get('fuse')!);
    const nameOf = (m: unknown) => (m as { name: string }).name;
    for (const m of PROCESS_METRICS.worker) {
      assert.ok(worker.has(nameOf(m)), `worker lacks ${nameOf(m)}`);
      if (!PROCESS_METRICS.coordinator.includes(m)) assert.ok(!coordinator.has(nameOf(m)), `coordinator exports ${nameOf(m)}`);
      if (!PROCESS_METRICS.fuse.includes(m)) assert.ok(!fuseSeries.has(nameOf(m)), `fuse exports ${nameOf(m)}`);
    }
    for (const m of PROCESS_METRICS.coordinator) assert.ok(coordinator.has(nameOf(m)), `coordinator lacks ${nameOf(m)}`);
    for (const m of PROCESS_METRICS.fuse) assert.ok(fuseSeries.has(nameOf(m)), `fuse lacks ${nameOf(m)}`);
    assert.doesNotMatch(texts.get('coordinator')!, /^alluxio_cached_storage_bytes /m);
  });

  test('the FUSE web port reports and changes its log level', async () => {
    const url = `http://127.0.0.1:${fuse!.webPort}/api/v1/conf/log`;
    const before = (await (await fetch(`${url}?name=fuse`)).json() as { loggers: { name: string; level: string }[] }).loggers;
    assert.equal(before.length, 1);
    const set = await fetch(`${url}?name=fuse&level=debug`, { method: 'POST' });
    assert.equal(set.status, 200);
    assert.deepEqual((await set.json() as { loggers: unknown[] }).loggers, [{ name: 'fuse', level: 'debug' }]);
    await fetch(`${url}?name=fuse&level=${before[0]!.level}`, { method: 'POST' });
  });

  test('every query of the Grafana dashboard names a series our processes or etcd export', () => {
    const known = new Set<string>(['up']); // Prometheus' own series per target
    for (const text of texts.values()) for (const name of declaredSeries(text).keys()) known.add(name);
    const file = readFileSync(join(REPO_ROOT, 'deploy/grafana/alluxio-dashboard.json'), 'utf8');
    // The operator provisions this very file (no copy in code).
    const rendered = renderCluster(readFileSync(join(REPO_ROOT, 'deploy/examples/alluxio-cluster.yaml'), 'utf8'))
      .map((o) => (o as { data?: Record<string, string> }).data?.['alluxio.json']).filter((d) => d !== undefined);
    assert.deepEqual(rendered, [file]);
    const dashboard = JSON.parse(file) as { panels: { type: string; title: string; targets?: { expr: string }[] }[] };
    const rows = dashboard.panels.filter((p) => p.type === 'row').map((p) => p.title);
    assert.deepEqual(rows, ['Cluster', 'Fuse', 'S3', 'Worker', 'UFS', 'Job', 'Process', 'ETCD']);
    let checked = 0;
    for (const p of dashboard.panels) {
      for (const t of p.targets ?? []) {
        // Metric names: identifiers not followed by '(' (functions), not inside {...} or [...], not PromQL words.
        const bare = t.expr.replace(/\{[^}]*\}/g, '').replace(/\[[^\]]*\]/g, '').replace(/\b(by|without)\s*\([^)]*\)/g, '');
        const names = [...bare.matchAll(/\b([a-zA-Z_:][a-zA-Z0-9_:]*)\b(?!\s*\()/g)].map((m) => m[1]!)
          .filter((n) => !['and', 'or', 'unless', 'bool', 'on', 'ignoring'].includes(n) && !/^\d/.test(n));
        assert.ok(names.length > 0, `${p.title}: no metric in ${t.expr}`);
        for (const n of names) {
          assert.ok(known.has(n), `panel "${p.title}" queries ${n}, which no process exports`);
          checked++;
        }
      }
    }
    assert.ok(checked >= 40, `checked ${checked} names`);
  });

  for (const source of ['documented', 'operator'] as const) {
    test(`Prometheus with the ${source} scrape config finds every target and our key series`, async () => {
      let yamlText: string;
      if (source === 'documented') {
        yamlText = readFileSync(join(REPO_ROOT, 'deploy/prometheus/prometheus.yml'), 'utf8');
      } else {
        const cluster = renderCluster(readFileSync(join(REPO_ROOT, 'deploy/examples/alluxio-cluster.yaml'), 'utf8'));
        const cm = cluster.find((o) => o.kind === 'ConfigMap' && typeof (o as { data?: Record<string, string> }).data?.['prometheus.yml'] === 'string');
        assert.ok(cm, 'the operator renders a Prometheus ConfigMap');
        yamlText = (cm as unknown as { data: Record<string, string> }).data['prometheus.yml']!;
        // As rendered (Kubernetes DNS discovery), the config is valid for Prometheus.
        const file = join(tmp.path, 'operator-prometheus.yml');
        writeFileSync(file, yamlText);
        const check = await promtool(['check', 'config', file]);
        assert.equal(check.code, 0, check.out);
      }
      const jobs = (parse(yamlText) as { scrape_configs: ScrapeConfig[] }).scrape_configs.map((s) => s.job_name);
      const prom = await PrometheusServer.start(join(tmp.path, `prom-${source}`), pointAt(yamlText, targets));
      proms.push(prom);
      const expected = jobs.reduce((n, j) => n + targets[j]!.length, 0);
      const up = await prom.waitAllUp(expected);
      assert.deepEqual([...new Set(up.map((t) => t.labels.job))].sort(), [...jobs].sort());
      for (const j of ['alluxio-coordinator', 'alluxio-worker', 'alluxio-etcd']) assert.ok(jobs.includes(j), `${source} config scrapes ${j}`);

      // Types as Prometheus read them.
      const meta = await prom.api<Record<string, { type: string }[]>>('metadata');
      const want: Record<string, string> = {
        alluxio_cached_storage_bytes: 'gauge', alluxio_cached_capacity_bytes: 'gauge', alluxio_cached_data_read_bytes_total: 'counter',
        alluxio_missed_data_read_bytes_total: 'counter', alluxio_ufs_data_access_bytes_total: 'counter', alluxio_ufs_latency_seconds: 'histogram',
        alluxio_s3_api_call_latency_seconds: 'histogram', alluxio_version_info: 'gauge', alluxio_active_job_count: 'gauge',
        alluxio_data_cached_pages: 'gauge', alluxio_rest_requests_total: 'counter', etcd_server_has_leader: 'gauge',
      };
      if (jobs.includes('alluxio-fuse')) want.alluxio_fuse_call_latency_seconds = 'histogram';
      for (const [name, type] of Object.entries(want)) assert.equal(meta[name]?.[0]?.type, type, `${name} as Prometheus reads it: ${JSON.stringify(meta[name])}`);

      // Series and labels, once a scrape has them.
      const perWorker = await waitForResult(prom, 'alluxio_cached_storage_bytes', workers.length);
      assert.ok(perWorker.every((s) => s.metric.job === 'alluxio-worker'), JSON.stringify(perWorker));
      assert.deepEqual(perWorker.map((s) => s.metric.instance).sort(), [...targets['alluxio-worker']!].sort());
      assert.equal((await prom.query('alluxio_cached_storage_bytes{job="alluxio-coordinator"}')).length, 0, 'the coordinator exports worker gauges');
      const versions = await prom.query('alluxio_version_info');
      assert.deepEqual(versions.map((s) => `${s.metric.job}/${s.metric.component}`).sort(),
        [...jobs.includes('alluxio-fuse') ? ['alluxio-fuse/fuse'] : [], 'alluxio-coordinator/coordinator', 'alluxio-worker/worker', 'alluxio-worker/worker'].sort());
      assert.ok(versions.every((s) => /^\d+\.\d+/.test(s.metric.version ?? '')), JSON.stringify(versions));
      // The read load: hits and misses of user reads, UFS bytes by UFS type, S3 GETs by op.
      const hits = Number((await waitForResult(prom, 'sum(alluxio_cached_data_read_bytes_total) > 0', 1))[0]!.value[1]);
      const misses = Number((await prom.query('sum(alluxio_missed_data_read_bytes_total)'))[0]!.value[1]);
      assert.ok(hits >= FILE.length && misses >= FILE.length && misses < 3 * FILE.length, `hits ${hits} misses ${misses}`);
      const ufs = await prom.query('alluxio_ufs_data_access_bytes_total{job="alluxio-worker"} > 0');
      assert.ok(ufs.length > 0 && ufs.every((s) => s.metric.ufs === 'file'), JSON.stringify(ufs));
      const gets = await prom.query('sum(alluxio_s3_api_call_latency_seconds_count{op="GetObject"})');
      assert.ok(Number(gets[0]?.value[1]) >= workers.length, JSON.stringify(gets));
      if (jobs.includes('alluxio-fuse')) {
        const reads = await prom.query('alluxio_fuse_call_latency_seconds_count{op="read", job="alluxio-fuse"} > 0');
        assert.equal(reads.length, 1, JSON.stringify(reads));
      }
      assert.equal((await prom.query('etcd_server_has_leader{job="alluxio-etcd"} == 1')).length, 1);
    });
  }
});

async function waitForResult(prom: PrometheusServer, expr: string, n: number) {
  return waitFor(`${expr} in Prometheus`, async () => {
    const r = await prom.query(expr);
    return r.length === n ? r : undefined;
  }, 30_000, 250);
}

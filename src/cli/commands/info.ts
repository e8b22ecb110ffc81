import type { Command } from 'commander';
import { InvalidArgumentError } from '../../common/errors.js';
import { VERSION } from '../../common/version.js';
import type { AlluxioConfiguration } from '../../conf/index.js';
import type { AlluxioClient } from '../../client/alluxio-client.js';
import { redactOptions } from '../../common/secrets.js';
import { formatSize } from '../../common/sizes.js';
import { workerName } from '../../hashring/worker-info.js';
import { clusterReport, type ClusterReport } from '../../coordinator/cluster-stats.js';
import { restAuthorizationFromConf } from '../../client/from-conf.js';
import { buildUrl, COORDINATOR_REST, httpCall, httpOrigin, nodeHttpTransport } from '../../common/protocol/index.js';
import { withClient, type GlobalOptions } from '../context.js';
import { printJson, printTable } from '../output.js';

/** `alluxio info ...`: cluster information. */
export function registerInfoCommands(program: Command, global: () => GlobalOptions): void {
  const info = program.command('info').description('cluster information');

  info.command('cache').option('--json', 'print JSON').description('cache used and capacity per worker')
    .action((o: { json?: boolean }) => withClient(global(), async (c) => {
      const rows = await Promise.all(c.ring.liveWorkers.map(async (w) => {
        const name = workerName(w.identity);
        const address = `${w.address.Host}:${w.address.HttpServerPort}`;
        try {
          const s = await c.workerCache(w);
          return { worker: name, address, usedBytes: s.usedBytes, capacityBytes: s.capacityBytes, pages: s.pages, files: s.files, status: 'ONLINE' };
        } catch {
          return { worker: name, address, usedBytes: null, capacityBytes: null, pages: null, files: null, status: 'UNREACHABLE' };
        }
      }));
      if (o.json) return printJson(rows);
      printTable(['WorkerId', 'Address', 'Used', 'Capacity', 'Used%', 'Pages', 'Status'], rows.map((r) => [
        r.worker, r.address, r.usedBytes === null ? '-' : formatSize(r.usedBytes), r.capacityBytes === null ? '-' : formatSize(r.capacityBytes),
        r.usedBytes === null || !r.capacityBytes ? '-' : `${((r.usedBytes / r.capacityBytes) * 100).toFixed(1)}%`, r.pages ?? '-', r.status,
      ]));
    }));

  info.command('nodes').option('--json', 'print JSON').description('workers and their status (ONLINE/OFFLINE)')
    .action((o: { json?: boolean }) => withClient(global(), async (c) => {
      const all = await c.membership.allWorkers();
      const rows = all.map((s) => ({ workerId: workerName(s.worker.identity), address: `${s.worker.address.Host}:${s.worker.address.HttpServerPort}`, status: s.status }));
      if (o.json) return printJson(rows);
      printTable(['WorkerId', 'Address', 'Status'], rows.map((r) => [r.workerId, r.address, r.status]));
    }));

  info.command('cluster').option('--json', 'print JSON').description('workers, capacity, used and cache hit rate of the whole cluster')
    .action((o: { json?: boolean }) => withClient(global(), async (c, conf) => {
      const r = await clusterReport(c.membership, conf.getString('alluxio.cluster.name'), undefined, restAuthorizationFromConf(conf), nodeHttpTransport);
      if (o.json) return printJson(r);
      printSummary(r);
    }));

  info.command('version').option('--json', 'print JSON').description('print the version of this alluxio-ts CLI')
    .action((o: { json?: boolean }) => {
      if (o.json) return printJson({ version: VERSION, node: process.version });
      process.stdout.write(`${VERSION}\n`);
    });

  info.command('report').argument('[category]', `one of ${REPORT_CATEGORIES.join(', ')} (default: all of them)`)
    .option('--json', 'print JSON').description('cluster report: summary, capacity (per worker), ufs (mounts), metrics, jobservice (jobs)')
    .action((category: string | undefined, o: { json?: boolean }) => {
      if (category !== undefined && !(REPORT_CATEGORIES as readonly string[]).includes(category)) {
        throw new InvalidArgumentError(`unknown report category '${category}': expected one of ${REPORT_CATEGORIES.join(', ')}`);
      }
      return withClient(global(), async (c, conf) => {
        const wanted = (k: ReportCategory) => category === undefined || category === k;
        const full = await collectReport(c, conf, category as ReportCategory | undefined);
        if (o.json) return printJson(category ? full[category as ReportCategory] : full);
        const out = process.stdout;
        if (wanted('summary')) {
          printSummary(full.summary.cluster);
          out.write(`Coordinator:      ${full.summary.coordinator.url} (${full.summary.coordinator.status})\n`);
          for (const [k, v] of Object.entries(full.summary.settings)) if (v !== null) out.write(`${(k + ':').padEnd(18)}${v}\n`);
        }
        if (wanted('capacity')) {
          out.write('\nWorkers:\n');
          printTable(['WorkerId', 'Address', 'Status', 'Used', 'Capacity', 'HitRate', 'UfsRead'], full.capacity.map((w) => [
            w.workerId, w.address, w.status === 'ONLINE' && !w.reachable ? 'UNREACHABLE' : w.status,
            w.usedBytes === null ? '-' : formatSize(w.usedBytes), w.capacityBytes === null ? '-' : formatSize(w.capacityBytes),
            pct(w.hitRate), w.ufsReadBytes === null ? '-' : formatSize(w.ufsReadBytes),
          ]));
        }
        if (wanted('ufs')) {
          out.write('\nMounts:\n');
          if (full.ufs.length === 0) out.write('  (none)\n');
          for (const m of full.ufs) {
            const opts = Object.entries(m.options).map(([k, v]) => `${k}=${v}`).join(', ');
            out.write(`  ${m.ufs}  on  ${m.path}${opts ? `  properties={${opts}}` : ''}\n`);
          }
        }
        if (wanted('metrics')) {
          out.write('\nMetrics:\n');
          for (const [k, v] of Object.entries(full.metrics)) out.write(`  ${k.padEnd(28)}${v ?? '-'}\n`);
        }
        if (wanted('jobservice')) {
          out.write('\nJobs:\n');
          if (typeof full.jobservice === 'string') out.write(`  ${full.jobservice}\n`);
          else if (full.jobservice.length === 0) out.write('  (none)\n');
          else printTable(['JobId', 'Type', 'Path', 'State'], full.jobservice.map((j) => [String(j.jobId ?? ''), String(j.type ?? ''), String(j.path ?? ''), String(j.jobState ?? '')]));
        }
      });
    });
}

/** `info report` categories, as Alluxio names them. */
const REPORT_CATEGORIES = ['summary', 'capacity', 'ufs', 'metrics', 'jobservice'] as const;
type ReportCategory = (typeof REPORT_CATEGORIES)[number];

/** Everything `info report` prints (and `collectinfo` stores), gathered once: credentials redacted. */
export async function collectReport(c: AlluxioClient, conf: AlluxioConfiguration, only?: ReportCategory) {
  const r = await clusterReport(c.membership, conf.getString('alluxio.cluster.name'), undefined, restAuthorizationFromConf(conf), nodeHttpTransport);
  const need = (k: ReportCategory) => only === undefined || only === k;
  const ufs = need('ufs') ? (await c.namespace.mountStore.list()).map((m) => ({ path: m.path, ufs: m.ufsUri, options: redactOptions(m.options) })) : [];
  const coordinatorUrl = httpOrigin(conf.getString('alluxio.coordinator.hostname'), conf.getInt('alluxio.coordinator.web.port'));
  const coordinator = await probe(buildUrl(coordinatorUrl, COORDINATOR_REST.health));
  const settings = {
    selectionPolicy: conf.getString('alluxio.user.worker.selection.policy'),
    pageSize: conf.getString('alluxio.worker.page.store.page.size'),
    mountTable: conf.getString('alluxio.mount.table.source'),
    etcdEndpoints: c.membership.type === 'ETCD' ? conf.getString('alluxio.etcd.endpoints') : null,
    failureDetectionTimeout: conf.getString('alluxio.worker.failure.detection.timeout'),
    ufsFallback: conf.getBool('alluxio.dora.client.ufs.fallback.enabled'),
  };
  const metrics = {
    'Cluster.Workers': r.liveWorkers,
    'Cluster.LostWorkers': r.lostWorkers,
    'Cluster.CapacityTotal': r.capacityBytes,
    'Cluster.CapacityUsed': r.usedBytes,
    'Cluster.BytesReadCache': r.cachedReadBytes,
    'Cluster.BytesReadUfsAll': r.ufsReadBytes,
    'Cluster.CacheMissBytes': r.missedReadBytes,
    'Cluster.CacheHitRate': pct(r.hitRate),
  };
  const jobservice = need('jobservice') ? await jobs(coordinatorUrl, coordinator, restAuthorizationFromConf(conf)) : [];
  return { summary: { cluster: r, coordinator: { url: coordinatorUrl, status: coordinator }, settings }, capacity: r.workers, ufs, metrics, jobservice };
}

/** The coordinator's job list, or why there is none. */
async function jobs(coordinatorUrl: string, status: string, authorization?: string): Promise<Array<Record<string, unknown>> | string> {
  if (status !== 'ONLINE') return `the coordinator at ${coordinatorUrl} does not answer: no job information`;
  try {
    const res = await httpCall(buildUrl(coordinatorUrl, COORDINATOR_REST.jobs), { timeoutMs: 3000, headers: authorization ? { authorization } : {} });
    if (res.status < 200 || res.status >= 300) return `the coordinator answered ${res.status} for ${COORDINATOR_REST.jobs}`;
    const list = (res.json as { jobs?: unknown } | undefined)?.jobs;
    return Array.isArray(list) ? (list as Array<Record<string, unknown>>) : [];
  } catch (err) {
    return `listing jobs failed: ${(err as Error).message}`;
  }
}

function pct(x: number | null): string {
  return x === null ? '-' : `${(x * 100).toFixed(1)}%`;
}

function printSummary(r: Omit<ClusterReport, 'workers'>): void {
  const out = process.stdout;
  const usedPct = r.capacityBytes > 0 ? ` (${((r.usedBytes / r.capacityBytes) * 100).toFixed(1)}%)` : '';
  out.write(`Cluster:          ${r.clusterName}\n`);
  out.write(`Membership:       ${r.membership}\n`);
  out.write(`Workers:          ${r.liveWorkers} live, ${r.lostWorkers} lost\n`);
  out.write(`Capacity:         ${formatSize(r.capacityBytes)}\n`);
  out.write(`Used:             ${formatSize(r.usedBytes)}${usedPct}\n`);
  out.write(`Cache hit rate:   ${pct(r.hitRate)} (cached ${formatSize(r.cachedReadBytes)}, missed ${formatSize(r.missedReadBytes)})\n`);
  out.write(`UFS bytes read:   ${formatSize(r.ufsReadBytes)}\n`);
}

async function probe(url: string): Promise<'ONLINE' | 'UNREACHABLE'> {
  try {
    const res = await httpCall(url, { timeoutMs: 1500 });
    return res.status >= 200 && res.status < 300 ? 'ONLINE' : 'UNREACHABLE';
  } catch {
    return 'UNREACHABLE';
  }
}

import type { Command } from 'commander';
import { redactOptions } from '../../common/secrets.js';
import { formatSize } from '../../common/sizes.js';
import { workerName } from '../../hashring/worker-info.js';
import { clusterReport, type ClusterReport } from '../../coordinator/cluster-stats.js';
import { restAuthorizationFromConf } from '../../client/from-conf.js';
import { buildUrl, COORDINATOR_REST, httpOrigin } from '../../common/protocol/index.js';
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
      const r = await clusterReport(c.membership, conf.getString('alluxio.cluster.name'), undefined, restAuthorizationFromConf(conf));
      if (o.json) return printJson(r);
      printSummary(r);
    }));

  info.command('report').option('--json', 'print JSON').description('cluster summary, every worker, the mount table and the ring settings')
    .action((o: { json?: boolean }) => withClient(global(), async (c, conf) => {
      const r = await clusterReport(c.membership, conf.getString('alluxio.cluster.name'), undefined, restAuthorizationFromConf(conf));
      const mounts = (await c.namespace.mountStore.list()).map((m) => ({ path: m.path, ufs: m.ufsUri, options: redactOptions(m.options) }));
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
      if (o.json) return printJson({ ...r, mounts, coordinator: { url: coordinatorUrl, status: coordinator }, settings });
      const out = process.stdout;
      printSummary(r);
      out.write(`Coordinator:      ${coordinatorUrl} (${coordinator})\n`);
      for (const [k, v] of Object.entries(settings)) if (v !== null) out.write(`${(k + ':').padEnd(18)}${v}\n`);
      out.write('\nWorkers:\n');
      printTable(['WorkerId', 'Address', 'Status', 'Used', 'Capacity', 'HitRate', 'UfsRead'], r.workers.map((w) => [
        w.workerId, w.address, w.status === 'ONLINE' && !w.reachable ? 'UNREACHABLE' : w.status,
        w.usedBytes === null ? '-' : formatSize(w.usedBytes), w.capacityBytes === null ? '-' : formatSize(w.capacityBytes),
        pct(w.hitRate), w.ufsReadBytes === null ? '-' : formatSize(w.ufsReadBytes),
      ]));
      out.write('\nMounts:\n');
      if (mounts.length === 0) out.write('  (none)\n');
      for (const m of mounts) {
        const opts = Object.entries(m.options).map(([k, v]) => `${k}=${v}`).join(', ');
        out.write(`  ${m.ufs}  on  ${m.path}${opts ? `  properties={${opts}}` : ''}\n`);
      }
    }));
}

function pct(x: number | null): string {
  return x === null ? '-' : `${(x * 100).toFixed(1)}%`;
}

function printSummary(r: ClusterReport): void {
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
    const res = await fetch(url, { signal: AbortSignal.timeout(1500) });
    return res.ok ? 'ONLINE' : 'UNREACHABLE';
  } catch {
    return 'UNREACHABLE';
  }
}

import type { Command } from 'commander';
import { InvalidArgumentError } from '../../common/errors.js';
import { VERSION } from '../../common/version.js';
import type { AlluxioConfiguration } from '../../conf/index.js';
import { withClient, type GlobalOptions } from '../context.js';
import { printJson } from '../output.js';
import { mountTable2x } from './fs-2x.js';
import { collectReport } from './info.js';

/** `fsadmin report` categories (2.x's, minus those about a master: no journal, no block master here). */
const CATEGORIES = ['summary', 'capacity', 'metrics', 'ufs'] as const;
type Category = (typeof CATEGORIES)[number];
type Report = Awaited<ReturnType<typeof collectReport>>;

const USAGE = `Usage: alluxio fsadmin [generic options]
\t [report [category] [--json]]    category: ${CATEGORIES.join(', ')} (default: summary)
alluxio-ts has no master: the other 2.x fsadmin verbs (backup, journal, doctor, pathConf, ...) have
no counterpart; see docs/alluxio-2x.md. 3.x spelling: alluxio info report [category].
`;

/**
 * `alluxio fsadmin report [summary|capacity|metrics|ufs]`: Alluxio 2.x's report texts (indented
 * `Key: value` lines, 2.x's size format, the worker capacity table), drawn from what `info report`
 * collects (one computation, two shapes). `--json` prints the same JSON as `info report --json`.
 */
export function registerFsadminCommands(program: Command, global: () => GlobalOptions): void {
  const fsadmin = program.command('fsadmin').description('2.x admin verbs: fsadmin report [summary|capacity|metrics|ufs]')
    .action(() => {
      process.stdout.write(USAGE);
    });
  fsadmin.command('report').argument('[category]', `one of ${CATEGORIES.join(', ')} (default: summary)`).option('--json', 'print JSON (as info report --json)')
    .description('the 2.x cluster report: summary, capacity (per worker), metrics, ufs (mount table)')
    .action((category: string | undefined, o: { json?: boolean }) => {
      const wanted = (category ?? 'summary') as Category;
      if (!(CATEGORIES as readonly string[]).includes(wanted)) throw new InvalidArgumentError(`unknown report category '${category}': expected one of ${CATEGORIES.join(', ')}`);
      return withClient(global(), async (c, conf) => {
        const r = await collectReport(c, conf, wanted);
        if (o.json) return printJson(r[wanted]);
        process.stdout.write(TEXT[wanted](r, conf));
      });
    });
}

const TEXT: Record<Category, (r: Report, conf: AlluxioConfiguration) => string> = { summary, capacity, metrics, ufs: (r) => `Alluxio under storage system information:\n${mountTable2x(r.ufs.map((m) => ({ path: m.path, ufsUri: m.ufs, options: m.options })))}` };

/** 2.x's FormatUtils.getSizeFromBytes: whole bytes up to 5KB, then two decimals of the largest unit below 5×. */
export function size2x(bytes: number): string {
  if (bytes <= 5 * 1024) return `${Math.trunc(bytes)}B`;
  let v = bytes;
  for (const unit of ['KB', 'MB', 'GB', 'TB']) {
    v /= 1024;
    if (v <= 5 * 1024) return `${v.toFixed(2)}${unit}`;
  }
  return `${(v / 1024).toFixed(2)}PB`;
}

/** The tier 2.x would file the page store under: MEM for the memory store, else SSD (a local disk). */
function tierOf(conf: AlluxioConfiguration): 'MEM' | 'SSD' {
  return conf.getEnum('alluxio.worker.page.store.type') === 'MEM' ? 'MEM' : 'SSD';
}

function summary(r: Report, conf: AlluxioConfiguration): string {
  const s = r.summary.cluster;
  const coordinator = new URL(r.summary.coordinator.url);
  const tier = tierOf(conf);
  const lines = [
    'Alluxio cluster summary: ',
    // The coordinator takes the master's place: its web+REST port is the only one it serves.
    `    Master Address: ${coordinator.host}`,
    `    Web Port: ${coordinator.port}`,
    `    Live Master Num: ${r.summary.coordinator.status === 'ONLINE' ? 1 : 0}`,
    `    Version: ${VERSION}`,
    '    Safe Mode: false',
    '    Zookeeper Enabled: false',
    `    Live Workers: ${s.liveWorkers}`,
    `    Lost Workers: ${s.lostWorkers}`,
    `    Total Capacity: ${size2x(s.capacityBytes)}`,
    `        Tier: ${tier}  Size: ${size2x(s.capacityBytes)}`,
    `    Used Capacity: ${size2x(s.usedBytes)}`,
    `        Tier: ${tier}  Size: ${size2x(s.usedBytes)}`,
    `    Free Capacity: ${size2x(Math.max(0, s.capacityBytes - s.usedBytes))}`,
  ];
  return lines.join('\n') + '\n';
}

const WORKER_ROW = (cells: string[]) => `${cells[0]!.padEnd(16)} ${cells[1]!.padEnd(16)} ${cells[2]!.padEnd(13)} ${cells[3]!.padEnd(16)} ${cells[4]!.padEnd(13)} ${cells[5]!.padEnd(13)} ${cells[6]!.padEnd(13)}`.trimEnd() + '\n';

function capacity(r: Report, conf: AlluxioConfiguration): string {
  const tier = tierOf(conf);
  const workers = r.capacity.filter((w) => w.capacityBytes !== null);
  const total = workers.reduce((n, w) => n + (w.capacityBytes ?? 0), 0);
  const used = workers.reduce((n, w) => n + (w.usedBytes ?? 0), 0);
  let out = 'Capacity information for all workers: \n'
    + `    Total Capacity: ${size2x(total)}\n        Tier: ${tier}  Size: ${size2x(total)}\n`
    + `    Used Capacity: ${size2x(used)}\n        Tier: ${tier}  Size: ${size2x(used)}\n`;
  if (total > 0) {
    const pct = Math.trunc((100 * used) / total);
    out += `    Used Percentage: ${pct}%\n    Free Percentage: ${100 - pct}%\n`;
  }
  out += '\n' + WORKER_ROW(['Worker Name', 'Last Heartbeat', 'Storage', 'Total', 'MEM', 'SSD', 'HDD']);
  const onTier = (bytes: number | null) => ['MEM', 'SSD', 'HDD'].map((t) => size2x(t === tier ? bytes ?? 0 : 0));
  for (const w of r.capacity) {
    const cap = w.capacityBytes ?? 0;
    const use = w.usedBytes ?? 0;
    const pct = cap > 0 ? ` (${Math.trunc((100 * use) / cap)}%)` : '';
    // Last Heartbeat: 0 for a worker live in membership (its lease is current), else its status.
    const heartbeat = w.status === 'ONLINE' && w.reachable ? '0' : w.status === 'ONLINE' ? 'UNREACHABLE' : w.status;
    out += WORKER_ROW([w.address, heartbeat, 'Capacity', size2x(cap), ...onTier(w.capacityBytes)]);
    out += WORKER_ROW(['', '', 'Used', size2x(use) + pct, ...onTier(w.usedBytes)]);
  }
  return out;
}

function metrics(r: Report): string {
  const s = r.summary.cluster;
  // 2.x's cluster metric names (Cluster.BytesReadAlluxio is 3.x's Cluster.BytesReadCache).
  const values: Array<[string, string]> = [
    ['Cluster.BytesReadAlluxio', size2x(s.cachedReadBytes)],
    ['Cluster.BytesReadUfsAll', size2x(s.ufsReadBytes)],
    ['Cluster.CacheHitRate', String(r.metrics['Cluster.CacheHitRate'])],
    ['Cluster.CacheMissBytes', size2x(s.missedReadBytes)],
    ['Cluster.CapacityFree', size2x(Math.max(0, s.capacityBytes - s.usedBytes))],
    ['Cluster.CapacityTotal', size2x(s.capacityBytes)],
    ['Cluster.CapacityUsed', size2x(s.usedBytes)],
    ['Cluster.LostWorkers', String(s.lostWorkers)],
    ['Cluster.Workers', String(s.liveWorkers)],
  ];
  return values.map(([k, v]) => `${k}  (${v})\n`).join('');
}

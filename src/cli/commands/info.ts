import type { Command } from 'commander';
import { formatSize } from '../../common/sizes.js';
import { workerName } from '../../hashring/worker-info.js';
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
}

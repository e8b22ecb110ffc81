import type { Command } from 'commander';
import { InvalidArgumentError } from '../../common/errors.js';
import { formatSize } from '../../common/sizes.js';
import { workerName } from '../../hashring/worker-info.js';
import { policyOptionsFromConf, restAuthorizationFromConf } from '../../client/from-conf.js';
import { nodeHttpTransport } from '../../common/protocol/index.js';
import { planRingChange, readCacheIndex, type ClusterRingPlan } from '../../coordinator/ring-planner.js';
import { withClient, type GlobalOptions } from '../context.js';
import { printJson, printTable } from '../output.js';

function collect(v: string, prev: string[]): string[] {
  return [...prev, v];
}

function intArg(name: string) {
  return (v: string): number => {
    if (!/^\d+$/.test(v)) throw new InvalidArgumentError(`${name} must be a non-negative integer, got '${v}'`);
    return Number(v);
  };
}

/** `alluxio ring plan`: preview which share of the cached data a ring change would move. */
export function registerRingCommands(program: Command, global: () => GlobalOptions): void {
  const ring = program.command('ring').description('the worker hash ring');

  ring.command('plan')
    .option('--add <n>', 'add n workers', intArg('--add'))
    .option('--worker-uuid <uuid>', 'identity of an added worker (repeatable; default: chosen and printed)', collect, [])
    .option('--remove <worker>', 'remove a worker: worker-<uuid>, its uuid, or host:port (repeatable)', collect, [])
    .option('--policy <policy>', 'switch to another worker selection policy')
    .option('--virtual-nodes <k>', 'CONSISTENT: virtual nodes per worker', intArg('--virtual-nodes'))
    .option('--json', 'print JSON')
    .description('print which share of the cached bytes a ring change would move, from the live ring and the workers\' cache index')
    .action((o: { add?: number; workerUuid: string[]; remove: string[]; policy?: string; virtualNodes?: number; json?: boolean }) => withClient(global(), async (c, conf) => {
      const add = o.add ?? (o.workerUuid.length || undefined);
      if (add === undefined && o.remove.length === 0 && !o.policy && o.virtualNodes === undefined) {
        throw new InvalidArgumentError('say what to change: --add N, --remove WORKER, --policy P or --virtual-nodes K');
      }
      const live = c.ring.liveWorkers;
      const index = await readCacheIndex(live, undefined, restAuthorizationFromConf(conf), nodeHttpTransport);
      const plan = planRingChange(live, conf.getString('alluxio.user.worker.selection.policy'), policyOptionsFromConf(conf), index,
        { add, addUuids: o.workerUuid, remove: o.remove, policy: o.policy, virtualNodes: o.virtualNodes });
      if (o.json) return printJson(jsonOf(plan));
      printPlan(plan);
    }));
}

function jsonOf(p: ClusterRingPlan): Record<string, unknown> {
  return {
    policyBefore: p.policyBefore, policyAfter: p.policyAfter, workersBefore: p.workersBefore, workersAfter: p.workersAfter,
    cachedFiles: p.totalKeys, cachedBytes: p.totalWeight, movedFiles: p.movedKeys, movedBytes: p.movedWeight,
    share: p.share, idealShare: p.idealShare, candidateShares: p.candidateShares,
    newWorkers: p.newWorkers, removedWorkers: p.removedWorkers, unreachable: p.unreachable,
    transfers: p.transfers.map((t) => ({
      from: t.from ? workerName(t.from) : null, to: t.to ? workerName(t.to) : null, files: t.keys, bytes: t.weight,
    })),
  };
}

function pct(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}

function printPlan(p: ClusterRingPlan): void {
  const out = process.stdout;
  const policy = p.policyAfter === p.policyBefore ? p.policyBefore : `${p.policyBefore} -> ${p.policyAfter}`;
  out.write(`Ring change: ${policy}, ${p.workersBefore} -> ${p.workersAfter} workers\n`);
  out.write(`Cached data: ${p.totalKeys} files, ${formatSize(p.totalWeight)}\n`);
  out.write(`Would move:  ${pct(p.share)} of the cached bytes (${formatSize(p.movedWeight)}, ${p.movedKeys} files)`);
  out.write(p.idealShare !== null ? `; an even ring moves ${pct(p.idealShare)}\n` : '\n');
  if (p.candidateShares) out.write(`             (a random identity would move between ${pct(p.candidateShares.min)} and ${pct(p.candidateShares.max)})\n`);
  if (p.unreachable.length) out.write(`Warning: could not read the cache index of ${p.unreachable.join(', ')}; their data is not counted\n`);
  if (p.transfers.length) {
    out.write('\n');
    const added = new Set(p.newWorkers.map((w) => w.workerId));
    printTable(['FROM', 'TO', 'FILES', 'BYTES'], p.transfers.map((t) => {
      const to = t.to ? workerName(t.to) : '-';
      return [t.from ? workerName(t.from) : '-', added.has(to) ? `${to} (new)` : to, t.keys, formatSize(t.weight)];
    }));
  }
  if (p.newWorkers.length) {
    out.write('\nStart the new workers with these identities to get exactly this plan:\n');
    for (const w of p.newWorkers) out.write(`  alluxio.worker.identity.uuid=${w.uuid}\n`);
  }
  out.write('\nMoved pages are not lost: a new owner asks the previous owner before reading the UFS.\n');
}

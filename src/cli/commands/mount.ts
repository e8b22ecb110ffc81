import type { Command } from 'commander';
import { InvalidArgumentError, type AlluxioError } from '../../common/errors.js';
import { COORDINATOR_REST } from '../../common/protocol/index.js';
import { coordinatorApi } from '../coordinator-api.js';
import { redactOptions } from '../../common/secrets.js';
import { ufsOptionsFromConf } from '../../client/from-conf.js';
import { validateMountPoint, type MountPoint } from '../../mount/mount-point.js';
import { commandConf, commandMountStore, type GlobalOptions } from '../context.js';
import { printJson } from '../output.js';

function collect(v: string, prev: string[]): string[] {
  return [...prev, v];
}

/** `alluxio mount add|list|remove` (DESIGN.md §7). Credentials are stored, never printed. */
export function registerMountCommands(program: Command, global: () => GlobalOptions): void {
  const mount = program.command('mount').description('manage the mount table');

  mount.command('add').requiredOption('--path <path>', 'Alluxio path: / or a direct child of / such as /s3')
    .requiredOption('--ufs-uri <uri>', 'under-storage URI, e.g. s3://bucket/dir/ or /local/dir')
    .option('--option <key=value>', 'mount option (repeatable), e.g. s3a.accessKeyId=...', collect, [])
    .description('mount an under-storage at a path: the coordinator (or, when it does not answer, this CLI) first checks that it exists and answers')
    .action(async (o: { path: string; ufsUri: string; option: string[] }) => {
      const added = await addMount(global(), o.path, o.ufsUri, parseMountOptions(o.option));
      process.stdout.write(`Mounted ${added.ufs} at ${added.path}\n`);
    });

  mount.command('list').option('--json', 'print JSON').description('list the mount points (credentials redacted)')
    .action(async (o: { json?: boolean }) => {
      const mounts = await listMounts(global());
      if (o.json) return printJson(mounts);
      for (const m of mounts) {
        const opts = Object.entries(m.options).map(([k, v]) => `${k}=${v}`).join(', ');
        process.stdout.write(`${m.ufsUri}  on  ${m.path}  properties={${opts}}\n`);
      }
    });

  mount.command('remove').requiredOption('--path <path>', 'the mount point to remove').description('unmount a path (cached data of it is evicted over time)')
    .action(async (o: { path: string }) => {
      await removeMount(global(), o.path);
      process.stdout.write(`Unmounted ${o.path}\n`);
    });
}

/** `--option key=value` strings as a map; a string without `=` (or with an empty key) is refused. */
export function parseMountOptions(pairs: readonly string[]): Record<string, string> {
  const options: Record<string, string> = {};
  for (const kv of pairs) {
    const eq = kv.indexOf('=');
    if (eq <= 0) throw new InvalidArgumentError(`mount option '${kv.split('=')[0]}' is not key=value`);
    options[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  return options;
}

/**
 * Adds a mount (`mount add`, `fs mount`): through the coordinator, which checks the under-storage
 * with its own configuration and credentials (the operator's path) and stores the mount; only when
 * it does not answer does the CLI do both.
 */
export async function addMount(global: GlobalOptions, path: string, ufsUri: string, options: Record<string, string>): Promise<{ path: string; ufs: string }> {
  validateMountPoint({ path, ufsUri, options }); // bad input fails before etcd is dialled
  const conf = commandConf(global);
  if (conf.getEnum('alluxio.mount.table.source') === 'ETCD') {
    try {
      return await coordinatorApi(global).call<{ path: string; ufs: string }>('POST', COORDINATOR_REST.mount, { path, ufs: ufsUri, options });
    } catch (err) {
      if ((err as AlluxioError).code !== 'ALX_ERR_WORKER_UNAVAILABLE') throw err;
      process.stderr.write(`Note: ${(err as Error).message}; checking the under-storage from this machine instead\n`);
    }
  }
  const store = await commandMountStore(global);
  try {
    // The same checks as the coordinator's POST /api/v1/mount: one real request to the UFS first.
    // (Imported here: every fs command loads this module, through the 2.x verbs of fs-2x.ts.)
    const { MountAdmin } = await import('../../coordinator/mount-admin.js');
    return await new MountAdmin(store, ufsOptionsFromConf(conf), conf.getDuration('alluxio.mount.check.timeout')).add({ path, ufs: ufsUri, options });
  } finally {
    await store.close();
  }
}

/** The mount table with credentials printed as ***: they stay sealed, so listing needs no key. */
export async function listMounts(global: GlobalOptions): Promise<MountPoint[]> {
  const store = await commandMountStore(global, { decryptCredentials: false });
  try {
    return (await store.list()).map((m) => ({ ...m, options: redactOptions(m.options) }));
  } finally {
    await store.close();
  }
}

/** Removes a mount point (`mount remove`, `fs unmount`); cached data of it is evicted over time. */
export async function removeMount(global: GlobalOptions, path: string): Promise<void> {
  const store = await commandMountStore(global);
  try {
    await store.remove(path);
  } finally {
    await store.close();
  }
}

import type { Command } from 'commander';
import { InvalidArgumentError, type AlluxioError } from '../../common/errors.js';
import { COORDINATOR_REST } from '../../common/protocol/index.js';
import { coordinatorApi } from '../coordinator-api.js';
import { redactOptions } from '../../common/secrets.js';
import { ufsOptionsFromConf } from '../../client/from-conf.js';
import { MountAdmin } from '../../coordinator/mount-admin.js';
import { validateMountPoint } from '../../mount/mount-point.js';
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
      const options: Record<string, string> = {};
      for (const kv of o.option) {
        const eq = kv.indexOf('=');
        if (eq <= 0) throw new InvalidArgumentError(`mount option '${kv.split('=')[0]}' is not key=value`);
        options[kv.slice(0, eq)] = kv.slice(eq + 1);
      }
      validateMountPoint({ path: o.path, ufsUri: o.ufsUri, options }); // bad input fails before etcd is dialled
      const conf = commandConf(global());
      let added: { path: string; ufs: string } | undefined;
      if (conf.getEnum('alluxio.mount.table.source') === 'ETCD') {
        // The coordinator checks the under-storage with its own configuration and credentials (the
        // operator's path), and stores the mount; only when it does not answer does the CLI do both.
        try {
          added = await coordinatorApi(global()).call<{ path: string; ufs: string }>('POST', COORDINATOR_REST.mount, { path: o.path, ufs: o.ufsUri, options });
        } catch (err) {
          if ((err as AlluxioError).code !== 'ALX_ERR_WORKER_UNAVAILABLE') throw err;
          process.stderr.write(`Note: ${(err as Error).message}; checking the under-storage from this machine instead\n`);
        }
      }
      if (!added) {
        const store = await commandMountStore(global());
        try {
          // The same checks as the coordinator's POST /api/v1/mount: one real request to the UFS first.
          added = await new MountAdmin(store, ufsOptionsFromConf(conf), conf.getDuration('alluxio.mount.check.timeout')).add({ path: o.path, ufs: o.ufsUri, options });
        } finally {
          await store.close();
        }
      }
      process.stdout.write(`Mounted ${added.ufs} at ${added.path}\n`);
    });

  mount.command('list').option('--json', 'print JSON').description('list the mount points (credentials redacted)')
    .action(async (o: { json?: boolean }) => {
      // Credentials are printed as ***, so they stay sealed: listing needs no key.
      const store = await commandMountStore(global(), { decryptCredentials: false });
      try {
        const mounts = (await store.list()).map((m) => ({ ...m, options: redactOptions(m.options) }));
        if (o.json) return printJson(mounts);
        for (const m of mounts) {
          const opts = Object.entries(m.options).map(([k, v]) => `${k}=${v}`).join(', ');
          process.stdout.write(`${m.ufsUri}  on  ${m.path}  properties={${opts}}\n`);
        }
      } finally {
        await store.close();
      }
    });

  mount.command('remove').requiredOption('--path <path>', 'the mount point to remove').description('unmount a path (cached data of it is evicted over time)')
    .action(async (o: { path: string }) => {
      const store = await commandMountStore(global());
      try {
        await store.remove(o.path);
      } finally {
        await store.close();
      }
      process.stdout.write(`Unmounted ${o.path}\n`);
    });
}

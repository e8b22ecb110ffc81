import type { Logger } from '../common/logging.js';
import type { MountPoint } from '../mount/mount-point.js';
import type { Namespace } from '../mount/namespace.js';
import { probeUfsRoot } from '../ufs/ufs-probe.js';
import type { UfsOptions } from '../ufs/under-file-system.js';

/**
 * A STATIC_FILE mount table is written by hand, so no `mount add` checked its mounts. The worker
 * makes the same one-request check (probeUfsRoot) of each mount when it loads the table and when a
 * mount is added or changed in the file, and logs a failure with the S3 error code or endpoint.
 * The mount is still served: a store that is down when the worker starts must not take the
 * cached data away, and a fixed credential in the file is picked up without a restart.
 * Returns a function that stops following the table.
 */
export function checkStaticMounts(namespace: Namespace, globalUfsOptions: UfsOptions, timeoutMs: number, log: Logger): () => void {
  const checked = new Map<string, string>();
  let stopped = false;
  const run = (mounts: MountPoint[]): void => {
    for (const m of mounts) {
      const key = JSON.stringify([m.ufsUri, Object.entries(m.options).sort()]);
      if (checked.get(m.path) === key) continue;
      checked.set(m.path, key);
      probeUfsRoot(m.ufsUri, { ...globalUfsOptions, ...m.options }, timeoutMs).then(
        () => log.debug({ mount: m.path }, 'static mount checked'),
        (err: Error) => { if (!stopped) log.error({ mount: m.path, err: err.message }, 'static mount failed its check: reads of it fail until the mount table or the under-storage is fixed'); },
      );
    }
    for (const path of checked.keys()) if (!mounts.some((m) => m.path === path)) checked.delete(path);
  };
  run(namespace.mounts.list());
  const unwatch = namespace.mountStore.watch(run);
  return () => { stopped = true; unwatch(); };
}

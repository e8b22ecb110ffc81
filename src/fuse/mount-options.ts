import { InvalidArgumentError } from '../common/errors.js';
import { FUSE_FSNAME, FUSE_SUBTYPE } from './local-mounts.js';

const OPTION = /^[A-Za-z_][A-Za-z0-9_]*(=[^,\s]*)?$/;

/** Options the mount always has: its name in /proc/mounts, and writes larger than 4 KiB (libfuse 2). */
const ALWAYS = [`fsname=${FUSE_FSNAME}`, `subtype=${FUSE_SUBTYPE}`, 'big_writes'];

export interface MountOptions {
  /** The libfuse options, in order, one per entry. */
  list: string[];
  readOnly: boolean;
}

/**
 * The mount options: alluxio.fuse.mount.options (default allow_other,kernel_cache,entry_timeout=60,
 * attr_timeout=60), then the command's -o options, a later option replacing an earlier one of the
 * same name. Each must look like `name` or `name=value`; libfuse refuses names it does not know.
 */
export function mountOptions(defaults: readonly string[], given: readonly string[]): MountOptions {
  const byName = new Map<string, string>();
  for (const raw of [...defaults, ...given.flatMap((g) => g.split(','))]) {
    const o = raw.trim();
    if (!o) continue;
    if (!OPTION.test(o)) throw new InvalidArgumentError(`mount option '${o}' is not name or name=value (options are separated by commas, e.g. -o allow_other,attr_timeout=60)`);
    if (o === 'rw') { byName.delete('ro'); continue; }
    byName.set(o.split('=')[0]!, o);
  }
  for (const o of ALWAYS) if (!byName.has(o.split('=')[0]!)) byName.set(o.split('=')[0]!, o);
  return { list: [...byName.values()], readOnly: byName.has('ro') };
}

import type { Command } from 'commander';
import { spawn } from 'node:child_process';
import { mkdirSync, openSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { AlluxioError } from '../../common/errors.js';
import { createLogger } from '../../common/logging.js';
import { mountOptions } from '../../fuse/mount-options.js';
import { detachMount, localMounts, mountAt, probeMount, FUSE_SUBTYPE } from '../../fuse/local-mounts.js';
import { commandConf, ensureEtcdReachable, type GlobalOptions } from '../context.js';
import { printJson, printTable } from '../output.js';

/** How long `fuse mount` (without -f) waits for the background process to mount. */
const DAEMON_START_MS = 60_000;

function collect(v: string, prev: string[]): string[] {
  return [...prev, v];
}

/**
 * `alluxio fuse mount [-f] [<mount point>] [-o opts]`, `alluxio fuse unmount <mount point>`,
 * `alluxio fuse stat`: the POSIX mount of the namespace (DESIGN.md §8). Without -f, mount starts
 * the foreground process in the background (its log beside the other logs), waits until the
 * mount answers and exits 0; with -f it serves until SIGTERM/SIGINT or an unmount, then exits 0.
 */
export function registerFuseCommands(program: Command, global: () => GlobalOptions): void {
  const fuse = program.command('fuse').description('mount the Alluxio namespace as a local file system (FUSE)');

  fuse.command('mount')
    .argument('[mountPoint]', 'local directory to mount on (default alluxio.fuse.mount.point)')
    .option('-f, --foreground', 'serve in the foreground until SIGTERM/SIGINT or an unmount')
    .option('-o, --options <opts>', 'mount options (comma-separated; repeatable), on top of alluxio.fuse.mount.options', collect, [])
    .description('mount Alluxio at a local directory (a stale mount a dead process left there is cleaned first)')
    .action(async (pointArg: string | undefined, o: { foreground?: boolean; options: string[] }) => {
      const conf = commandConf(global());
      const point = resolve(pointArg ?? conf.getString('alluxio.fuse.mount.point'));
      mountOptions(conf.getList('alluxio.fuse.mount.options'), o.options); // a bad option fails here, not in the background
      if (!o.foreground) return daemonize(point, o.options, conf.getString('alluxio.log.dir'), global());
      await ensureEtcdReachable(conf);
      const log = createLogger('fuse');
      const { mountFuse } = await import('../../fuse/fuse-process.js');
      const m = await mountFuse(conf, point, o.options, log);
      process.stdout.write(`Mounted Alluxio at ${point} (options ${m.options.join(',')}); metrics on port ${m.webPort}\n`);
      const why = await new Promise<string>((res) => {
        process.once('SIGTERM', () => res('SIGTERM'));
        process.once('SIGINT', () => res('SIGINT'));
        void m.gone.then(() => res('unmounted'));
      });
      log.info({ point, why }, 'unmounting');
      const second = () => process.exit(1); // asked twice: no more waiting
      process.once('SIGTERM', second);
      process.once('SIGINT', second);
      await m.close();
      process.exit(0);
    });

  fuse.command('unmount')
    .alias('umount')
    .argument('<mountPoint>', 'the mount point')
    .option('-l, --lazy', 'detach at once even while files are open (otherwise a busy mount is detached lazily only after a plain unmount fails)')
    .description('unmount an Alluxio FUSE mount (its process then exits)')
    .action(async (pointArg: string, o: { lazy?: boolean }) => {
      const point = resolve(pointArg);
      const m = await mountAt(point);
      if (!m) throw new AlluxioError('ALX_ERR_NOT_FOUND', `${point} is not mounted`);
      if (!m.fstype.startsWith('fuse')) throw new AlluxioError('ALX_ERR_INVALID_ARGUMENT', `${point} is a ${m.fstype} mount, not a FUSE mount`);
      if (o.lazy) await detachMount(point, true);
      else await detachMount(point, false).catch(() => detachMount(point, true));
      process.stdout.write(`Unmounted ${point}\n`);
    });

  fuse.command('stat')
    .option('--json', 'print JSON')
    .description('the Alluxio FUSE mounts of this machine and whether each answers')
    .action(async (o: { json?: boolean }) => {
      const rows = [];
      for (const m of await localMounts()) {
        if (m.fstype !== `fuse.${FUSE_SUBTYPE}`) continue;
        rows.push({ mountPoint: m.point, source: m.source, type: m.fstype, state: await probeMount(m.point) });
      }
      if (o.json) return printJson(rows);
      if (rows.length === 0) return void process.stdout.write('No Alluxio FUSE mount on this machine.\n');
      printTable(['MOUNT POINT', 'TYPE', 'STATE'], rows.map((r) => [r.mountPoint, r.type, r.state]));
    });
}

/** Starts `fuse mount -f` detached, logging to <log dir>/fuse-<name>.log, and waits until the mount answers. */
async function daemonize(point: string, options: string[], logDir: string, g: GlobalOptions): Promise<void> {
  let dir = logDir;
  try {
    mkdirSync(dir, { recursive: true });
  } catch {
    dir = resolve('.');
  }
  const logFile = join(dir, `fuse-${point.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^_+/, '')}.log`);
  const args = [...process.execArgv, process.argv[1]!, ...(g.conf ?? []).flatMap((c) => ['--conf', c]), 'fuse', 'mount', '-f', point, ...options.flatMap((x) => ['-o', x])];
  const fd = openSync(logFile, 'a');
  const child = spawn(process.execPath, args, { detached: true, stdio: ['ignore', fd, fd] });
  let exited: string | undefined;
  child.once('exit', (code, sig) => { exited = `exit ${code ?? sig}`; });
  child.unref();
  const deadline = Date.now() + DAEMON_START_MS;
  while (Date.now() < deadline) {
    if (exited) break;
    const m = await mountAt(point);
    if (m?.fstype === `fuse.${FUSE_SUBTYPE}` && (await probeMount(point)) === 'ok') {
      process.stdout.write(`Mounted Alluxio at ${point} (process ${child.pid}, log ${logFile})\n`);
      return;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  if (!exited) child.kill('SIGTERM');
  const tail = readFileSync(logFile, 'utf8').split('\n').slice(-15).join('\n');
  throw new AlluxioError('ALX_ERR_INTERNAL', `the FUSE process did not mount ${point} (${exited ?? `no mount after ${DAEMON_START_MS / 1000}s`}); end of ${logFile}:\n${tail}`);
}

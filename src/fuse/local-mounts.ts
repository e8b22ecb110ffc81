import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { AlluxioError } from '../common/errors.js';

/** The file system type our mounts show in /proc/self/mountinfo (fuse.<subtype>). */
export const FUSE_SUBTYPE = 'alluxio-fuse';
export const FUSE_FSNAME = 'alluxio';

export interface LocalMount {
  point: string;
  fstype: string;
  source: string;
  /** major:minor of the mount's device (a FUSE mount's backing device info is /sys/class/bdi/<device>). */
  device: string;
}

/** Octal escapes of mountinfo (\040 for a space, ...). */
function unescape(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8)));
}

/** The mounts of this mount namespace (/proc/self/mountinfo). */
export async function localMounts(): Promise<LocalMount[]> {
  const text = await readFile('/proc/self/mountinfo', 'utf8');
  const out: LocalMount[] = [];
  for (const line of text.split('\n')) {
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    const left = line.slice(0, sep).split(' ');
    const right = line.slice(sep + 3).split(' ');
    out.push({ point: unescape(left[4] ?? ''), fstype: right[0] ?? '', source: unescape(right[1] ?? ''), device: left[2] ?? '' });
  }
  return out;
}

export async function mountAt(point: string): Promise<LocalMount | undefined> {
  const all = await localMounts();
  // The last one wins: mounts stack.
  for (let i = all.length - 1; i >= 0; i--) if (all[i]!.point === point) return all[i];
  return undefined;
}

/** Runs a command with a deadline; never blocks this process's event loop (so it is safe on our own mount). */
export function runCommand(cmd: string, args: string[], timeoutMs: number): Promise<{ code: number | null; output: string; timedOut: boolean }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let timedOut = false;
    child.stdout.on('data', (d: Buffer) => { output += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { output += d.toString(); });
    const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, timeoutMs);
    child.on('error', (err) => { clearTimeout(timer); resolve({ code: -1, output: err.message, timedOut }); });
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, output, timedOut }); });
  });
}

/**
 * Whether the mount at `point` answers: `stat` in a child process (a hung or dead FUSE server
 * cannot block us). 'stale': "Transport endpoint is not connected" (its process died), 'hung':
 * no answer within the deadline.
 */
export async function probeMount(point: string, timeoutMs = 5000): Promise<'ok' | 'stale' | 'hung' | 'error'> {
  const r = await runCommand('stat', ['-t', '--', point], timeoutMs);
  if (r.timedOut) return 'hung';
  if (r.code === 0) return 'ok';
  return /not connected/i.test(r.output) ? 'stale' : 'error';
}

/** Detaches the mount at `point`: fusermount -u (lazily with `lazy`), then umount -l as a last resort. */
export async function detachMount(point: string, lazy: boolean): Promise<void> {
  const tries: Array<[string, string[]]> = lazy
    ? [['fusermount', ['-uz', point]], ['fusermount3', ['-uz', point]], ['umount', ['-l', point]]]
    : [['fusermount', ['-u', point]], ['fusermount3', ['-u', point]], ['umount', [point]]];
  let last = '';
  for (const [cmd, args] of tries) {
    const r = await runCommand(cmd, args, 15_000);
    if (!(await mountAt(point))) return;
    last = `${cmd} ${args.join(' ')}: ${r.output.trim() || `exit ${r.code}`}`;
  }
  throw new AlluxioError('ALX_ERR_INTERNAL', `cannot unmount ${point}: ${last}`);
}

/**
 * Makes `point` ready to mount on: a FUSE mount left there by a process that died (kill -9, OOM,
 * a restarted pod) answers "Transport endpoint is not connected"; it is detached. A mount that
 * answers is someone's live mount: refused, never taken over. Returns what was cleaned, if anything.
 */
export async function cleanStaleMount(point: string): Promise<string | undefined> {
  const m = await mountAt(point);
  if (!m || !m.fstype.startsWith('fuse')) {
    if (m) throw new AlluxioError('ALX_ERR_ALREADY_EXISTS', `${point} is already a mount point (${m.fstype} from ${m.source}): choose an empty directory`);
    return undefined;
  }
  const state = await probeMount(point);
  if (state === 'ok') {
    throw new AlluxioError('ALX_ERR_ALREADY_EXISTS', `${point} is already mounted (${m.fstype}) and answers: unmount it first (alluxio fuse unmount ${point})`);
  }
  await detachMount(point, true);
  return `${m.fstype} (${state})`;
}

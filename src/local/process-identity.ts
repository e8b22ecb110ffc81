import { readFileSync } from 'node:fs';

/**
 * Telling our process from an unrelated one that got the same PID after ours exited: a PID file
 * alone cannot (PIDs are reused), so a local cluster records each child's start time as well
 * (field 22 of /proc/<pid>/stat, clock ticks since boot), which no later process with that PID can
 * share. Without /proc (not Linux) or for a state file written before start times were recorded,
 * the command line is compared instead.
 */

/** The kernel's start time of `pid`, or undefined when there is no such process (or no /proc). */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces or ')': count from the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19]; // field 22 overall; fields[0] is field 3
  } catch {
    return undefined;
  }
}

function commandLine(pid: number): string[] | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch {
    return undefined;
  }
}

export function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface RecordedProcess {
  pid: number;
  /** processStartTime at launch. */
  startTime?: string;
  /** The arguments it was started with (after the executable). */
  args: string[];
}

/** Whether the process recorded in `p` still runs: alive, and the same process, not a reused PID. */
export function isOurs(p: RecordedProcess): boolean {
  if (!isAlive(p.pid)) return false;
  const now = processStartTime(p.pid);
  if (p.startTime !== undefined && now !== undefined) return now === p.startTime;
  const cmd = commandLine(p.pid);
  if (cmd === undefined) return true; // no /proc: nothing better than the PID to go by
  return cmd.length > p.args.length && p.args.every((a, i) => cmd[cmd.length - p.args.length + i] === a);
}

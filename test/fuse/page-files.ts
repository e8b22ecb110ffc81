// Helpers of the FUSE tests that look at a worker's page files next to the mount: the sidecars
// under a page store directory, and python3 readers that keep the kernel's caching out of the way.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export interface Sidecar {
  ufsUri: string;
  version: string;
  checksums: Record<string, number>;
  /** The sidecar file itself (its directory holds the page files). */
  path: string;
}

/** Every sidecar under a page store dir, parsed. */
export function sidecars(dir: string): Sidecar[] {
  const out: Sidecar[] = [];
  const walk = (d: string): void => {
    let entries;
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name === '.meta') {
        try {
          out.push({ ...JSON.parse(readFileSync(p, 'utf8')), path: p });
        } catch { /* being replaced */ }
      }
    }
  };
  walk(dir);
  return out;
}

const running = new Set<ChildProcess>();

/** A python3 child (`os` and `sys` imported); its stdin stays open for the script to wait on (killPythons ends it). */
export function python(script: string): { out: () => string; stdin: NodeJS.WritableStream; exited: Promise<number | null> } {
  const p = spawn('python3', ['-c', `import os, sys\n${script}`], { stdio: ['pipe', 'pipe', 'pipe'] });
  running.add(p);
  p.once('exit', () => running.delete(p));
  let out = '';
  p.stdout.on('data', (d: Buffer) => { out += d.toString(); });
  p.stderr.on('data', (d: Buffer) => { out += d.toString(); });
  return { out: () => out, stdin: p.stdin, exited: new Promise((r) => p.once('exit', r)) };
}

/** Kills the python children still running (a failed test may leave one waiting on its stdin, holding the mount). */
export function killPythons(): void {
  for (const p of running) p.kill('SIGKILL');
}

/** Opens `path` as `fd` with the kernel's read-ahead off and its cached pages dropped: every read is a FUSE read. */
export const OPEN = (path: string): string => `fd = os.open(${JSON.stringify(path)}, os.O_RDONLY)
os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_RANDOM)
os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
`;

/** The FUSE process's counters of reads its binding answered on libfuse's thread (/api/v1/info); undefined on stock fuse-native. */
export async function fastReads(webPort: number): Promise<{ reads: number; bytes: number; descriptors: number } | undefined> {
  const r = await fetch(`http://127.0.0.1:${webPort}/api/v1/info`, { signal: AbortSignal.timeout(10_000) });
  return ((await r.json()) as { fastReads?: { reads: number; bytes: number; descriptors: number } }).fastReads;
}

import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { isAlive } from '../../src/local/process-identity.js';
import { join } from 'node:path';

// Ports for test servers come from [10000, 19000): below the kernel's ephemeral range (32768+),
// so an outgoing connection of another test can never take a port between our check and listen,
// and apart from the fixed-offset ports of `alluxio local start` clusters (see localPortBase).
const LOW = 10_000;
const HIGH = 19_000;

// A port that was free when checked can still be handed out twice before anyone listens on it:
// twice in this process (a cluster picks all its ports first), or once here and once in another
// test file running concurrently. So every port handed out is also reserved: in this process by
// a set, across processes by a lock file created with O_EXCL that names the owning pid. A lock
// whose pid is gone is taken over; this process removes its own locks when it exits.
const LOCK_DIR = join(tmpdir(), 'alluxio-ts-test-ports');
const handedOut = new Set<number>();
const myLocks: string[] = [];
let cleanupInstalled = false;

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}


/** Creates the lock file `path` holding this pid, atomically and never over an existing one. */
function createLock(path: string): boolean {
  // Written to a private file first and linked into place, so a lock is never seen half-written.
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, String(process.pid));
  try {
    linkSync(tmp, path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    unlinkSync(tmp);
  }
}

function lockHolder(path: string): number {
  try {
    return Number(readFileSync(path, 'utf8'));
  } catch {
    return NaN; // removed meanwhile
  }
}

/**
 * Takes over the lock of a process that has exited. Two processes may find the same stale lock at
 * once; a second lock file, `<port>.takeover`, lets only one of them replace it, and the holder is
 * read again under it, so a lock just taken over by someone else is never removed.
 */
function takeOverStaleLock(path: string): boolean {
  const mutex = `${path}.takeover`;
  if (!createLock(mutex)) return false;
  try {
    const holder = lockHolder(path);
    if (!Number.isNaN(holder) && isAlive(holder)) return false;
    try { unlinkSync(path); } catch { /* already gone */ }
    return createLock(path);
  } finally {
    unlinkSync(mutex);
  }
}

/** Reserves `port` for this process across test processes; false when another live process holds it. */
function lockPort(port: number): boolean {
  mkdirSync(LOCK_DIR, { recursive: true });
  const path = join(LOCK_DIR, String(port));
  if (!createLock(path)) {
    if (isAlive(lockHolder(path)) || !takeOverStaleLock(path)) return false;
  }
  myLocks.push(path);
  if (!cleanupInstalled) {
    cleanupInstalled = true;
    process.once('exit', () => {
      for (const p of myLocks) {
        try { unlinkSync(p); } catch { /* already gone */ }
      }
    });
  }
  return true;
}

/** A loopback port that was free a moment ago and that no other test (here or in another process) was given. */
export async function freePort(): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const port = LOW + Math.floor(Math.random() * (HIGH - LOW));
    if (handedOut.has(port)) continue;
    if (!lockPort(port)) continue;
    handedOut.add(port);
    if (await canBind(port)) return port;
  }
  throw new Error(`no free port in [${LOW}, ${HIGH})`);
}

/**
 * A --port-base for `alluxio local start` in a test. Each test file passes its own slot range, so two
 * local clusters started by concurrent test files never share a port: bases are multiples of 200,
 * and every local-cluster port (Alluxio's defaults + base + 100 per worker) stays below 32768.
 */
export function localPortBase(slots: readonly number[]): number {
  // Slot 0 is the default ports (the alluxiofs test needs them); slot 13 with 2 workers tops out at
  // 30000 + 2600 + 100: a higher slot would reach into the kernel's ephemeral range, where an
  // outgoing connection can hold the port (EADDRINUSE). Slots in use: local-cluster 1-2,
  // local-restart 3-4, local-etcd 5-10, rest-auth 11-13.
  for (const s of slots) if (!Number.isInteger(s) || s < 1 || s > 13) throw new Error(`local cluster port slot ${s} is outside 1..13`);
  return 200 * slots[Math.floor(Math.random() * slots.length)]!;
}

/** Ports of a `local start --no-etcd` cluster of `workers` workers on port base `base` (local-layout.ts workerPorts). */
function localWorkerPorts(base: number, workers: number): number[] {
  const ports: number[] = [];
  for (let i = 0; i < workers; i++) for (const p of [28080, 29997, 29998, 29999, 30000]) ports.push(p + base + 100 * i);
  return ports;
}

/**
 * A --port-base for a `local start --no-etcd` cluster of up to 2 workers, off the slots of
 * localPortBase: bases 1050..2650 that end in 50 never share a port with a slot's cluster (bases
 * that are multiples of 200) nor with admin-verbs' odd bases (2601..2749), and every port stays
 * below 32768. Each port is reserved like freePort()'s (across test processes) and free now.
 */
export async function freeLocalPortBase(workers: 1 | 2): Promise<number> {
  const bases: number[] = [];
  for (let b = 1050; b <= 2650; b += 100) bases.push(b);
  for (let i = bases.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [bases[i], bases[j]] = [bases[j]!, bases[i]!];
  }
  for (const base of bases) {
    const ports = localWorkerPorts(base, workers);
    if (ports.some((p) => handedOut.has(p))) continue;
    const locked: number[] = [];
    for (const p of ports) {
      if (!lockPort(p)) break;
      locked.push(p);
      handedOut.add(p);
    }
    if (locked.length === ports.length && (await Promise.all(ports.map(canBind))).every(Boolean)) return base;
  }
  throw new Error('no free --port-base for a local cluster: every base from 1050 to 2650 (step 100) has a port in use');
}

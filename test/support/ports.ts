import { createServer } from 'node:net';

// Ports for test servers come from [10000, 19000): below the kernel's ephemeral range (32768+),
// so an outgoing connection of another test can never take a port between our check and listen,
// and apart from the fixed-offset ports of `alluxio local start` clusters (see localPortBase).
const LOW = 10_000;
const HIGH = 19_000;

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/** A loopback port that was free a moment ago. */
export async function freePort(): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const port = LOW + Math.floor(Math.random() * (HIGH - LOW));
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
  return 200 * slots[Math.floor(Math.random() * slots.length)]!;
}

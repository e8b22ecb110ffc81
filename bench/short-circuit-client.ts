// The client half of bench/short-circuit-read.sh: one process, two AlluxioClients of the same
// cluster (ALLUXIO_CONF_DIR), one with alluxio.user.short.circuit.enabled=true (domain socket and
// direct page reads), one with it off (TCP loopback), reading the same cached file. First one read
// on each side whose bytes are checked (sha256 against the UFS file's), then RUNS timed reads on each
// side, alternating, each checked for its size. Prints the best of each and the ratio.
// Usage: node --import tsx bench/short-circuit-client.ts PATH SHA256 SIZE_BYTES RUNS
import { createHash } from 'node:crypto';
import { createClient } from '../src/client/from-conf.js';
import type { AlluxioClient } from '../src/client/alluxio-client.js';
import { metrics } from '../src/common/metrics.js';
import { createLogger } from '../src/common/logging.js';
import { loadConfiguration } from '../src/conf/index.js';

const [path, wantSha, sizeText, runsText] = process.argv.slice(2);
if (!path || !wantSha || !sizeText) throw new Error('usage: short-circuit-client.ts PATH SHA256 SIZE_BYTES [RUNS]');
const size = Number(sizeText);
const runs = Number(runsText ?? 5);
const log = createLogger('bench', 'warn');

async function open(shortCircuit: boolean): Promise<AlluxioClient> {
  const c = await createClient(loadConfiguration({ env: process.env, overrides: { 'alluxio.user.short.circuit.enabled': String(shortCircuit) } }), { log });
  for (let i = 0; i < 600 && c.ring.liveWorkers.length === 0; i++) await new Promise((r) => setTimeout(r, 100));
  return c;
}

/** One whole read: its byte count and, when asked, its sha256. */
async function readOnce(c: AlluxioClient, hash: boolean): Promise<{ bytes: number; sha?: string }> {
  const h = hash ? createHash('sha256') : undefined;
  const { stream } = await c.read(path!);
  let bytes = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    h?.update(chunk);
  }
  return { bytes, ...(h ? { sha: h.digest('hex') } : {}) };
}

const directBytes = async (): Promise<number> => (await metrics.clientShortCircuitBytes.get()).values[0]?.value ?? 0;

const sides = [{ name: 'short-circuit (socket + page files)', client: await open(true), best: Infinity, direct: 0 }, { name: 'TCP loopback', client: await open(false), best: Infinity, direct: 0 }];
for (const s of sides) {
  const before = await directBytes();
  const r = await readOnce(s.client, true);
  if (r.bytes !== size || r.sha !== wantSha) throw new Error(`${s.name}: read ${r.bytes} bytes, sha256 ${r.sha}; expected ${size} bytes, sha256 ${wantSha}`);
  s.direct = (await directBytes()) - before;
}
for (let i = 0; i < runs; i++) {
  for (const s of i % 2 === 0 ? sides : [...sides].reverse()) {
    const t0 = performance.now();
    const r = await readOnce(s.client, false);
    const dt = (performance.now() - t0) / 1000;
    if (r.bytes !== size) throw new Error(`${s.name}: read ${r.bytes} bytes, expected ${size}`);
    s.best = Math.min(s.best, dt);
  }
}
const mib = size / 1048576;
console.log(`client library (AlluxioClient.read, one process), best of ${runs}, sha256 checked on a first read of each side:`);
for (const s of sides) console.log(`  ${s.name.padEnd(36)} ${(mib / s.best).toFixed(1).padStart(8)} MiB/s  (checked read: ${s.direct} bytes from page files)`);
console.log(`  ratio short-circuit/TCP: ${(sides[1]!.best / sides[0]!.best).toFixed(2)}x (target >= 1.2x)`);
for (const s of sides) await s.client.close();

// The test harness's port picker: concurrent test files (separate processes) must never be handed
// the same port, or one of them fails with EADDRINUSE before its servers listen.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PORTS = fileURLToPath(new URL('./ports.ts', import.meta.url));
const PER_PROCESS = 400;
const LOCK_DIR = join(tmpdir(), 'alluxio-ts-test-ports'); // as in ports.ts

interface Child { ports: Promise<number[]>; release(): Promise<void> }

/**
 * A process that takes PER_PROCESS ports and then stays alive, holding them, until released: a
 * test file's servers hold their ports for as long as the file runs.
 */
function pickInChild(): Child {
  const script = `import { freePort } from ${JSON.stringify(PORTS)};
    const ports = [];
    for (let i = 0; i < ${PER_PROCESS}; i++) ports.push(await freePort());
    process.stdout.write(JSON.stringify(ports) + '\\n');
    process.stdin.resume();
    process.stdin.on('end', () => process.exit(0));`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const ports = new Promise<number[]>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d;
      if (out.endsWith('\n')) resolve(JSON.parse(out) as number[]);
    });
    child.once('error', reject);
    void exited.then((code) => reject(new Error(`port picker exited with ${code} before answering`)));
  });
  return {
    ports,
    async release() {
      child.stdin!.end();
      assert.equal(await exited, 0);
    },
  };
}

test('ports handed out by concurrent processes and within one process are all distinct', async () => {
  const children = [pickInChild(), pickInChild(), pickInChild()];
  const all = (await Promise.all(children.map((c) => c.ports))).flat();
  await Promise.all(children.map((c) => c.release()));
  assert.equal(all.length, 3 * PER_PROCESS);
  const seen = new Map<number, number>();
  for (const p of all) seen.set(p, (seen.get(p) ?? 0) + 1);
  const dup = [...seen].filter(([, n]) => n > 1);
  assert.deepEqual(dup, [], 'no port was handed out twice');
});

test('locks left by a killed process are taken over, so ports are not used up', async () => {
  // A killed process cannot remove its locks; the next process must reuse those ports.
  const killed = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e',
    `import { freePort } from ${JSON.stringify(PORTS)};
     const ports = [];
     for (let i = 0; i < 1000; i++) ports.push(await freePort());
     process.stdout.write(JSON.stringify(ports));
     process.kill(process.pid, 'SIGKILL');`], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  killed.stdout.on('data', (d: Buffer) => { out += d; });
  await new Promise((resolve) => killed.once('exit', resolve));
  const killedPorts = new Set(JSON.parse(out) as number[]);
  assert.equal(killedPorts.size, 1000);
  const next = pickInChild();
  const reused = (await next.ports).filter((p) => killedPorts.has(p));
  await next.release();
  // 400 random picks from 9,000 ports miss 1,000 given ports with probability (8/9)^400, about 1e-21.
  assert.ok(reused.length > 0, 'ports locked by the killed process were taken over');
  // Only the locks still naming the killed process: one another test file took over is live.
  for (const p of killedPorts) {
    const lock = join(LOCK_DIR, String(p));
    try {
      if (readFileSync(lock, 'utf8') === String(killed.pid)) rmSync(lock, { force: true });
    } catch { /* already taken over and released */ }
  }
});

// Issue 17: `alluxio fs ls /` within 0.5 s. undici (its code and WebAssembly parser) cost a CLI call
// about 0.25 s to load, and node's global fetch loads node's bundled copy of it: a one-shot command
// calls workers and the coordinator over node:http instead. This runs CLI commands against a real
// cluster (etcd, a coordinator process, a worker) with a preload that records every module the
// process loads, ESM and CommonJS and node's internal undici, and fails when any of them is undici,
// so an import that brings the cost back fails here (no timing is asserted).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BIN } from '../support/cli.js';
import { freePort, startEtcd, waitFor, type EtcdCluster } from '../support/etcd.js';
import { makeTempDir, type TempDir } from '../support/tmp.js';
import { CoordinatorProcess, startInProcessWorker, writeEtcdConf, type EtcdClusterConf } from '../cluster/harness.js';
import type { RunningWorker } from '../../src/worker/worker-process.js';

const PRELOAD = fileURLToPath(new URL('../support/loaded-modules.mjs', import.meta.url));

interface Traced { code: number; stdout: string; stderr: string; undici: string[] }

let seq = 0;

/** Runs `node --import loaded-modules.mjs <args>`: its output and every undici module it loaded. */
function traced(dir: string, args: string[], env: Record<string, string> = {}): Promise<Traced> {
  const file = join(dir, `loaded-${seq++}.txt`);
  writeFileSync(file, '');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', PRELOAD, ...args], { env: { ...process.env, ...env, ALLUXIO_TEST_LOADED_MODULES: file }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('error', reject);
    child.on('close', (code) => {
      const lines = readFileSync(file, 'utf8').split('\n');
      assert.ok(lines.some((l) => l.startsWith('esm ')), `the preload recorded nothing: ${stderr}`);
      const undici = lines.filter((l) => /\/node_modules\/undici\/|^internal .*undici/.test(l));
      resolve({ code: code ?? -1, stdout, stderr, undici });
    });
  });
}

describe('one-shot CLI commands load no undici', () => {
  let tmp: TempDir;
  let etcd: EtcdCluster;
  let cc: EtcdClusterConf;
  let coord: CoordinatorProcess | undefined;
  let worker: RunningWorker | undefined;

  before(async () => {
    tmp = await makeTempDir('alluxio-one-shot-http-');
    const ufs = join(tmp.path, 'ufs');
    mkdirSync(join(ufs, 'dir'), { recursive: true });
    writeFileSync(join(ufs, 'hello.txt'), 'hello\n');
    etcd = await startEtcd();
    const web = await freePort();
    cc = writeEtcdConf(tmp.path, etcd.endpoints, { 'alluxio.coordinator.web.port': String(web), 'alluxio.master.mount.table.root.ufs': ufs });
    worker = await startInProcessWorker(cc, tmp.path, 0);
    coord = await CoordinatorProcess.start(cc, web);
    await waitFor('the coordinator lists the worker', async () => {
      const rows = await (await fetch(`${coord!.url}/api/v1/workers`)).json() as Array<{ status: string }>;
      return rows.some((r) => r.status === 'ONLINE');
    }, 60_000, 200);
  });

  after(async () => {
    await coord?.kill();
    await worker?.close();
    await etcd?.cleanup();
    await tmp?.cleanup();
  });

  test('the recorder sees undici loaded by require and by the global fetch', { timeout: 60_000 }, async () => {
    const script = join(tmp.path, 'loads-undici.mjs');
    writeFileSync(script, `import { createRequire } from 'node:module';
      createRequire(${JSON.stringify(BIN)})('undici');
      await fetch('http://127.0.0.1:1').catch(() => {});\n`);
    const r = await traced(tmp.path, [script]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.undici.some((l) => l.startsWith('cjs ')), r.undici.join('\n'));
    assert.ok(r.undici.some((l) => l.startsWith('internal ')), r.undici.join('\n'));
  });

  test('fs ls /, fs cat, info report and conf log answer without loading undici', { timeout: 240_000 }, async () => {
    const runs: Array<[string[], (r: Traced) => void]> = [
      [['fs', 'ls', '/'], (r) => { assert.match(r.stdout, /\/hello\.txt/); assert.match(r.stdout, /\/dir/); }],
      [['fs', 'cat', '/hello.txt'], (r) => assert.equal(r.stdout, 'hello\n')],
      [['info', 'report', '--json'], (r) => {
        const report = JSON.parse(r.stdout) as { summary: { coordinator: { status: string } }; capacity: Array<{ reachable: boolean }>; jobservice: unknown };
        assert.equal(report.summary.coordinator.status, 'ONLINE');
        assert.deepEqual(report.capacity.map((w) => w.reachable), [true]);
        assert.ok(Array.isArray(report.jobservice), String(report.jobservice));
      }],
      [['conf', 'log', '--target', `127.0.0.1:${new URL(coord!.url).port}`, '--json'], (r) => assert.ok((JSON.parse(r.stdout) as unknown[]).length > 0)],
    ];
    for (const [args, check] of runs) {
      const r = await traced(tmp.path, [BIN, ...args], cc.env);
      assert.equal(r.code, 0, `alluxio ${args.join(' ')}: ${r.stderr}`);
      check(r);
      assert.deepEqual(r.undici, [], `alluxio ${args.join(' ')} loaded undici`);
    }
  });
});

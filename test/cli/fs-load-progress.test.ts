// Issue 17: a verb that can take long shows progress on a terminal and stays quiet when piped.
// `fs load` follows its job on the coordinator: piped, only the result is printed (no progress
// lines on stderr); on a terminal (script(1) gives it one) a bar is drawn. Real etcd, a real
// coordinator process and a real worker over a local under-storage.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunningWorker } from '../../src/worker/worker-process.js';
import { BIN, runCli } from '../support/cli.js';
import { freePort, startEtcd, waitFor, type EtcdCluster } from '../support/etcd.js';
import { makeTempDir, type TempDir } from '../support/tmp.js';
import { CoordinatorProcess, startInProcessWorker, writeEtcdConf, type EtcdClusterConf } from '../cluster/harness.js';

describe('fs load progress', { timeout: 900_000 }, () => {
  let tmp: TempDir;
  let etcd: EtcdCluster;
  let cc: EtcdClusterConf;
  let worker: RunningWorker | undefined;
  let coord: CoordinatorProcess | undefined;

  before(async () => {
    tmp = await makeTempDir('alluxio-load-progress-');
    etcd = await startEtcd();
    const web = await freePort();
    cc = writeEtcdConf(tmp.path, etcd.endpoints, { 'alluxio.coordinator.web.port': String(web) });
    const root = join(tmp.path, 'root');
    mkdirSync(join(root, 'data'), { recursive: true });
    for (let i = 0; i < 8; i++) writeFileSync(join(root, 'data', `f${i}.bin`), randomBytes(128 * 1024));
    const m = await runCli(['mount', 'add', '--path', '/', '--ufs-uri', root], cc.env);
    assert.equal(m.code, 0, m.stderr);
    worker = await startInProcessWorker(cc, tmp.path, 0);
    coord = await CoordinatorProcess.start(cc, web);
    await waitFor('the coordinator to see the worker', async () => {
      const r = await fetch(`${coord!.url}/api/v1/workers`, { signal: AbortSignal.timeout(5000) });
      return r.ok && ((await r.json()) as Array<{ status: string }>).some((w) => w.status === 'ONLINE');
    }, 60_000, 200);
  });
  after(async () => {
    await coord?.kill();
    await worker?.close();
    await etcd?.cleanup();
    await tmp?.cleanup();
  });

  test('piped: only the result, no progress lines on stderr', async () => {
    // A bandwidth cap keeps the job running for seconds, so there is progress to (not) show.
    const r = await runCli(['fs', 'load', '/data', '--bandwidth', '256KB'], cc.env);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /Job State: SUCCEEDED/);
    assert.equal(r.stderr, '', 'a piped fs load printed progress');
  });

  test('on a terminal: a progress bar', async () => {
    const cmd = `${process.execPath} ${BIN} fs free /data`;
    const r = await new Promise<{ code: number; text: string }>((resolve, reject) => {
      const child = spawn('script', ['-qefc', cmd, '/dev/null'], { env: { ...process.env, ...cc.env }, stdio: ['ignore', 'pipe', 'pipe'] });
      let text = '';
      child.stdout.on('data', (d: Buffer) => { text += d.toString(); });
      child.stderr.on('data', (d: Buffer) => { text += d.toString(); });
      child.on('error', reject);
      child.on('close', (code) => resolve({ code: code ?? -1, text }));
    });
    assert.equal(r.code, 0, r.text);
    assert.match(r.text, /\r\[#*\.*\]\s+100% files \d+\/\d+/);
    assert.match(r.text, /Job State: SUCCEEDED/);
  });
});

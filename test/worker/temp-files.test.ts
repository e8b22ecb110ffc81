// A worker killed (SIGKILL) in the middle of an upload leaves its `.alluxio-tmp-*` file in the UFS;
// the next start of that worker removes it (from the record in its state dir, without scanning
// the UFS), and leaves every other file alone.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { BIN } from '../support/cli.js';
import { freePort } from '../support/ports.js';
import { makeTempDir, type TempDir } from '../support/tmp.js';

async function until(what: string, cond: () => boolean | Promise<boolean>, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) assert.fail(`timed out waiting for: ${what}`);
    await sleep(100);
  }
}

function tempFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((p) => p.split('/').pop()!.startsWith('.alluxio-tmp-'));
}

describe('UFS temp files of a killed worker', { timeout: 120_000 }, () => {
  let tmp: TempDir;
  let ufs: string;
  let ports: { http: number; s3: number; web: number };
  let proc: ChildProcess | undefined;
  let output = '';

  async function startWorker(): Promise<void> {
    output = '';
    const p = spawn(process.execPath, [BIN, 'process', 'start', 'worker'], {
      env: { ...process.env, ALLUXIO_CONF_DIR: join(tmp.path, 'conf'), ALLUXIO_LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    p.stdout!.on('data', (d: Buffer) => { output += d.toString(); });
    p.stderr!.on('data', (d: Buffer) => { output += d.toString(); });
    proc = p;
    await until('the worker is healthy', async () => {
      if (p.exitCode !== null) assert.fail(`the worker exited: ${output.slice(-2000)}`);
      return fetch(`http://127.0.0.1:${ports.http}/v1/health`, { signal: AbortSignal.timeout(1000) }).then((r) => r.ok, () => false);
    });
  }

  async function kill(): Promise<void> {
    const p = proc;
    proc = undefined;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    await new Promise((r) => { p.once('exit', r); p.kill('SIGKILL'); });
  }

  before(async () => {
    tmp = await makeTempDir('alluxio-tempfiles-');
    ufs = join(tmp.path, 'ufs');
    mkdirSync(join(ufs, 'bucket'), { recursive: true });
    writeFileSync(join(ufs, 'bucket', 'keep.txt'), 'keep me');
    const conf = join(tmp.path, 'conf');
    mkdirSync(conf);
    writeFileSync(join(conf, 'mount_table'), '');
    ports = { http: await freePort(), s3: await freePort(), web: await freePort() };
    writeFileSync(join(conf, 'workers'), `127.0.0.1:${ports.http} s3=${ports.s3} web=${ports.web}\n`);
    writeFileSync(join(conf, 'alluxio-site.properties'), [
      'alluxio.worker.membership.manager.type=STATIC',
      `alluxio.worker.static.membership.manager.config.file=${join(conf, 'workers')}`,
      'alluxio.mount.table.source=STATIC_FILE',
      `alluxio.mount.table.static.conf.file=${join(conf, 'mount_table')}`,
      `alluxio.master.mount.table.root.ufs=${ufs}`,
      'alluxio.worker.hostname=127.0.0.1',
      'alluxio.worker.bind.host=127.0.0.1',
      `alluxio.worker.http.server.port=${ports.http}`,
      `alluxio.worker.rest.port=${ports.s3}`,
      `alluxio.worker.web.port=${ports.web}`,
      `alluxio.worker.page.store.dirs=${join(tmp.path, 'pagestore')}`,
      'alluxio.worker.page.store.sizes=64MB',
      'alluxio.worker.page.store.page.size=64KB',
      `alluxio.worker.identity.uuid.file.path=${join(tmp.path, 'worker_identity')}`,
    ].join('\n') + '\n');
  });
  after(async () => {
    await kill();
    await tmp?.cleanup();
  });

  test('the temp file of an upload cut by SIGKILL is removed on the next start', async () => {
    await startWorker();
    const s = connect(ports.s3, '127.0.0.1');
    s.on('error', () => {});
    s.write('PUT /bucket/big.bin HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100000000\r\n\r\n' + 'x'.repeat(100_000));
    await until('the upload has a temp file', () => tempFiles(ufs).length === 1);
    const leftover = tempFiles(ufs)[0]!;
    await kill();
    s.destroy();
    await sleep(500);
    assert.ok(existsSync(join(ufs, leftover)), 'SIGKILL left the temp file (the case this test is about)');

    await startWorker();
    await until(`the leftover ${leftover} is removed`, () => !existsSync(join(ufs, leftover)));
    assert.deepEqual(tempFiles(ufs), []);
    assert.equal(readFileSync(join(ufs, 'bucket', 'keep.txt'), 'utf8'), 'keep me');
    assert.ok(!existsSync(join(ufs, 'bucket', 'big.bin')), 'the cut upload never became visible');
  });
});

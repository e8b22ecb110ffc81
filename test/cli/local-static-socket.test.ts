// `alluxio local start --no-etcd` with worker domain sockets: the static workers file must carry
// each worker's socket (socket=<path>), or clients with STATIC membership never use it. Real
// worker processes; the client is the CLI's, built from the cluster's conf dir.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, scrapeMetric } from '../support/cli.js';
import { freeLocalPortBase } from '../support/ports.js';
import { makeTempDir, type TempDir } from '../support/tmp.js';

const DOMAIN_BYTES = 'alluxio_worker_bytes_read_domain_total';

describe('local start --no-etcd: clients reach the workers over their domain sockets', { timeout: 600_000 }, () => {
  let tmp: TempDir;
  let state = '';
  let sockets = '';
  let env: Record<string, string> = {};
  let metricsUrls: string[] = [];
  const data = randomBytes(3 * 64 * 1024 + 17);

  before(async () => {
    tmp = await makeTempDir('alluxio-static-sock-');
    const ufs = join(tmp.path, 'ufs');
    state = join(tmp.path, 'state');
    sockets = join(tmp.path, 'sock');
    mkdirSync(ufs, { recursive: true });
    writeFileSync(join(ufs, 'a.bin'), data);
    const base = await freeLocalPortBase(2);
    env = { ALLUXIO_CONF_DIR: join(state, 'conf') };
    const r = await runCli(['local', 'start', '--no-etcd', '--workers', '2', '--ufs', ufs, '--dir', state, '--page-size', '64KB', '--cache-size', '32MB',
      '--port-base', String(base), '--conf', `alluxio.worker.data.server.domain.socket.address=${sockets}`,
      '--conf', 'alluxio.worker.data.server.domain.socket.as.uuid=true'], env);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    metricsUrls = [0, 1].map((i) => `http://127.0.0.1:${30000 + base + 100 * i}/metrics`);
  });

  after(async () => {
    if (state) await runCli(['local', 'stop', '--dir', state], env);
    await tmp?.cleanup();
  });

  test('the workers file lists each worker\'s own socket, where the worker listens', () => {
    const lines = readFileSync(join(state, 'conf', 'workers'), 'utf8').split('\n').filter((l) => l && !l.startsWith('#'));
    assert.equal(lines.length, 2);
    const paths = lines.map((l) => /\ssocket=(\S+)/.exec(l)?.[1]);
    for (const p of paths) {
      assert.ok(p?.startsWith(sockets + '/') && p.endsWith('.sock'), `socket= of a worker in ${sockets}: ${lines.join(' | ')}`);
      assert.ok(statSync(p!).isSocket(), `${p} is the socket the worker listens on`);
    }
    assert.notEqual(paths[0], paths[1]);
  });

  test('fs cat from the cluster\'s conf reads over the socket', async () => {
    const sum = async () => (await Promise.all(metricsUrls.map((u) => scrapeMetric(u, DOMAIN_BYTES)))).reduce((a, b) => a + b, 0);
    const before = await sum();
    const r = await runCli(['fs', 'cat', '/a.bin'], env);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.stdoutBytes.equals(data), 'fs cat is byte-identical');
    const moved = (await sum()) - before;
    assert.ok(moved > 0, `the read went over a worker's domain socket (${DOMAIN_BYTES} moved by ${moved})`);
  });

  test('one socket path for two workers is refused before anything starts, with the fix in the message', async () => {
    const dir = join(tmp.path, 'shared');
    const r = await runCli(['local', 'start', '--no-etcd', '--workers', '2', '--ufs', join(tmp.path, 'ufs'), '--dir', dir, '--port-base', String(await freeLocalPortBase(2)),
      '--conf', `alluxio.worker.data.server.domain.socket.address=${join(sockets, 'one.sock')}`], env);
    try {
      assert.notEqual(r.code, 0, r.stdout);
      assert.match(r.stderr, /one socket for 2 workers on this host: set alluxio\.worker\.data\.server\.domain\.socket\.as\.uuid=true/);
      assert.ok(!existsSync(join(dir, 'cluster.json')), 'no process was started');
    } finally {
      await runCli(['local', 'stop', '--dir', dir], env);
    }
  });
});

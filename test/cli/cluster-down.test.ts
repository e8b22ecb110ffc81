// What a user sees with no cluster to talk to, and when starting a second local cluster: the
// etcd-unreachable message names the endpoints and the next step (no gRPC text) and which
// configuration was used; `local stop` names the directory it looked in and the --dir it may need;
// bad numbers and taken ports are refused before anything starts.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { runCli } from '../support/cli.js';
import { freePort } from '../support/etcd.js';
import { makeTempDir, type TempDir } from '../support/tmp.js';
import { writeEtcdConf } from '../cluster/harness.js';

function noConfEnv(): Record<string, string | undefined> {
  return { ALLUXIO_CONF_DIR: undefined, ALLUXIO_JAVA_OPTS: undefined };
}

describe('CLI without a running cluster', { timeout: 600_000 }, () => {
  let tmp: TempDir;
  before(async () => { tmp = await makeTempDir('alluxio-cluster-down-'); });
  after(async () => { await tmp?.cleanup(); });

  test('fs ls / and info nodes: "cannot reach etcd at <endpoints>: is the cluster running?", no gRPC text', async () => {
    const endpoint = `http://127.0.0.1:${await freePort()}`;
    const cc = writeEtcdConf(join(tmp.path, 'conf-env'), [endpoint]);
    for (const args of [['fs', 'ls', '/'], ['info', 'nodes']]) {
      const r = await runCli(args, cc.env);
      assert.notEqual(r.code, 0, r.stdout);
      assert.ok(r.stderr.includes(`cannot reach etcd at ${endpoint}: is the cluster running? (alluxio local start)`), r.stderr);
      assert.doesNotMatch(r.stderr, /GRPC|Resolution note|UNAVAILABLE:|listing mounts failed/i);
      assert.ok(r.stderr.includes(`ALLUXIO_CONF_DIR=${cc.confDir}`), `names the configuration used: ${r.stderr}`);
    }
  });

  test('no ALLUXIO_CONF_DIR and no ./.alluxio-local: the error says the defaults are used and how to point at a --dir cluster', async () => {
    const endpoint = `http://127.0.0.1:${await freePort()}`;
    const r = await runCli(['--conf', `alluxio.etcd.endpoints=${endpoint}`, 'info', 'nodes'], noConfEnv(), tmp.path);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /ALLUXIO_CONF_DIR is not set and \.\/\.alluxio-local\/conf does not exist, so the default settings are used/);
    assert.match(r.stderr, /alluxio local start --dir DIR', export ALLUXIO_CONF_DIR=DIR\/conf/);
  });

  test('local stop with nothing running names the directory it looked in and the --dir hint', async () => {
    const r = await runCli(['local', 'stop'], noConfEnv(), tmp.path);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.stdout.includes(`No local cluster is running from ${join(tmp.path, '.alluxio-local')}`), r.stdout);
    assert.match(r.stdout, /alluxio local stop --dir DIR/);
  });

  test('local start --workers abc is refused naming the option and the value', async () => {
    const r = await runCli(['local', 'start', '--workers', 'abc', '--dir', join(tmp.path, 'nan')], noConfEnv(), tmp.path);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /--workers: expected a positive integer, got 'abc'/);
    assert.doesNotMatch(r.stderr, /NaN/);
  });

  describe('a port of the cluster is taken', () => {
    let squatter: Server | undefined;
    after(() => { squatter?.close(); });

    test('local start names the port and its owner and starts nothing', async () => {
      // A port base whose etcd peer port (2380 + base) is a port already in use: the collision
      // of two local clusters on shifted bases, reproduced with a plain listener.
      const port = await freePort();
      squatter = createServer();
      await new Promise<void>((r) => squatter!.listen(port, '127.0.0.1', r));
      const base = port - 2380;
      const dir = join(tmp.path, 'clash');
      const r = await runCli(['local', 'start', '--dir', dir, '--port-base', String(base), '--ufs', join(tmp.path, 'ufs')], noConfEnv(), tmp.path);
      try {
        assert.notEqual(r.code, 0, r.stdout);
        assert.ok(r.stderr.includes(`${port} (etcd peer) already in use`), r.stderr);
        assert.match(r.stderr, /another --port-base; nothing was started/);
        assert.ok(!existsSync(join(dir, 'cluster.json')), 'no process was started');
      } finally {
        await runCli(['local', 'stop', '--dir', dir], noConfEnv(), tmp.path);
      }
    });
  });
});

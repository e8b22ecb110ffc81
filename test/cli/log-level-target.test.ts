// `alluxio conf log` / `alluxio logLevel --target`: a host:port target may be an IPv6 literal in
// brackets ([::1]:30000, as hostPort() prints it); the URL to it is built by httpOrigin(), never
// by pasting the text after `http://`. A worker whose web port listens on ::1 answers.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../support/cli.js';
import { makeTempDir, type TempDir } from '../support/tmp.js';
import { startTestCluster, type TestCluster } from '../support/workers.js';

describe('conf log / logLevel --target [ipv6]:port', () => {
  let tmp: TempDir;
  let cluster: TestCluster;

  before(async () => {
    tmp = await makeTempDir('alluxio-log-target-');
    cluster = await startTestCluster({ dir: tmp.path, workers: 1, host: '::1' });
  });

  after(async () => {
    await cluster?.stop();
    await tmp?.cleanup();
  });

  test('[::1]:port reads and sets the level of a worker on ::1', { timeout: 120_000 }, async () => {
    const target = `[::1]:${cluster.ports[0]!.web}`;
    const set = await runCli(['logLevel', '--logName', 'pagestore', '--target', target, '--level', 'debug', '--json'], cluster.env);
    assert.equal(set.code, 0, set.stderr);
    assert.deepEqual(JSON.parse(set.stdout), [{ target, name: 'pagestore', level: 'debug' }]);
    const show = await runCli(['conf', 'log', '--target', target, '--name', 'pagestore', '--json'], cluster.env);
    assert.equal(show.code, 0, show.stderr);
    assert.deepEqual(JSON.parse(show.stdout), [{ target, name: 'pagestore', level: 'debug' }]);
  });

  test('an IPv6 target without brackets or without a port is refused with what to write', { timeout: 120_000 }, async () => {
    for (const bad of [`::1:${cluster.ports[0]!.web}`, '[::1]', '[::1]:99999']) {
      const r = await runCli(['conf', 'log', '--target', bad], cluster.env);
      assert.notEqual(r.code, 0, bad);
      assert.match(r.stderr, new RegExp(`bad --target '${bad.replace(/[[\]]/g, '\\$&')}'.*\\[ipv6\\]:port`), bad);
    }
  });
});

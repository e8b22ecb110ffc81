// CLI commands that need etcd, with etcd down: they return with a message that names the
// endpoint and says what to check (etcd running, alluxio.etcd.endpoints), not a retry storm of tens
// of seconds ending in "listing mounts failed". Three kinds of down: nothing listening on the port,
// a real etcd that was stopped, and a port that accepts connections but never answers (the
// deadline path). The bound in `cli` below is only a hang guard: the CLI's own 3 s probe timeout is
// what keeps the command short.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { runCli, type CliResult } from '../support/cli.js';
import { freePort, startEtcd, type EtcdCluster } from '../support/etcd.js';
import { makeTempDir, type TempDir } from '../support/tmp.js';
import { writeEtcdConf } from '../cluster/harness.js';

const HANG_GUARD_MS = 120_000; // node + tsx start-up alone can take 10 s on a loaded machine

async function cli(args: string[], env: Record<string, string>): Promise<CliResult> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      runCli(args, env),
      new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`alluxio ${args.join(' ')} hung for ${HANG_GUARD_MS} ms`)), HANG_GUARD_MS); }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

function assertEtcdAdvice(r: CliResult, endpoint: string): void {
  assert.notEqual(r.code, 0, r.stdout);
  assert.ok(r.stderr.includes(`cannot reach etcd at ${endpoint}: is the cluster running?`), r.stderr);
  assert.match(r.stderr, /Check that etcd is running/);
  assert.match(r.stderr, /alluxio\.etcd\.endpoints/);
  assert.match(r.stderr, /ALX_ERR_ETCD_UNAVAILABLE/);
  assert.doesNotMatch(r.stderr, /listing mounts failed/);
}

describe('CLI with etcd down', { timeout: 900_000 }, () => {
  let tmp: TempDir;
  let etcd: EtcdCluster | undefined;
  let silent: Server | undefined;
  const sockets: Socket[] = [];

  before(async () => { tmp = await makeTempDir('alluxio-etcd-down-'); });
  after(async () => {
    for (const s of sockets) s.destroy();
    silent?.close();
    await etcd?.cleanup();
    await tmp?.cleanup();
  });

  test('nothing listening on the endpoint: info nodes, mount list and fs ls say which etcd and what to check', async () => {
    const endpoint = `http://127.0.0.1:${await freePort()}`;
    const cc = writeEtcdConf(`${tmp.path}/refused`, [endpoint]);
    for (const args of [['info', 'nodes'], ['mount', 'list'], ['fs', 'ls', '/']]) assertEtcdAdvice(await cli(args, cc.env), endpoint);
  });

  test('a stopped real etcd: info nodes names it', async () => {
    etcd = await startEtcd();
    const cc = writeEtcdConf(`${tmp.path}/stopped`, etcd.endpoints);
    const up = await cli(['info', 'nodes'], cc.env);
    assert.equal(up.code, 0, up.stderr); // the same configuration works while etcd runs
    await etcd.stopAll('SIGKILL');
    assertEtcdAdvice(await cli(['info', 'nodes'], cc.env), etcd.endpoints[0]!);
  });

  test('an endpoint that accepts connections and never answers: the command gives up on its own deadline', async () => {
    const port = await freePort();
    silent = createServer((s) => { sockets.push(s); });
    await new Promise<void>((r) => silent!.listen(port, '127.0.0.1', r));
    const endpoint = `http://127.0.0.1:${port}`;
    const cc = writeEtcdConf(`${tmp.path}/silent`, [endpoint]);
    const r = await cli(['info', 'nodes'], cc.env);
    assertEtcdAdvice(r, endpoint);
    assert.ok(sockets.length > 0, 'the CLI did connect to the silent endpoint');
  });
});

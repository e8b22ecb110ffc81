// `alluxio local start` with etcd installed: a local etcd, workers with ETCD membership and an ETCD
// mount table, and the coordinator; `local stop` stops all of them, etcd included. Without etcd it
// falls back to STATIC membership and says so.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, type TempDir } from '../support/tmp.js';
import { localPortBase } from '../support/ports.js';
import { runCli } from '../support/cli.js';
import { waitFor } from '../support/etcd.js';

function alive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch { return false; }
}

describe('local cluster with etcd and the coordinator', { skip: process.env.ETCD_BIN === 'none', timeout: 900_000 }, () => {
  let tmp: TempDir;
  let state: string;
  let ufs: string;
  let env: Record<string, string>;
  const portBase = localPortBase([5, 7, 9]); // the second cluster below uses portBase + 200

  before(async () => {
    tmp = await makeTempDir('alluxio-local-etcd-');
    state = join(tmp.path, 'state');
    ufs = join(tmp.path, 'ufs');
    mkdirSync(join(tmp.path, 'more'), { recursive: true });
    mkdirSync(ufs, { recursive: true });
    writeFileSync(join(ufs, 'hello.txt'), 'hello\n');
    writeFileSync(join(tmp.path, 'more', 'm.txt'), 'more\n');
    env = { ALLUXIO_CONF_DIR: join(state, 'conf') };
  });

  after(async () => {
    await runCli(['local', 'stop', '--dir', state], env);
    await runCli(['local', 'stop', '--dir', join(tmp.path, 'static')], env);
    await tmp.cleanup();
  });

  test('starts etcd, workers and the coordinator; every part sees the others; stop ends them all', async () => {
    const r = await runCli(['local', 'start', '--workers', '2', '--ufs', ufs, '--dir', state, '--page-size', '64KB', '--cache-size', '32MB', '--port-base', String(portBase)], env);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /ETCD \(local etcd at http:\/\/127\.0\.0\.1:\d+\); coordinator running/);
    assert.match(r.stdout, /etcd-0/);
    assert.match(r.stdout, /coordinator-0/);
    const st = JSON.parse(readFileSync(join(state, 'cluster.json'), 'utf8')) as { membership: string; processes: Array<{ role: string; pid: number }> };
    assert.equal(st.membership, 'ETCD');
    assert.deepEqual(st.processes.map((p) => p.role).sort(), ['coordinator', 'etcd', 'worker', 'worker']);
    assert.match(readFileSync(join(state, 'conf', 'alluxio-site.properties'), 'utf8'), new RegExp(`alluxio.etcd.endpoints=http://127.0.0.1:${2379 + portBase}`));

    const nodes = await runCli(['info', 'nodes', '--json'], env);
    assert.equal(nodes.code, 0, nodes.stderr);
    const rows = JSON.parse(nodes.stdout) as Array<{ status: string }>;
    assert.deepEqual(rows.map((x) => x.status), ['ONLINE', 'ONLINE']);
    const coordinator = `http://127.0.0.1:${19999 + portBase}`;
    assert.equal((await fetch(`${coordinator}/api/v1/health`)).status, 200);
    const workers = await (await fetch(`${coordinator}/api/v1/workers`)).json() as unknown[];
    assert.equal(workers.length, 2);

    // A mount added through the coordinator reaches the workers through etcd.
    const add = await fetch(`${coordinator}/api/v1/mount`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ path: '/more', ufs: join(tmp.path, 'more') }) });
    assert.equal(add.status, 200, await add.clone().text());
    const list = await runCli(['mount', 'list'], env);
    assert.match(list.stdout, /more\/\s+on\s+\/more/);
    await waitFor('worker reads the new mount', async () => {
      const res = await fetch(`http://127.0.0.1:${28080 + portBase}/v1/read?path=/more/m.txt`);
      return res.ok && (await res.text()) === 'more\n';
    }, 5000);
    const cat = await runCli(['fs', 'cat', '/hello.txt'], env);
    assert.equal(cat.stdout, 'hello\n');

    const stop = await runCli(['local', 'stop', '--dir', state], env);
    assert.equal(stop.code, 0, stop.stderr);
    assert.match(stop.stdout, /Stopped 4 process/);
    for (const p of st.processes) assert.ok(!alive(p.pid), `${p.role} ${p.pid} still running after local stop`);
  });

  test('without etcd installed it falls back to STATIC membership with a clear notice', async () => {
    const dir = join(tmp.path, 'static');
    const r = await runCli(['local', 'start', '--workers', '1', '--ufs', ufs, '--dir', dir, '--page-size', '64KB', '--cache-size', '32MB', '--port-base', String(portBase + 200)],
      { ...env, ALLUXIO_CONF_DIR: join(dir, 'conf'), ALLUXIO_ETCD_BIN: join(tmp.path, 'no-such-etcd') });
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stderr, /Notice: etcd is not installed .*no-such-etcd not found.*etcd-server.*STATIC membership/);
    assert.match(r.stdout, /Membership: STATIC/);
    const st = JSON.parse(readFileSync(join(dir, 'cluster.json'), 'utf8')) as { membership: string; processes: Array<{ role: string }> };
    assert.equal(st.membership, 'STATIC');
    assert.deepEqual(st.processes.map((p) => p.role), ['worker']);
    const stop = await runCli(['local', 'stop', '--dir', dir], env);
    assert.match(stop.stdout, /Stopped 1 process/);
  });
});

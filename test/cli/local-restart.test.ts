// `alluxio local restart <process>` on a real local cluster (local etcd, coordinator, two workers),
// and `local status|stop` with a PID file whose PID now belongs to an unrelated process: it is
// reported as gone and never signalled.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, type TempDir } from '../support/tmp.js';
import { runCli } from '../support/cli.js';
import { waitFor } from '../support/etcd.js';
import { localPortBase } from '../support/ports.js';

interface Row { process: string; pid: number; status: string; rest?: string }

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('local restart and stale PIDs', { timeout: 900_000 }, () => {
  let tmp: TempDir;
  let ufs: string;
  let state: string;
  let env: Record<string, string>;
  let sleeper: ChildProcess | undefined;
  const orphans: number[] = [];
  const portBase = localPortBase([3, 4]); // slots no other test file uses
  const data = randomBytes(300_000);

  const cli = (...args: string[]) => runCli(args, env);
  const status = async (): Promise<Row[]> => {
    const r = await cli('local', 'status', '--dir', state, '--json');
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout) as Row[];
  };

  before(async () => {
    tmp = await makeTempDir('alluxio-local-restart-');
    ufs = join(tmp.path, 'ufs');
    state = join(tmp.path, 'state');
    mkdirSync(ufs, { recursive: true });
    writeFileSync(join(ufs, 'a.bin'), data);
    env = { ALLUXIO_CONF_DIR: join(state, 'conf') };
    const r = await cli('local', 'start', '--workers', '2', '--ufs', ufs, '--dir', state, '--page-size', '64KB', '--cache-size', '64MB', '--port-base', String(portBase));
    assert.equal(r.code, 0, r.stderr + r.stdout);
  });

  after(async () => {
    await runCli(['local', 'stop', '--dir', state], env);
    sleeper?.kill('SIGKILL');
    for (const pid of orphans) if (alive(pid)) process.kill(pid, 'SIGKILL');
    await tmp.cleanup();
  });

  test('restart worker-1 and the coordinator: new processes, same configuration, the cluster serves', async () => {
    const rows = await status();
    assert.deepEqual(rows.map((r) => r.status), rows.map(() => 'RUNNING'), JSON.stringify(rows));
    const old = rows.find((r) => r.process === 'worker-1')!;
    assert.ok(old, JSON.stringify(rows));

    const r = await cli('local', 'restart', 'worker-1', '--dir', state);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const after1 = (await status()).find((x) => x.process === 'worker-1')!;
    assert.notEqual(after1.pid, old.pid);
    assert.equal(after1.status, 'RUNNING');
    assert.match(r.stdout, new RegExp(`Restarted worker-1: pid ${old.pid} -> ${after1.pid}`));
    await waitFor('the old worker-1 process gone', () => !alive(old.pid), 30_000, 50);
    assert.equal((await fetch(`${after1.rest}/v1/health`)).status, 200);
    // Same configuration: the same REST port and the cluster still reads through both workers.
    assert.equal(after1.rest, old.rest);
    await waitFor('both workers in the ring again', async () => {
      const nodes = await cli('info', 'nodes', '--json');
      return nodes.code === 0 && (JSON.parse(nodes.stdout) as Array<{ status: string }>).filter((n) => n.status === 'ONLINE').length === 2;
    }, 60_000, 200);
    const cat = await cli('fs', 'cat', '/a.bin');
    assert.equal(cat.code, 0, cat.stderr);
    assert.ok(cat.stdoutBytes.equals(data));

    const coordBefore = (await status()).find((x) => x.process === 'coordinator-0')!;
    const rc = await cli('local', 'restart', 'coordinator', '--dir', state);
    assert.equal(rc.code, 0, rc.stderr + rc.stdout);
    const coordAfter = (await status()).find((x) => x.process === 'coordinator-0')!;
    assert.notEqual(coordAfter.pid, coordBefore.pid);
    assert.equal(coordAfter.status, 'RUNNING');
  });

  test('restart of a process that does not exist names the ones that do', async () => {
    const r = await cli('local', 'restart', 'worker-7', '--dir', state);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /no process 'worker-7'/);
    assert.match(r.stderr, /worker-0, worker-1/);
  });

  test('a recorded PID now held by an unrelated process: status says gone, stop leaves it alone', async () => {
    sleeper = spawn('sleep', ['100'], { stdio: 'ignore' });
    const sleepPid = sleeper.pid!;
    const file = join(state, 'cluster.json');
    const cluster = JSON.parse(readFileSync(file, 'utf8')) as { processes: Array<{ role: string; index: number; pid: number }> };
    const w0 = cluster.processes.find((p) => p.role === 'worker' && p.index === 0)!;
    orphans.push(w0.pid); // the real worker-0: this test kills it itself at the end
    w0.pid = sleepPid; // as if worker-0 had died and its PID been handed to `sleep`
    writeFileSync(file, JSON.stringify(cluster, null, 2));

    const st = await cli('local', 'status', '--dir', state);
    assert.equal(st.code, 0, st.stderr);
    assert.match(st.stdout, new RegExp(`worker-0\\s+${sleepPid}\\s+STOPPED`));
    assert.match(st.stdout, new RegExp(`worker-0: the recorded process is gone \\(pid ${sleepPid} now belongs to another process\\)`));

    const stop = await cli('local', 'stop', '--dir', state);
    assert.equal(stop.code, 0, stop.stderr);
    assert.match(stop.stdout, /worker-0: the recorded process is gone .* left alone/);
    assert.ok(alive(sleepPid), 'the unrelated process was not killed');
    assert.equal(sleeper.exitCode, null);
    assert.ok((await status()).every((r) => r.status === 'STOPPED'));
  });
});

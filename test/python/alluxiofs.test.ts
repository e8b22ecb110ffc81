// The real Python alluxiofs client (fsspec/alluxiofs, unmodified; see /work/shared/clients/README.md)
// against a real `alluxio local start` cluster of two workers: every call the client makes goes to
// our worker REST API (and, for open()/cat_file, to the S3 API on the client's fixed port 29998).
// The checks and the byte comparisons with the UFS are in alluxiofs_e2e.py; this file starts the
// cluster, runs the script, kills a worker when the script asks, and asserts on its report.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeTempDir, type TempDir } from '../support/tmp.js';
import { runCli } from '../support/cli.js';

const PAGE = 64 * 1024;
const HERE = dirname(fileURLToPath(import.meta.url));
const PYTHON = '/usr/bin/python3';
const EXAMPLE = resolve(HERE, '../../examples/pytorch/alluxiofs_dataset.py');
// The client reads through the S3 API on 29998, a constant in its const.py: so this cluster uses
// the default ports (port base 0). Two workers: a third would take 28280, the first port of the
// clusters other tests start at port base 200.
const WORKER_HTTP = [28080, 28180];
const FIXED_PORTS = [...WORKER_HTTP, 29998, 30098, 2379, 2380, 19999, 19998];

/** The shared client copy: $ALLUXIOFS_CLIENTS, or shared/clients beside the repo or its worktree. */
function clientsDir(): string | undefined {
  const candidates = [process.env.ALLUXIOFS_CLIENTS, resolve(HERE, '../../../shared/clients'), resolve(HERE, '../../../../shared/clients'), '/work/shared/clients'];
  return candidates.find((d) => d !== undefined && existsSync(join(d, 'alluxiofs', 'alluxiofs', '__init__.py')));
}

function portBusy(port: number): Promise<boolean> {
  return new Promise((done) => {
    const s = createConnection({ host: '127.0.0.1', port });
    s.once('connect', () => { s.destroy(); done(true); });
    s.once('error', () => done(false));
  });
}

const clients = clientsDir();
const missing = !clients ? 'the alluxiofs client copy is not there (set ALLUXIOFS_CLIENTS)' : !existsSync(PYTHON) ? `${PYTHON} is not installed` : undefined;

describe('alluxiofs Python client end to end', { skip: missing }, () => {
  let tmp: TempDir;
  let ufs: string;
  let state: string;
  let env: Record<string, string>;
  const a = randomBytes(5 * PAGE + 4321);

  before(async () => {
    const busy = [];
    for (const p of FIXED_PORTS) if (await portBusy(p)) busy.push(p);
    assert.deepEqual(busy, [], `ports ${busy.join(', ')} are in use: this test needs the default local cluster ports (stop 'alluxio local start' clusters on port base 0)`);
    tmp = await makeTempDir('alluxiofs-py-');
    ufs = join(tmp.path, 'ufs');
    state = join(tmp.path, 'state');
    mkdirSync(join(ufs, 'bucket'), { recursive: true });
    writeFileSync(join(ufs, 'bucket', 'a.bin'), a);
    writeFileSync(join(ufs, 'bucket', 'b.txt'), 'hello alluxiofs\n');
    env = { ALLUXIO_CONF_DIR: join(state, 'conf') };
    const r = await runCli(['local', 'start', '--workers', String(WORKER_HTTP.length), '--ufs', ufs, '--dir', state, '--page-size', '64KB', '--cache-size', '64MB', '--port-base', '0'], env);
    assert.equal(r.code, 0, r.stderr + r.stdout);
  });

  after(async () => {
    if (state) await runCli(['local', 'stop', '--dir', state], env);
    await tmp?.cleanup();
  });

  const pythonEnv = (): NodeJS.ProcessEnv => ({
    ...process.env, PYTHONPATH: ['fsspec', 'mmh3', 'alluxiofs'].map((d) => join(clients!, d)).join(':'), ALLUXIO_PYTHON_SDK_LOG_LEVEL: 'ERROR',
  });
  const hosts = WORKER_HTTP.map((p) => `127.0.0.1:${p}`).join(',');

  // examples/pytorch: a Dataset over alluxiofs and a DataLoader with two worker processes. First,
  // while both workers run (the next test kills one).
  const torchMissing = spawnSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' }).status !== 0 ? 'python3-torch is not installed (scripts/setup.sh)' : undefined;
  test('the PyTorch example reads a directory through a DataLoader with workers', { skip: torchMissing }, async () => {
    const dir = join(ufs, 'train');
    mkdirSync(dir, { recursive: true });
    const want = new Map<string, string>();
    for (let i = 0; i < 10; i++) {
      const body = randomBytes(1000 + i * 9000);
      writeFileSync(join(dir, `s${i}.bin`), body);
      want.set(`file://${dir}/s${i}.bin`, createHash('sha256').update(body).digest('hex'));
    }
    const r = spawnSync(PYTHON, [EXAMPLE, '--worker-hosts', hosts, '--root', `file://${dir}`, '--num-workers', '2', '--batch-size', '2'],
      { env: pythonEnv(), encoding: 'utf8', timeout: 240_000 });
    assert.equal(r.status, 0, `${r.stdout}\n${r.stderr.slice(-4000)}`);
    const got = new Map<string, string>();
    const loaderWorkers = new Set<string>();
    for (const line of r.stdout.split('\n')) {
      const m = /^SAMPLE (\S+) ([0-9a-f]{64}) (-?\d+)$/.exec(line);
      if (m) { got.set(m[1]!, m[2]!); loaderWorkers.add(m[3]!); }
    }
    assert.deepEqual(got, want, r.stdout);
    assert.deepEqual([...loaderWorkers].sort(), ['0', '1'], 'both DataLoader workers read samples');
    assert.match(r.stdout, /^EPOCH files=10 bytes=\d+$/m);
  });

  test('every client call works and returns the UFS bytes, also with a worker killed mid-read', async () => {
    const child = spawn(PYTHON, [join(HERE, 'alluxiofs_e2e.py'), ufs, hosts, String(PAGE)], {
      env: pythonEnv(),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let killed: number | undefined;
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /^KILL (\d+)$/m.exec(out);
      if (m && killed === undefined) {
        const httpPort = Number(m[1]);
        const st = JSON.parse(readFileSync(join(state, 'cluster.json'), 'utf8')) as { processes: Array<{ role: string; index: number; pid: number }> };
        const w = st.processes.find((p) => p.role === 'worker' && p.index === WORKER_HTTP.indexOf(httpPort))!;
        process.kill(w.pid, 'SIGKILL');
        killed = w.pid;
        child.stdin.write('go\n');
      }
    });
    const code = await new Promise<number>((done) => child.on('close', (c) => done(c ?? -1)));
    const lines = out.split('\n').filter((l) => l !== '');
    const fails = lines.filter((l) => l.startsWith('FAIL'));
    assert.deepEqual(fails, [], `${fails.join('\n')}\n--- stderr:\n${err.slice(-4000)}`);
    assert.equal(code, 0, err.slice(-4000));
    assert.ok(lines.includes('DONE'), out);
    assert.ok(killed !== undefined, 'the script never asked to kill a worker');
    const oks = lines.filter((l) => l.startsWith('OK ')).map((l) => l.slice(3));
    for (const name of ['ls', 'info', 'exists true', 'exists false', 'cat_file whole', 'cat_file ranged across pages', 'open seek read across pages',
      'read_chunked', 'head', 'tail', 'pipe_file', 'overwrite then read', 'write_page in order', 'open wb', 'touch', 'mkdir', 'mv', 'cp', 'rm from the UFS',
      'load submit/progress', 'worker killed mid-read']) {
      assert.ok(oks.includes(name), `check '${name}' did not pass:\n${out}`);
    }
    for (const note of lines.filter((l) => l.startsWith('NOTE'))) console.log(note);
  });
});

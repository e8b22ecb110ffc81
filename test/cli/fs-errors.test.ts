// The error items of issue 17 for `alluxio fs` (and the CLI around it), through the real CLI
// against in-process workers over a local UFS directory: local paths in `fs cp` are file://, an
// existing destination needs -f, a missing path is named as typed, a closed pipe ends quietly,
// `mkdir` of an existing directory is an error unless -p, numeric options name a bad value.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, runCli } from '../support/cli.js';
import { useCliCluster } from '../support/cli-cluster.js';

/** Runs a bash pipeline; `status` is the exit status of its first command (PIPESTATUS[0]). */
function pipe(cmd: string, env: Record<string, string>): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', `${cmd}; echo "STATUS=\${PIPESTATUS[0]}" >&2`], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString('latin1'); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('error', reject);
    child.on('close', () => {
      const m = /STATUS=(\d+)\n?$/.exec(stderr);
      resolve({ status: m ? Number(m[1]) : -1, stdout, stderr: stderr.replace(/STATUS=\d+\n?$/, '') });
    });
  });
}

describe('alluxio fs: errors', { timeout: 600_000 }, () => {
  const big = randomBytes(3 * 1024 * 1024 + 17);
  const fx = useCliCluster('alluxio-fs-errors-', { 'dir/': '', 'hello.txt': 'hello\n', 'big.bin': big });
  const { cli } = fx;

  test('cp: file:// marks a local path; a bare /path is an Alluxio path; a relative path is refused', async () => {
    const local = join(fx.dir, 'local-out.txt');
    let r = await cli('fs', 'cp', '/hello.txt', `file://${local}`);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(readFileSync(local, 'utf8'), 'hello\n');
    assert.match(r.stdout, new RegExp(`Copied /hello.txt to file://${local}`));

    // /tmp/... without file:// is the Alluxio path /tmp/...: nothing is written to the local /tmp.
    const name = `alluxio-fs-cp-${process.pid}-${Date.now()}.txt`;
    r = await cli('fs', 'cp', '/hello.txt', `/tmp/${name}`);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(!existsSync(`/tmp/${name}`), 'a bare /path destination was written to the local file system');
    assert.equal(readFileSync(join(fx.ufs, 'tmp', name), 'utf8'), 'hello\n');

    // A relative path is neither: refused, with the file:// form to use, and nothing copied.
    r = await runCli(['fs', 'cp', '/hello.txt', 'rel-out.txt'], fx.env, fx.dir);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /'rel-out\.txt' is a relative path: write file:\/\/.*\/rel-out\.txt for a local file/);
    assert.ok(!existsSync(join(fx.dir, 'rel-out.txt')));
  });

  test('cp refuses an existing destination without -f and overwrites it with -f', async () => {
    writeFileSync(join(fx.ufs, 'keep.txt'), 'precious\n');
    let r = await cli('fs', 'cp', '/hello.txt', '/keep.txt');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /\/keep\.txt already exists: use -f to overwrite it/);
    assert.equal(readFileSync(join(fx.ufs, 'keep.txt'), 'utf8'), 'precious\n', 'the destination changed without -f');

    const local = join(fx.dir, 'keep-local.txt');
    writeFileSync(local, 'local precious\n');
    r = await cli('fs', 'cp', '/hello.txt', `file://${local}`);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /already exists: use -f/);
    assert.equal(readFileSync(local, 'utf8'), 'local precious\n');

    r = await cli('fs', 'cp', '-f', '/hello.txt', '/keep.txt');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(readFileSync(join(fx.ufs, 'keep.txt'), 'utf8'), 'hello\n');
    r = await cli('fs', 'cp', '-f', '/hello.txt', `file://${local}`);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(readFileSync(local, 'utf8'), 'hello\n');
  });

  test('a missing path is named as typed, not by the internal operation or the UFS URI', async () => {
    for (const verb of ['cat', 'stat', 'ls', 'checksum']) {
      const r = await cli('fs', verb, '/nope.txt');
      assert.equal(r.code, 1, `${verb}: ${r.stdout}`);
      assert.match(r.stderr, /^Error: Path "\/nope\.txt" does not exist \(ALX_ERR_NOT_FOUND\)\n$/, verb);
      assert.ok(!r.stderr.includes(fx.ufs) && !r.stderr.includes('file://') && !r.stderr.includes('getStatus'), `${verb}: ${r.stderr}`);
    }
  });

  test('a closed pipe ends the command quietly (| head)', async () => {
    const cmd = `${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)}`;
    let r = await pipe(`${cmd} fs cat /big.bin | head -c10`, fx.env);
    assert.equal(Buffer.from(r.stdout, 'latin1').length, 10);
    assert.ok(r.status === 0 || r.status === 141, `fs cat exited ${r.status}: ${r.stderr}`);
    assert.equal(r.stderr, '', 'fs cat | head -c10 printed an error');

    r = await pipe(`${cmd} conf get | head -5`, fx.env);
    assert.equal(r.stdout.split('\n').length, 6);
    assert.ok(r.status === 0 || r.status === 141, `conf get exited ${r.status}: ${r.stderr}`);
    assert.equal(r.stderr, '', 'conf get | head -5 printed an error');

    // A reader that is gone before the first write: every write fails with EPIPE.
    r = await pipe(`${cmd} conf get | true`, fx.env);
    assert.ok(r.status === 0 || r.status === 141, `conf get | true exited ${r.status}: ${r.stderr}`);
    assert.equal(r.stderr, '');
  });

  test('mkdir of an existing directory is an error unless -p', async () => {
    let r = await cli('fs', 'mkdir', '/dir');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /\/dir already exists/);
    assert.doesNotMatch(r.stdout, /Successfully created/);
    r = await cli('fs', 'mkdir', '-p', '/dir');
    assert.equal(r.code, 0, r.stderr);
    r = await cli('fs', 'mkdir', '/hello.txt');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /\/hello\.txt already exists and is a file/);
    r = await cli('fs', 'mkdir', '-p', '/hello.txt');
    assert.equal(r.code, 1, 'mkdir -p over a file succeeded');
    r = await cli('fs', 'mkdir', '/new/sub');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Successfully created directory \/new\/sub/);
  });

  test('numeric options name the bad value', async () => {
    let r = await cli('fs', 'cp', '-R', '--thread', 'x', '/dir', '/dir2');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /--thread: expected a positive integer, got 'x'/);
    r = await cli('fs', 'cp', '-R', '--thread', '0', '/dir', '/dir2');
    assert.match(r.stderr, /--thread: expected a positive integer, got '0'/);
    r = await runCli(['local', 'start', '--workers', 'abc', '--dir', join(fx.dir, 'never')], fx.env);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /--workers: expected a positive integer, got 'abc'/);
    assert.doesNotMatch(r.stderr, /NaN/);
    assert.ok(!existsSync(join(fx.dir, 'never', 'state.json')), 'local start went ahead');
  });
});

// The admin verbs through the real CLI against a real local cluster (etcd, coordinator, a worker
// process): info version, info report categories, runTests, exec ufsTest, license show|status,
// collectinfo (a real tar.gz read back with tar), process stop.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BIN, runCli } from '../support/cli.js';
import { makeTempDir, type TempDir } from '../support/tmp.js';

/**
 * An odd port base between the local-cluster test slots (multiples of 200 up to 2600, +100 per
 * worker) and the bench's 2800: no other test's cluster uses its ports, and every port stays below
 * the kernel's ephemeral range. `local start` checks them all before it starts anything.
 */
function oddPortBase(): number {
  return 2601 + 2 * Math.floor(Math.random() * 75);
}

describe('admin verbs on a local cluster', { timeout: 900_000 }, () => {
  let tmp: TempDir;
  let ufs: string;
  let state: string;
  let env: Record<string, string | undefined>;
  let startOutput = '';
  const cli = (...args: string[]) => runCli(args, env, tmp.path);
  const version = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

  before(async () => {
    tmp = await makeTempDir('alluxio-admin-verbs-');
    ufs = join(tmp.path, 'ufs');
    state = join(tmp.path, 'state');
    mkdirSync(ufs);
    writeFileSync(join(ufs, 'hello.txt'), 'hello\n');
    env = { ALLUXIO_CONF_DIR: undefined, ALLUXIO_JAVA_OPTS: undefined };
    let r = await cli('local', 'start', '--workers', '1', '--ufs', ufs, '--dir', state, '--cache-size', '64MB', '--page-size', '64KB', '--port-base', String(oddPortBase()));
    if (r.code !== 0 && /already in use/.test(r.stderr)) r = await cli('local', 'start', '--workers', '1', '--ufs', ufs, '--dir', state, '--cache-size', '64MB', '--page-size', '64KB', '--port-base', String(oddPortBase()));
    assert.equal(r.code, 0, r.stderr + r.stdout);
    startOutput = r.stdout;
    // A custom --dir: the printed stop hint must carry it, or it stops nothing.
    assert.ok(r.stdout.includes(`alluxio local stop --dir ${state}`), r.stdout);
    env = { ...env, ALLUXIO_CONF_DIR: join(state, 'conf') };
  });
  after(async () => {
    if (state) await runCli(['local', 'stop', '--dir', state], {}, tmp.path);
    await tmp?.cleanup();
  });

  test('every endpoint local start prints answers (no port is advertised that nothing serves)', async () => {
    const ports = [...new Set([...startOutput.matchAll(/\/\/127\.0\.0\.1:(\d+)/g)].map((m) => Number(m[1])))];
    assert.ok(ports.length >= 4, startOutput);
    const silent: number[] = [];
    for (const port of ports) {
      const ok = await new Promise<boolean>((resolve) => {
        const s = connect({ host: '127.0.0.1', port });
        s.setTimeout(5000);
        s.once('connect', () => { s.destroy(); resolve(true); });
        s.once('error', () => resolve(false));
        s.once('timeout', () => { s.destroy(); resolve(false); });
      });
      if (!ok) silent.push(port);
    }
    assert.deepEqual(silent, [], `printed by local start but not answering:\n${startOutput}`);
  });

  test('info version prints the package version', async () => {
    const r = await cli('info', 'version');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), version);
  });

  test('info report takes a category and refuses an unknown one', async () => {
    let r = await cli('info', 'report', 'ufs');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`Mounts:\\n\\s+\\S*${ufs.replace(/[/.]/g, '\\$&')}\\S*\\s+on\\s+/`));
    assert.doesNotMatch(r.stdout, /Workers:|Cluster:/, 'only the ufs category');
    r = await cli('info', 'report', 'capacity');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /WorkerId\s+Address\s+Status/);
    assert.match(r.stdout, /\sONLINE\s/);
    const metrics = JSON.parse((await cli('info', 'report', 'metrics', '--json')).stdout) as Record<string, unknown>;
    assert.equal(metrics['Cluster.Workers'], 1);
    r = await cli('info', 'report');
    assert.equal(r.code, 0, r.stderr);
    for (const section of ['Cluster:', 'Workers:', 'Mounts:', 'Metrics:', 'Jobs:']) assert.ok(r.stdout.includes(section), `${section} in\n${r.stdout}`);
    assert.match(r.stdout, /Coordinator:\s+\S+ \(ONLINE\)/);
    r = await cli('info', 'report', 'bogus');
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /unknown report category 'bogus': expected one of summary, capacity, ufs, metrics, jobservice/);
  });

  test('runTests writes, reads back and deletes files through every mount and leaves nothing behind', async () => {
    const r = await cli('runTests');
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /^\/\s+\S+\s+PASS\s+3\b/m);
    assert.match(r.stdout, /All 1 mount\(s\) passed/);
    assert.deepEqual(readdirSync(ufs).filter((f) => f.startsWith('.alluxio-runTests')), []);
    const missing = await cli('runTests', '--path', '/nope');
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /no mount at \/nope/);
  });

  test('exec ufsTest passes on a writable directory and fails (exit 1) naming the operation on a file', async () => {
    const dir = join(tmp.path, 'ufs-test');
    mkdirSync(dir);
    let r = await cli('exec', 'ufsTest', '--path', dir);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /write a file\s+PASS/);
    assert.match(r.stdout, /rename a file\s+PASS/);
    assert.match(r.stdout, /All 12 operations passed/);
    assert.deepEqual(readdirSync(dir), [], 'the scratch directory is removed');
    r = await cli('exec', 'ufsTest', '--path', join(ufs, 'hello.txt'), '--json');
    assert.equal(r.code, 1, r.stderr + r.stdout);
    const json = JSON.parse(r.stdout) as { passed: boolean; results: Array<{ op: string; status: string; error?: string }> };
    assert.equal(json.passed, false);
    const failed = json.results.find((x) => x.status === 'FAIL');
    assert.ok(failed?.error, JSON.stringify(json));
    assert.equal(json.results.at(-1)!.status, 'SKIP');
  });

  test('license status and show read alluxio.license (as the operator passes it) and never print the license string', async () => {
    const doc = { owner: 'Example Corp', cluster: 'prod', expirationDate: '2099-01-01T00:00:00Z', signature: 'c2lnbmF0dXJlLXNlY3JldA' };
    const lic = Buffer.from(JSON.stringify(doc)).toString('base64');
    const withLicense = { ...env, ALLUXIO_JAVA_OPTS: `-Dalluxio.license=${lic}` };
    let r = await runCli(['license', 'status'], withLicense, tmp.path);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /License:\s+VALID/);
    assert.match(r.stdout, /Expires:\s+2099-01-01T00:00:00\.000Z/);
    assert.match(r.stdout, /Source:\s+.*ALLUXIO_JAVA_OPTS|Source:\s+java/i);
    r = await runCli(['license', 'show'], withLicense, tmp.path);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /owner:\s+Example Corp/);
    assert.ok(!r.stdout.includes(lic) && !r.stdout.includes(doc.signature), r.stdout);
    const expired = Buffer.from(JSON.stringify({ expirationDate: '2001-01-01T00:00:00Z' })).toString('base64');
    r = await cli('--conf', `alluxio.license=${expired}`, 'license', 'status');
    assert.match(r.stdout, /License:\s+EXPIRED/);
    r = await cli('license', 'status');
    assert.match(r.stdout, /License:\s+NONE/);
  });

  test('collectinfo writes a tar.gz with configuration, per-process metrics and info, the report and logs; secrets redacted', async () => {
    const secret = Buffer.from(JSON.stringify({ owner: 'x', expirationDate: '2099-01-01' })).toString('base64');
    const out = join(tmp.path, 'info.tar.gz');
    // A process that echoed the secret into its log: the archive must not carry it out.
    writeFileSync(join(state, 'logs', 'leak.log'), `started with license ${secret}\n`);
    const r = await cli('--conf', `alluxio.license=${secret}`, 'collectinfo', '--output', out);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.ok(existsSync(out));
    const names = execFileSync('tar', ['tzf', out], { encoding: 'utf8' }).trim().split('\n');
    for (const n of ['conf/properties.txt', 'conf/alluxio-site.properties', 'report/info-report.json', 'processes/coordinator/metrics.prom', 'processes/coordinator/info.json']) {
      assert.ok(names.includes(n), `${n} in ${names.join(' ')}`);
    }
    assert.ok(names.some((n) => /^processes\/worker-.*\/metrics\.prom$/.test(n)), names.join(' '));
    assert.ok(names.some((n) => /^logs\/.*worker-0\.log$/.test(n)), names.join(' '));
    const x = join(tmp.path, 'x');
    mkdirSync(x);
    execFileSync('tar', ['xzf', out, '-C', x]);
    const props = readFileSync(join(x, 'conf/properties.txt'), 'utf8');
    assert.match(props, /^alluxio\.license=\*\*\*/m);
    assert.match(readFileSync(join(x, 'processes/coordinator/metrics.prom'), 'utf8'), /^# (HELP|TYPE) /m);
    assert.match(readFileSync(join(x, 'logs', names.find((n) => n.endsWith('leak.log'))!.slice('logs/'.length)), 'utf8'), /started with license \*\*\*/);
    const grep = spawnSync('grep', ['-rl', secret, x], { encoding: 'utf8' });
    assert.equal(grep.status, 1, `the license string is in ${grep.stdout}`);
  });

  test('fs ls / with the coordinator up reads workers and mounts over its REST API: etcd3/gRPC, pino and prom-client are never loaded', async () => {
    // A module-resolution hook in the CLI's process records every npm package it resolves.
    const hook = join(tmp.path, 'hook.mjs');
    writeFileSync(hook, `export async function resolve(s, c, next) {
  const r = await next(s, c);
  const m = /node_modules\\/(etcd3|pino|prom-client)\\//.exec(r.url);
  if (m) process.stderr.write('LOADED-' + m[1] + '\\n');
  return r;
}\n`);
    const register = join(tmp.path, 'register.mjs');
    writeFileSync(register, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hook).href)});\n`);
    const r = spawnSync(process.execPath, ['--import', register, BIN, 'fs', 'ls', '/'], { env: { ...process.env, ...env } as NodeJS.ProcessEnv, cwd: tmp.path, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /hello\.txt/);
    assert.doesNotMatch(r.stderr, /LOADED-/); // no etcd3 (gRPC), and no logging or metrics package: a CLI call exports no metrics and logs nothing here
  });

  test('process stop worker stops the local worker only', async () => {
    const r = await cli('process', 'stop', 'worker', '--dir', state);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Stopped worker-0 \(pid \d+\)/);
    const status = JSON.parse((await cli('local', 'status', '--dir', state, '--json')).stdout) as Array<{ process: string; status: string }>;
    assert.equal(status.find((p) => p.process === 'worker-0')!.status, 'STOPPED');
    assert.equal(status.find((p) => p.process === 'coordinator-0')!.status, 'RUNNING');
    const again = await cli('process', 'stop', 'worker', '--dir', state);
    assert.match(again.stdout, /No worker process of a local cluster is running/);
  });
});

import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { BIN } from '../support/cli.js';

// Start-up cost is what a command imports: a command group's module (and the client, etcd/gRPC,
// undici, pino, prom-client, the S3 SDK behind it) must load only when the command line names
// that group. A module-resolution hook in the CLI's process records every npm package resolved.
const HEAVY = ['etcd3', 'undici', 'pino', 'prom-client', '@aws-sdk/client-s3', '@kubernetes/client-node', 'cockatiel'];

const dir = mkdtempSync(join(tmpdir(), 'alluxio-lazy-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const hook = join(dir, 'hook.mjs');
writeFileSync(hook, `export async function resolve(s, c, next) {
  const r = await next(s, c);
  const m = /node_modules\\/((?:@[^/]+\\/)?[^/]+)\\//.exec(r.url);
  if (m) process.stderr.write('LOADED-PACKAGE ' + m[1] + '\\n');
  return r;
}\n`);
const registerHook = join(dir, 'register.mjs');
writeFileSync(registerHook, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hook).href)});\n`);

/** Runs the CLI with the hook: its stdout, exit code, and the npm packages it resolved. */
function run(args: string[]): Promise<{ code: number; stdout: string; packages: Set<string> }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', registerHook, BIN, ...args], { cwd: dir, env: { ...process.env, ALLUXIO_CONF_DIR: dir }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('error', reject);
    child.on('close', (code) => {
      const packages = new Set([...stderr.matchAll(/^LOADED-PACKAGE (\S+)$/gm)].map((m) => m[1]!));
      resolve({ code: code ?? -1, stdout, packages });
    });
  });
}

const heavyIn = (packages: Set<string>) => HEAVY.filter((p) => packages.has(p));

test('--version, --help, conf get, getConf and formatJournal load none of the client, etcd, logging or metrics packages', { timeout: 120_000 }, async () => {
  for (const args of [['--version'], ['--help'], ['conf', 'get', 'alluxio.worker.web.port'], ['getConf', 'alluxio.worker.web.port'], ['formatJournal']]) {
    const r = await run(args);
    assert.equal(r.code, 0, `alluxio ${args.join(' ')}`);
    assert.ok(r.packages.has('commander'), 'the hook sees the packages the CLI resolves');
    assert.deepEqual(heavyIn(r.packages), [], `alluxio ${args.join(' ')} loaded them`);
  }
});

test('--help still lists every command group; help of a group loads that group only', { timeout: 120_000 }, async () => {
  const top = await run(['--help']);
  for (const g of ['fs', 'fuse', 'job', 'mount', 'conf', 'getConf', 'logLevel', 'info', 'fsadmin', 'license', 'exec', 'runTests', 'collectinfo', 'format', 'formatJournal', 'formatMasters', 'formatWorker', 'process', 'ring', 'local', 'operator', 'k8s']) assert.match(top.stdout, new RegExp(`^  ${g}\\b`, 'm'), g);
  const fs = await run(['help', 'fs']);
  assert.equal(fs.code, 0);
  assert.match(fs.stdout, /^  ls \[options\] <path>/m);
  assert.match(fs.stdout, /^  cp \[options\] <src> <dst>/m);
  const k8s = await run(['k8s', '--help']);
  assert.match(k8s.stdout, /^  render \[options\]/m);
});

test('a command that needs the client still loads no undici: it calls workers over node:http', { timeout: 120_000 }, async () => {
  // No cluster: the command fails after building its client (test/cli/one-shot-http.test.ts runs
  // it against a real cluster, and also sees CommonJS requires and node's bundled undici).
  const r = await run(['--conf', 'alluxio.worker.membership.manager.type=STATIC', 'fs', 'ls', '/']);
  assert.notEqual(r.code, 0);
  assert.ok(r.packages.has('commander'), 'the hook sees the packages the CLI resolves');
  assert.ok(!r.packages.has('undici'), [...r.packages].join(' '));
});

import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const REPO = fileURLToPath(new URL('../../', import.meta.url));

// What `npm install -g` of the packed tarball gives a user: prepack builds dist/, the tarball holds
// only what runs, and the installed `alluxio` works without the devDependencies (tsx, typescript).
// The tarball is packed from a copy of the repo so that its build never rewrites this clone's dist/
// under other tests. Dependencies come from npm's cache when they are there, else from the registry.
const work = mkdtempSync(join(tmpdir(), 'alluxio-pack-'));
after(() => rmSync(work, { recursive: true, force: true }));

test('the packed tarball installs into a prefix and its alluxio runs without tsx', { timeout: 600_000 }, async () => {
  const copy = join(work, 'repo');
  for (const f of ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'README.md', 'LICENSE', 'bin', 'src', 'resources', 'test', 'bench', 'deploy']) {
    cpSync(join(REPO, f), join(copy, f), { recursive: true });
  }
  symlinkSync(join(REPO, 'node_modules'), join(copy, 'node_modules'));

  const packed = await run('npm', ['pack', '--json', '--pack-destination', work], { cwd: copy, maxBuffer: 64 << 20 });
  const [info] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('['))) as { filename: string; files: { path: string }[] }[];
  const paths = info!.files.map((f) => f.path);
  assert.ok(paths.includes('dist/cli/main.js'), 'the tarball holds the compiled CLI');
  assert.ok(paths.includes('bin/alluxio.js'));
  assert.ok(paths.includes('resources/alluxio-property-keys/keys.txt'), 'the known-key lists the configuration loader reads');
  assert.ok(paths.includes('deploy/grafana/alluxio-dashboard.json'), 'the dashboard the operator puts in its Grafana ConfigMap');
  const extra = paths.filter((p) => /^(test|bench|src|node_modules)\/|^deploy\/(?!grafana\/)/.test(p) || p.endsWith('.ts') && !p.endsWith('.d.ts'));
  assert.deepEqual(extra, [], 'no tests, benches or TypeScript sources in the tarball');

  const prefix = join(work, 'prefix');
  await run('npm', ['install', '-g', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', join(work, info!.filename)], { cwd: work, maxBuffer: 64 << 20 });
  const installed = join(prefix, 'lib', 'node_modules', 'alluxio-ts');
  assert.deepEqual(readdirSync(join(installed, 'node_modules')).filter((n) => n === 'tsx' || n === 'typescript'), [], 'devDependencies are not installed');

  // A clean environment: no conf dir of this machine, run from the temp dir (no .alluxio-local).
  const alluxio = join(prefix, 'bin', 'alluxio');
  const env = { PATH: process.env.PATH, HOME: work };
  const version = await run(alluxio, ['--version'], { cwd: work, env });
  assert.equal(version.stdout.trim(), (await import('../../package.json', { with: { type: 'json' } })).default.version);
  const port = await run(alluxio, ['conf', 'get', 'alluxio.worker.web.port'], { cwd: work, env });
  assert.equal(port.stdout.trim(), '30000');
  const rendered = await run(alluxio, ['k8s', 'render', '-f', join(REPO, 'deploy/examples/alluxio-cluster.yaml')], { cwd: work, env, maxBuffer: 64 << 20 });
  assert.match(rendered.stdout, /^kind: StatefulSet$/m);
  assert.match(rendered.stdout, /^kind: ConfigMap$/m);
});

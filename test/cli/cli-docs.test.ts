// The CLI reference and help: docs/cli.md is what `npm run docs:cli` generates from the command
// definitions today; every command has a description and an example; help names the environment.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fullProgram, leafCommands, renderCliReference } from '../../src/cli/cli-reference.js';
import { commandPath, EXAMPLES } from '../../src/cli/examples.js';
import { runCli } from '../support/cli.js';

test('docs/cli.md is current (regenerate with: npm run docs:cli)', { timeout: 120_000 }, async () => {
  const current = readFileSync(new URL('../../docs/cli.md', import.meta.url), 'utf8');
  assert.ok(current === await renderCliReference(), 'docs/cli.md differs from the command definitions: run `npm run docs:cli` and commit docs/cli.md');
});

test('every command has a description and at least one example; every example names a real command', { timeout: 120_000 }, async () => {
  const leaves = leafCommands(await fullProgram());
  const paths = new Set(leaves.map(commandPath));
  for (const c of leaves) {
    const path = commandPath(c);
    assert.ok(c.description().trim(), `alluxio ${path} has no description`);
    const examples = EXAMPLES[path];
    assert.ok(examples && examples.length > 0, `alluxio ${path} has no example in src/cli/examples.ts`);
    for (const e of examples) assert.ok(e.startsWith(`alluxio ${path}`), `example of ${path} runs something else: ${e}`);
  }
  for (const key of Object.keys(EXAMPLES)) assert.ok(paths.has(key), `src/cli/examples.ts has examples for 'alluxio ${key}', which does not exist`);
});

test('help shows the examples of a command and the environment variables', { timeout: 120_000 }, async () => {
  const top = await runCli(['--help']);
  assert.equal(top.code, 0);
  assert.match(top.stdout, /ALLUXIO_CONF_DIR\s+directory of alluxio-site\.properties/);
  assert.match(top.stdout, /ALLUXIO_LOG_LEVEL\s+log level/);
  const ls = await runCli(['fs', 'ls', '--help']);
  assert.equal(ls.code, 0);
  assert.match(ls.stdout, /Examples:\n {2}\$ alluxio fs ls \//);
  assert.match(ls.stdout, /ALLUXIO_CONF_DIR/);
  const report = await runCli(['help', 'info']);
  assert.match(report.stdout, /version \[options\]/);
});

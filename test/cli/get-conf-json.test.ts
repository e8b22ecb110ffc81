// `alluxio getConf --json` (the 2.x verb, with the --json every listing verb takes): every property
// with a value as {key: value}, with --source as {key: {value, source}}, one key as {name, value,
// source}; --unit applies; secrets stay ***; the values equal what the text form prints.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../support/cli.js';

test('getConf --json lists what the text form prints, with sources, units and secrets redacted', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'alluxio-getconf-'));
  try {
    writeFileSync(join(dir, 'alluxio-site.properties'), 'alluxio.worker.page.store.sizes=2GB\ns3a.secretKey=very-secret-value\n');
    const env = { ALLUXIO_CONF_DIR: dir };
    const text = await runCli(['getConf'], env);
    assert.equal(text.code, 0, text.stderr);
    const all = await runCli(['getConf', '--json'], env);
    assert.equal(all.code, 0, all.stderr);
    const obj = JSON.parse(all.stdout) as Record<string, string>;
    const lines = text.stdout.trim().split('\n');
    assert.equal(Object.keys(obj).length, lines.length, 'one JSON entry per text line');
    for (const line of lines) {
      const i = line.indexOf('=');
      assert.equal(obj[line.slice(0, i)], line.slice(i + 1), line);
    }
    assert.equal(obj['alluxio.worker.page.store.sizes'], '2GB');
    assert.ok(!all.stdout.includes('very-secret-value'), 'the secret is not printed');

    const src = JSON.parse((await runCli(['getConf', '--json', '--source', '--unit', 'MB'], env)).stdout) as Record<string, { value: string; source: string }>;
    assert.deepEqual(src['alluxio.worker.page.store.sizes'], { value: '2048', source: `SITE_PROPERTY (${join(dir, 'alluxio-site.properties')})` });
    assert.equal(src['alluxio.worker.rpc.port']?.source, 'DEFAULT');

    const one = await runCli(['getConf', '--json', 'alluxio.worker.rpc.port'], env);
    assert.deepEqual(JSON.parse(one.stdout), { name: 'alluxio.worker.rpc.port', value: '29999', source: 'DEFAULT' });
    const bad = await runCli(['getConf', '--json', 'alluxio.worker.page.store.size'], env);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /did you mean 'alluxio\.worker\.page\.store\.sizes'/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

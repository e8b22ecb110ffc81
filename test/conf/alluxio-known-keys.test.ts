// Every key Alluxio defines (resources/alluxio-property-keys/) loads with a warning; a typo still
// stops with an error naming the key and the closest known one.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { InvalidConfError } from '../../src/common/errors.js';
import type { ConfigInput } from '../../src/conf/config-source.js';
import { AlluxioConfiguration } from '../../src/conf/configuration.js';
import { findProperty } from '../../src/conf/property-keys.js';

const CLI = { kind: 'cli' } as const;
const DIR = new URL('../../resources/alluxio-property-keys/', import.meta.url);
const list = (f: string) => readFileSync(new URL(f, DIR), 'utf8').split('\n').filter(Boolean).map((l) => l.split('\t')[0]!);

function conf(values: Record<string, string>, warnings: string[] = []): AlluxioConfiguration {
  const inputs: ConfigInput[] = Object.entries(values).map(([key, value]) => ({ key, value, source: CLI, location: '--conf' }));
  return AlluxioConfiguration.fromInputs(inputs, { cwd: '/opt/alluxio', onWarning: (m) => warnings.push(m) });
}

function confError(values: Record<string, string>): string {
  try { conf(values); } catch (err) {
    assert.ok(err instanceof InvalidConfError);
    return err.message;
  }
  assert.fail('expected the configuration to be rejected');
}

describe('known Alluxio property keys', () => {
  it('accepts an Alluxio 3.x key, a 2.x alias and a template instance that alluxio-ts does not use, with a warning', () => {
    const keys = ['alluxio.master.metastore', 'alluxio.user.network.data.timeout.ms', 'alluxio.master.mount.table.data.option.fs.s3a.endpoint'];
    for (const k of keys) assert.equal(findProperty(k), undefined, `${k} is not an alluxio-ts property`);
    const warnings: string[] = [];
    conf(Object.fromEntries(keys.map((k) => [k, 'x'])), warnings);
    for (const k of keys) assert.ok(warnings.some((w) => w.includes(k) && w.includes('known Alluxio property, not used by alluxio-ts')), `warning for ${k}: ${warnings.join(' | ')}`);
  });

  it('accepts every key and alias of Alluxio 3.x and 2.x', () => {
    const all = new Set([...list('keys.txt'), ...list('keys-2x.txt'), ...list('aliases.txt'), ...list('aliases-2x.txt')]);
    const unused = [...all].filter((k) => !findProperty(k));
    assert.ok(unused.length > 900, `${unused.length} keys`);
    const warnings: string[] = [];
    conf(Object.fromEntries(unused.map((k) => [k, 'x'])), warnings);
    assert.equal(warnings.length, unused.length);
  });

  it('a typo is still an error naming the key and the closest known key', () => {
    assert.match(confError({ 'alluxio.worker.page.store.sise': '1GB' }), /unknown property 'alluxio\.worker\.page\.store\.sise' \(did you mean 'alluxio\.worker\.page\.store\.sizes'\?\)/);
    assert.match(confError({ 'alluxio.master.metastor': 'ROCKS' }), /unknown property 'alluxio\.master\.metastor' \(did you mean 'alluxio\.master\.metastore'\?\)/);
  });
});

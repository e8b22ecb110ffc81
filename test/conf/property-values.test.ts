import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PropertySpec, PropertyType } from '../../src/conf/property-spec.js';
import { expectedForm, parsePropertyValue, splitList } from '../../src/conf/property-values.js';

function spec(type: PropertyType, extra: Partial<PropertySpec> = {}): PropertySpec {
  return { name: 'test.key', type, default: undefined, description: 'a test property', scope: 'all', ...extra };
}

function parse(s: PropertySpec, text: string): unknown {
  const r = parsePropertyValue(s, text);
  return r.ok ? r.value : 'INVALID';
}

const MiB = 1024 * 1024;

describe('property values', () => {
  it('parses sizes with binary units (MB means MiB)', () => {
    const s = spec('size');
    assert.equal(parse(s, '512MB'), 512 * MiB);
    assert.equal(parse(s, '90Gi'), 90 * 1024 * MiB);
    assert.equal(parse(s, '1GB'), 1024 * MiB);
    assert.equal(parse(s, '4096'), 4096);
    assert.equal(parse(s, '1.5k'), 1536);
    assert.equal(parse(s, '90XB'), 'INVALID');
    assert.equal(parse(s, '-1MB'), 'INVALID');
    assert.equal(parse(s, ''), 'INVALID');
    assert.equal(parse(spec('size', { min: 1 }), '0'), 'INVALID');
  });

  it('parses durations to milliseconds', () => {
    const s = spec('duration');
    assert.equal(parse(s, '10s'), 10_000);
    assert.equal(parse(s, '2min'), 120_000);
    assert.equal(parse(s, '500ms'), 500);
    assert.equal(parse(s, '250'), 250);
    assert.equal(parse(s, '1h'), 3_600_000);
    assert.equal(parse(s, '10 parsecs'), 'INVALID');
  });

  it('parses enums in any case to the declared upper-case value', () => {
    const s = spec('enum', { values: ['LRU', 'LFU', 'FIFO'] });
    assert.equal(parse(s, 'lfu'), 'LFU');
    assert.equal(parse(s, 'FIFO'), 'FIFO');
    assert.equal(parse(s, 'ARC'), 'INVALID');
    assert.equal(expectedForm(s), 'one of LRU, LFU, FIFO');
  });

  it('parses lists and size lists, trimming and dropping empty entries', () => {
    assert.deepEqual(splitList(' /a , /b,, /c '), ['/a', '/b', '/c']);
    assert.deepEqual(parse(spec('list'), 'allow_other, kernel_cache'), ['allow_other', 'kernel_cache']);
    assert.deepEqual(parse(spec('list'), ''), []);
    assert.deepEqual(parse(spec('sizeList'), '512MB, 1GB'), [512 * MiB, 1024 * MiB]);
    assert.equal(parse(spec('sizeList'), '512MB,90XB'), 'INVALID');
  });

  it('parses ints and bools strictly, with bounds', () => {
    const port = spec('int', { min: 0, max: 65535 });
    assert.equal(parse(port, '29999'), 29999);
    assert.equal(parse(port, '+80'), 80);
    assert.equal(parse(port, '65536'), 'INVALID');
    assert.equal(parse(port, '-1'), 'INVALID');
    assert.equal(parse(port, '8080.5'), 'INVALID');
    assert.equal(parse(port, '1e3'), 'INVALID');
    assert.equal(parse(spec('int'), '99999999999999999999'), 'INVALID');
    assert.equal(expectedForm(port), 'an integer, from 0 to 65535');
    assert.equal(expectedForm(spec('int', { min: 0 })), 'an integer, at least 0');
    assert.equal(parse(spec('bool'), 'TRUE'), true);
    assert.equal(parse(spec('bool'), 'false'), false);
    assert.equal(parse(spec('bool'), 'yes'), 'INVALID');
  });

  it('freezes parsed lists so a caller cannot change the configuration', () => {
    const v = parse(spec('list'), 'a,b') as string[];
    assert.throws(() => { v.push('c'); }, TypeError);
  });
});

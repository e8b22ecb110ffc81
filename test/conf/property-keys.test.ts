import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  IGNORED_KEYS, PROPERTIES, findIgnoredKey, findProperty, suggestProperty,
} from '../../src/conf/property-keys.js';
import type { PropertySpec } from '../../src/conf/property-spec.js';
import { PROPERTY_SPEC_SCHEMA } from '../../src/conf/property-spec-schema.js';
import { parsePropertyValue } from '../../src/conf/property-values.js';

const ALL = PROPERTIES as readonly PropertySpec[];

describe('the property table', () => {
  it('has every declaration well formed and every name (and alias) once', () => {
    const names = new Set<string>();
    for (const spec of ALL) {
      const r = PROPERTY_SPEC_SCHEMA.safeParse(spec);
      assert.ok(r.success, `${spec.name}: ${r.success ? '' : r.error.message}`);
      for (const n of [spec.name, ...(spec.aliases ?? [])]) {
        assert.ok(!names.has(n), `${n} declared twice`);
        names.add(n);
      }
    }
  });

  it('has a schema that catches malformed declarations', () => {
    const good = { name: 'alluxio.x', type: 'int', default: '1', description: 'a test property', scope: 'all' };
    assert.ok(PROPERTY_SPEC_SCHEMA.safeParse(good).success);
    for (const bad of [
      { ...good, type: 'enum' }, // enum without values
      { ...good, values: ['A', 'B'] }, // values on an int
      { ...good, type: 'string', min: 1 },
      { ...good, scope: 'master' },
      { ...good, name: 'has space' },
      { ...good, dynamicDefault: 'cwd' }, // both defaults
      { ...good, defualt: '1' }, // a misspelt field
    ]) assert.equal(PROPERTY_SPEC_SCHEMA.safeParse(bad).success, false, JSON.stringify(bad));
  });

  it('has every default parse under its own type (references aside)', () => {
    for (const spec of ALL) {
      if (spec.default === undefined) continue;
      // A default like ${alluxio.home}/conf is a string; a reference inside a typed value would be checked at load.
      if (spec.default.includes('${')) {
        assert.ok(['string', 'list'].includes(spec.type), `${spec.name}: references only in string or list defaults`);
        continue;
      }
      const r = parsePropertyValue(spec, spec.default);
      assert.ok(r.ok, `default '${spec.default}' of ${spec.name} does not parse as ${spec.type}`);
      if (spec.type === 'enum') assert.equal(r.value, spec.default, `${spec.name}: enum default written in upper case`);
    }
  });

  it('declares the keys DESIGN §3/§4 name, with Alluxio\'s defaults', () => {
    const expected: Record<string, string | undefined> = {
      'alluxio.cluster.name': 'DefaultAlluxioCluster',
      'alluxio.coordinator.rpc.port': '19998',
      'alluxio.coordinator.web.port': '19999',
      'alluxio.worker.http.server.port': '28080',
      'alluxio.worker.rest.port': '29998',
      'alluxio.worker.s3.https.port': '29996',
      'alluxio.worker.rpc.port': '29999',
      'alluxio.worker.data.port': '29997',
      'alluxio.worker.web.port': '30000',
      'alluxio.fuse.web.port': '49999',
      'alluxio.etcd.endpoints': 'http://localhost:2379',
      'alluxio.worker.page.store.page.size': '1MB',
      'alluxio.worker.page.store.evictor.type': 'LRU',
      'alluxio.worker.page.store.local.store.file.buckets': '1000',
      'alluxio.user.worker.selection.policy': 'CONSISTENT',
      'alluxio.user.consistent.hash.virtual.node.count.per.worker': '5',
      'alluxio.user.ketama.hash.replicas': '200',
      'alluxio.user.maglev.hash.lookup.size': '65537',
      'alluxio.user.multi.probe.hash.probe.num': '21',
      'alluxio.user.dynamic.consistent.hash.ring.enabled': 'true',
      'alluxio.dora.client.ufs.fallback.enabled': 'true',
      'alluxio.fuse.mount.options': 'allow_other,kernel_cache,entry_timeout=60,attr_timeout=60',
      'alluxio.worker.identity.uuid': undefined,
      'alluxio.license': undefined,
    };
    for (const [name, def] of Object.entries(expected)) {
      const spec = findProperty(name);
      assert.ok(spec, `${name} is declared`);
      assert.equal(spec.default, def, name);
    }
    assert.deepEqual(findProperty('alluxio.worker.membership.manager.type')?.values, ['STATIC', 'ETCD', 'NOOP']);
    assert.deepEqual(findProperty('alluxio.mount.table.source')?.values, ['ETCD', 'STATIC_FILE']);
  });

  it('marks credentials secret, and only credentials', () => {
    const secret = ALL.filter((s) => s.secret).map((s) => s.name).sort();
    assert.deepEqual(secret, ['alluxio.etcd.password', 'alluxio.license', 'aws.secretKey', 's3a.secretKey']);
    for (const spec of ALL) {
      if (/password|secret/i.test(spec.name)) assert.equal(spec.secret, true, `${spec.name} should be secret`);
    }
  });

  it('resolves aliases to their property', () => {
    assert.equal(findProperty('alluxio.logs.dir')?.name, 'alluxio.log.dir');
    assert.equal(findProperty('alluxio.nope'), undefined);
  });
});

describe('ignored Alluxio keys', () => {
  it('match exactly or by pattern, and never shadow a declared property', () => {
    assert.ok(findIgnoredKey('alluxio.master.hostname'));
    assert.ok(findIgnoredKey('alluxio.worker.ramdisk.size'));
    // 2.x tiered-store keys are declared now (worker/page-store-from-conf.ts), so never ignored.
    assert.equal(findIgnoredKey('alluxio.worker.tieredstore.level0.dirs.path'), undefined);
    assert.equal(findIgnoredKey('alluxio.master.hostnames'), undefined);
    assert.equal(findIgnoredKey('alluxio.worker.page.store.dirs'), undefined);
    for (const spec of ALL) assert.equal(findIgnoredKey(spec.name), undefined, spec.name);
    for (const k of IGNORED_KEYS) assert.ok(k.reason.length > 5, `${k.pattern} has a reason`);
  });
});

describe('suggestProperty', () => {
  it('suggests the declared key a typo was meant to be', () => {
    assert.equal(suggestProperty('alluxio.worker.page.store.sizez'), 'alluxio.worker.page.store.sizes');
    assert.equal(suggestProperty('alluxio.worker.pagestore.dirs'), 'alluxio.worker.page.store.dirs');
    assert.equal(suggestProperty('ALLUXIO.CLUSTER.NAME'), 'alluxio.cluster.name');
    assert.equal(suggestProperty('alluxio.etcd.endpoint'), 'alluxio.etcd.endpoints');
  });

  it('suggests nothing for a key unlike any declared one', () => {
    assert.equal(suggestProperty('fs.s3a.impl'), undefined);
    assert.equal(suggestProperty('alluxio.something.else.entirely'), undefined);
  });
});

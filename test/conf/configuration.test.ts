import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidConfError } from '../../src/common/errors.js';
import type { ConfigInput } from '../../src/conf/config-source.js';
import { AlluxioConfiguration } from '../../src/conf/configuration.js';

const CLI = { kind: 'cli' } as const;

/** A configuration from `key=value` pairs given as --conf, quietly. */
function conf(values: Record<string, string>, warnings: string[] = []): AlluxioConfiguration {
  const inputs: ConfigInput[] = Object.entries(values).map(([key, value]) => ({ key, value, source: CLI, location: '--conf' }));
  return AlluxioConfiguration.fromInputs(inputs, { cwd: '/opt/alluxio', onWarning: (m) => warnings.push(m) });
}

function confError(values: Record<string, string>): string {
  try {
    conf(values);
  } catch (err) {
    assert.ok(err instanceof InvalidConfError, `expected InvalidConfError, got ${String(err)}`);
    assert.equal(err.code, 'ALX_ERR_INVALID_CONF');
    return err.message;
  }
  assert.fail('expected the configuration to be rejected');
}

const MiB = 1024 * 1024;

describe('AlluxioConfiguration getters', () => {
  it('returns typed values, parsed from user values and defaults', () => {
    const c = conf({
      'alluxio.worker.page.store.sizes': '512MB, 90Gi',
      'alluxio.worker.page.store.dirs': '/mnt/a,/mnt/b',
      'alluxio.worker.page.store.evictor.type': 'lfu',
      'alluxio.worker.rpc.port': '31000',
      'alluxio.etcd.tls.enabled': 'TRUE',
      'alluxio.worker.failure.detection.timeout': '2min',
    });
    assert.deepEqual(c.getSizeList('alluxio.worker.page.store.sizes'), [512 * MiB, 90 * 1024 * MiB]);
    assert.deepEqual(c.getList('alluxio.worker.page.store.sizes'), ['512MB', '90Gi']);
    assert.deepEqual(c.getList('alluxio.worker.page.store.dirs'), ['/mnt/a', '/mnt/b']);
    assert.equal(c.getEnum('alluxio.worker.page.store.evictor.type'), 'LFU');
    assert.equal(c.getInt('alluxio.worker.rpc.port'), 31000);
    assert.equal(c.getBool('alluxio.etcd.tls.enabled'), true);
    assert.equal(c.getDuration('alluxio.worker.failure.detection.timeout'), 120_000);
    // defaults
    assert.equal(c.getSize('alluxio.worker.page.store.page.size'), MiB);
    assert.equal(c.getDuration('alluxio.user.worker.list.refresh.interval'), 120_000);
    assert.equal(c.getInt('alluxio.user.maglev.hash.lookup.size'), 65537);
    assert.equal(c.getString('alluxio.cluster.name'), 'DefaultAlluxioCluster');
    assert.equal(c.getString('alluxio.worker.page.store.evictor.type'), 'lfu', 'getString gives the value as written');
    assert.equal(c.getEnum('alluxio.user.worker.selection.policy'), 'CONSISTENT');
  });

  it('trims values, reads aliases as their property, and tells set from unset', () => {
    const c = conf({ 'alluxio.logs.dir': '  /var/log/alluxio  ', 'alluxio.worker.hostname': 'w1 ' });
    assert.equal(c.get('alluxio.log.dir'), '/var/log/alluxio');
    assert.equal(c.get('alluxio.logs.dir'), '/var/log/alluxio');
    assert.equal(c.get('alluxio.worker.hostname'), 'w1');
    assert.equal(c.get('alluxio.license'), undefined);
    assert.equal(c.isSet('alluxio.license'), false);
    assert.equal(c.isSet('alluxio.cluster.name'), true);
    assert.equal(c.isSetByUser('alluxio.cluster.name'), false);
    assert.equal(c.isSetByUser('alluxio.worker.hostname'), true);
    assert.throws(() => c.getString('alluxio.license'), /alluxio.license is not set/);
  });

  it('types enum reads and catches misspelt keys at compile time', () => {
    const c = conf({ 'alluxio.worker.page.store.type': 'mem' });
    const type: 'LOCAL' | 'MEM' = c.getEnum('alluxio.worker.page.store.type');
    assert.equal(type, 'MEM');
    // @ts-expect-error a misspelt key is a type error (and, from a plain string, a runtime error)
    assert.throws(() => c.getInt('alluxio.worker.rpc.prot'), /did you mean 'alluxio.worker.rpc.port'/);
  });

  it('refuses a typed read of the wrong type or an unknown key', () => {
    const c = conf({});
    // Deliberately outside the typed key unions, as a caller with a plain string would be.
    assert.throws(() => c.getInt('alluxio.worker.page.store.page.size' as never), /is of type size, not int/);
    assert.throws(() => c.get('alluxio.worker.page.store.sizez'), (err: unknown) =>
      err instanceof InvalidConfError && /did you mean 'alluxio.worker.page.store.sizes'/.test(err.message));
    assert.equal(c.get('alluxio.master.hostname'), undefined, 'an ignored key reads as unset');
  });

  it('is immutable', () => {
    const c = conf({ 'alluxio.worker.page.store.dirs': '/a' });
    const dirs = c.getList('alluxio.worker.page.store.dirs') as string[];
    assert.throws(() => dirs.push('/b'), TypeError);
    assert.throws(() => { (c as unknown as { warnings: string[] }).warnings = []; }, TypeError);
    const display = c.toDisplayMap();
    display['alluxio.cluster.name'] = 'changed';
    assert.equal(c.get('alluxio.cluster.name'), 'DefaultAlluxioCluster');
  });
});

describe('AlluxioConfiguration validation', () => {
  it('rejects an unknown key, suggesting the closest declared one', () => {
    assert.equal(
      confError({ 'alluxio.worker.page.store.sizez': '1GB' }),
      "unknown property 'alluxio.worker.page.store.sizez' (did you mean 'alluxio.worker.page.store.sizes'?) (in --conf)",
    );
    assert.equal(confError({ 'fs.s3a.impl': 'x' }), "unknown property 'fs.s3a.impl' (in --conf)");
  });

  it('rejects a bad value, naming the key and the accepted form', () => {
    const msg = confError({ 'alluxio.worker.page.store.sizes': '90XB' });
    assert.match(msg, /^invalid value '90XB' for alluxio.worker.page.store.sizes: expected a comma-separated list of sizes, each .*512MB.*MB means MiB/);
    assert.match(confError({ 'alluxio.worker.page.store.evictor.type': 'ARC' }),
      /^invalid value 'ARC' for alluxio.worker.page.store.evictor.type: expected one of LRU, LFU, FIFO/);
    assert.match(confError({ 'alluxio.worker.rpc.port': '70000' }),
      /^invalid value '70000' for alluxio.worker.rpc.port: expected an integer, from 0 to 65535/);
    assert.match(confError({ 'alluxio.etcd.tls.enabled': 'yes' }), /expected true or false/);
    assert.match(confError({ 'alluxio.user.metadata.cache.expiration.time': 'soon' }), /expected .*10s, 2min/);
  });

  it('reports every problem at once, one per line', () => {
    const msg = confError({
      'alluxio.worker.page.store.sizez': '1GB',
      'alluxio.worker.page.store.page.size': '0',
      'alluxio.job.retries': 'many',
    });
    const lines = msg.split('\n');
    assert.equal(lines.length, 3);
    assert.ok(lines.some((l) => l.startsWith("unknown property 'alluxio.worker.page.store.sizez'")));
    assert.ok(lines.some((l) => l.startsWith("invalid value '0' for alluxio.worker.page.store.page.size: expected") && l.includes('at least 1 byte')));
    assert.ok(lines.some((l) => l.startsWith("invalid value 'many' for alluxio.job.retries")));
  });

  it('never shows a secret in an error', () => {
    const msg = confError({ 's3a.secretKey': 'hunter2', 'alluxio.worker.rpc.port': '${s3a.secretKey}' });
    assert.match(msg, /invalid value '\*\*\*' for alluxio.worker.rpc.port/);
    assert.doesNotMatch(msg, /hunter2/);
  });

  it('accepts ignored Alluxio keys with a warning', () => {
    const warnings: string[] = [];
    const c = conf({ 'alluxio.master.hostname': 'm1', 'alluxio.worker.block.store.type': 'TIERED', 'alluxio.cluster.name': 'c1' }, warnings);
    assert.equal(c.get('alluxio.cluster.name'), 'c1');
    assert.equal(warnings.length, 2);
    assert.match(warnings[0]!, /^ignoring alluxio.master.hostname \(in --conf\): there is no master/);
    assert.match(warnings[1]!, /^ignoring alluxio.worker.block.store.type/);
    assert.deepEqual(c.warnings, warnings);
    assert.equal(c.isSet('alluxio.master.hostname'), false);
  });
});

describe('${key} substitution', () => {
  it('substitutes references in defaults and user values, transitively', () => {
    const c = conf({ 'alluxio.home': '/srv/alluxio', 'alluxio.worker.page.store.dirs': '${alluxio.tmp.dirs}/cache, ${alluxio.home}/cache2' });
    assert.equal(c.get('alluxio.conf.dir'), '/srv/alluxio/conf');
    assert.equal(c.get('alluxio.worker.identity.uuid.file.path'), '/srv/alluxio/conf/worker_identity', 'two levels deep');
    assert.deepEqual(c.getList('alluxio.worker.page.store.dirs'), ['/tmp/cache', '/srv/alluxio/cache2']);
    assert.equal(c.source('alluxio.conf.dir').kind, 'default', 'the source is where the value was written');
  });

  it('uses the working directory as alluxio.home by default', () => {
    assert.equal(conf({}).get('alluxio.home'), '/opt/alluxio');
    assert.equal(conf({}).get('alluxio.log.dir'), '/opt/alluxio/logs');
  });

  it('substitutes before validating, so a reference can feed a typed property', () => {
    const c = conf({ 'alluxio.worker.web.port': '31000', 'alluxio.fuse.web.port': '${alluxio.worker.web.port}' });
    assert.equal(c.getInt('alluxio.fuse.web.port'), 31000);
  });

  it('reports a cycle once, whichever key it is entered from', () => {
    const msg = confError({ 'alluxio.home': '${alluxio.log.dir}', 'alluxio.log.dir': '${alluxio.home}/logs' });
    assert.match(msg, /cycle in property references: alluxio.home -> alluxio.log.dir -> alluxio.home/);
    assert.equal(msg.match(/cycle/g)?.length, 1);
    assert.match(confError({ 'alluxio.cluster.name': '${alluxio.cluster.name}' }),
      /cycle in property references: alluxio.cluster.name -> alluxio.cluster.name/);
  });

  it('rejects a reference to an unknown or unset key', () => {
    assert.match(confError({ 'alluxio.cluster.name': '${alluxio.cluster.nmae}' }),
      /alluxio.cluster.name refers to \$\{alluxio.cluster.nmae\}: unknown property 'alluxio.cluster.nmae' \(did you mean 'alluxio.cluster.name'\?\)/);
    assert.match(confError({ 'alluxio.cluster.name': 'c-${alluxio.license}' }),
      /alluxio.cluster.name refers to \$\{alluxio.license\}, which is not set/);
  });

  it('leaves text that is not a complete reference alone', () => {
    assert.equal(conf({ 'alluxio.cluster.name': 'a$b${' }).get('alluxio.cluster.name'), 'a$b${');
  });
});

describe('display', () => {
  it('redacts secrets, including values that take in a secret by reference', () => {
    const c = conf({
      's3a.accessKeyId': 'AKIA123',
      's3a.secretKey': 'hunter2',
      'alluxio.etcd.password': 'pw',
      'alluxio.worker.s3.auth.credentials.file': '/x/${s3a.secretKey}',
    });
    const shown = c.toDisplayMap();
    assert.equal(shown['s3a.accessKeyId'], 'AKIA123');
    assert.equal(shown['s3a.secretKey'], '***');
    assert.equal(shown['alluxio.etcd.password'], '***');
    assert.equal(shown['alluxio.worker.s3.auth.credentials.file'], '***');
    assert.equal('alluxio.license' in shown, false, 'unset properties are left out');
    assert.doesNotMatch(JSON.stringify(shown), /hunter2|pw"/);
    assert.equal(c.get('s3a.secretKey'), 'hunter2', 'the program itself reads the real value');
    const entry = c.entries().find((e) => e.name === 's3a.secretKey')!;
    assert.equal(entry.displayValue, '***');
    assert.deepEqual(entry.source, { kind: 'cli' });
  });

  it('lists every declared property in entries(), sorted', () => {
    const names = conf({}).entries().map((e) => e.name);
    assert.deepEqual(names, [...names].sort(), 'code-unit order');
    assert.deepEqual(names, [...names].sort((a, b) => a.localeCompare(b)), 'the order a listing printed before (localeCompare)');
    assert.ok(names.includes('alluxio.license'));
    assert.ok(names.includes('alluxio.worker.page.store.dirs'));
  });

  it('gives the user-set values as written, for a child process', () => {
    const c = conf({ 'alluxio.home': '/h', 'alluxio.worker.page.store.dirs': '${alluxio.home}/c' });
    assert.deepEqual(c.userValues(), { 'alluxio.home': '/h', 'alluxio.worker.page.store.dirs': '${alluxio.home}/c' });
  });
});

describe('withOverrides', () => {
  it('derives a validated configuration and leaves the original unchanged', () => {
    const base = conf({ 'alluxio.underfs.s3.region': 'us-west-2' });
    const mount = base.withOverrides({ 'alluxio.underfs.s3.region': 'eu-west-1', 's3a.secretKey': 'k' }, 'mount /s3');
    assert.equal(mount.get('alluxio.underfs.s3.region'), 'eu-west-1');
    assert.deepEqual(mount.source('alluxio.underfs.s3.region'), { kind: 'override', detail: 'mount /s3' });
    assert.equal(base.get('alluxio.underfs.s3.region'), 'us-west-2');
    assert.equal(base.get('s3a.secretKey'), undefined);
    assert.throws(() => base.withOverrides({ 'alluxio.underfs.s3.max.error.retry': 'x' }), /invalid value 'x' for alluxio.underfs.s3.max.error.retry/);
    assert.throws(() => base.withOverrides({ 'alluxio.underfs.s3.regoin': 'x' }), /did you mean 'alluxio.underfs.s3.region'/);
  });

  it('re-resolves references against the overridden values', () => {
    const derived = conf({}).withOverrides({ 'alluxio.home': '/elsewhere' });
    assert.equal(derived.get('alluxio.conf.dir'), '/elsewhere/conf');
  });
});

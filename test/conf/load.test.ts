import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { InvalidConfError } from '../../src/common/errors.js';
import { splitJavaOpts, systemPropertiesOf } from '../../src/conf/java-opts.js';
import { loadConfiguration, type LoadOptions } from '../../src/conf/load.js';

const root = mkdtempSync(join(tmpdir(), 'alluxio-conf-load-'));
after(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;

/** A fresh conf dir holding `site` as alluxio-site.properties (none when undefined). */
function confDir(site?: string): string {
  const dir = join(root, `conf${dirs++}`);
  mkdirSync(dir, { recursive: true });
  if (site !== undefined) writeFileSync(join(dir, 'alluxio-site.properties'), site);
  return dir;
}

/** Loads with an empty environment unless given, collecting warnings. */
function load(opts: LoadOptions, warnings: string[] = []) {
  return loadConfiguration({ env: {}, cwd: root, onWarning: (m) => warnings.push(m), ...opts });
}

describe('loadConfiguration precedence', () => {
  it('applies defaults < site file < java opts < --conf < overrides, and reports each source', () => {
    const dir = confDir([
      'alluxio.cluster.name=from-site',
      'alluxio.worker.hostname=from-site',
      'alluxio.worker.rpc.port=1001',
      'alluxio.worker.data.port=1002',
      'alluxio.worker.web.port=1003',
    ].join('\n'));
    const c = load({
      env: { ALLUXIO_CONF_DIR: dir, ALLUXIO_JAVA_OPTS: '-Xmx2g -Dalluxio.worker.hostname=from-java -Dalluxio.worker.rpc.port=2001 -Dalluxio.worker.data.port=2002' },
      cliConf: ['alluxio.worker.rpc.port=3001', 'alluxio.worker.data.port=3002'],
      overrides: { 'alluxio.worker.data.port': '4002' },
    });
    const sitePath = join(dir, 'alluxio-site.properties');
    assert.equal(c.get('alluxio.coordinator.rpc.port'), '19998');
    assert.deepEqual(c.source('alluxio.coordinator.rpc.port'), { kind: 'default' });
    assert.equal(c.get('alluxio.cluster.name'), 'from-site');
    assert.deepEqual(c.source('alluxio.cluster.name'), { kind: 'site-properties', detail: sitePath });
    assert.equal(c.getInt('alluxio.worker.web.port'), 1003);
    assert.equal(c.get('alluxio.worker.hostname'), 'from-java');
    assert.deepEqual(c.source('alluxio.worker.hostname'), { kind: 'java-opts', detail: 'ALLUXIO_JAVA_OPTS' });
    assert.equal(c.getInt('alluxio.worker.rpc.port'), 3001);
    assert.deepEqual(c.source('alluxio.worker.rpc.port'), { kind: 'cli' });
    assert.equal(c.getInt('alluxio.worker.data.port'), 4002);
    assert.deepEqual(c.source('alluxio.worker.data.port'), { kind: 'override' });
  });

  it('puts ALLUXIO_HOME and ALLUXIO_LOGS_DIR above the site file and below -D options', () => {
    const dir = confDir('alluxio.home=/site/home\nalluxio.logs.dir=/site/logs\n');
    const c = load({ env: { ALLUXIO_CONF_DIR: dir, ALLUXIO_HOME: '/env/home', ALLUXIO_LOGS_DIR: '/env/logs' } });
    assert.equal(c.get('alluxio.home'), '/env/home');
    assert.deepEqual(c.source('alluxio.home'), { kind: 'env', detail: 'ALLUXIO_HOME' });
    assert.equal(c.get('alluxio.log.dir'), '/env/logs');
    const d = load({ env: { ALLUXIO_CONF_DIR: dir, ALLUXIO_HOME: '/env/home' }, javaOpts: '-Dalluxio.home=/java/home' });
    assert.equal(d.get('alluxio.home'), '/java/home');
    assert.deepEqual(d.source('alluxio.home'), { kind: 'java-opts', detail: 'javaOpts option' });
  });

  it('loads defaults alone when the site file is missing', () => {
    const c = load({ confDir: confDir() });
    assert.equal(c.get('alluxio.cluster.name'), 'DefaultAlluxioCluster');
    assert.equal(c.entries().every((e) => e.source.kind === 'default' || e.name === 'alluxio.conf.dir'), true);
  });
});

describe('loadConfiguration conf dir', () => {
  it('reads the site file from confDir, then ALLUXIO_CONF_DIR, then alluxio.conf.dir, then ${alluxio.home}/conf', () => {
    const a = confDir('alluxio.cluster.name=a');
    const b = confDir('alluxio.cluster.name=b');
    const c = confDir('alluxio.cluster.name=c');
    const home = join(root, 'home');
    mkdirSync(join(home, 'conf'), { recursive: true });
    writeFileSync(join(home, 'conf', 'alluxio-site.properties'), 'alluxio.cluster.name=home');

    assert.equal(load({ confDir: a, env: { ALLUXIO_CONF_DIR: b } }).get('alluxio.cluster.name'), 'a');
    const byEnv = load({ env: { ALLUXIO_CONF_DIR: b }, cliConf: [`alluxio.conf.dir=${c}`] });
    assert.equal(byEnv.get('alluxio.cluster.name'), 'b');
    assert.equal(byEnv.get('alluxio.conf.dir'), b, 'alluxio.conf.dir names the directory actually read');
    assert.deepEqual(byEnv.source('alluxio.conf.dir'), { kind: 'env', detail: 'ALLUXIO_CONF_DIR' });
    assert.equal(load({ cliConf: [`alluxio.conf.dir=${c}`] }).get('alluxio.cluster.name'), 'c');
    const byHome = load({ javaOpts: `-Dalluxio.home=${home}` });
    assert.equal(byHome.get('alluxio.cluster.name'), 'home');
    assert.equal(load({ cwd: home }).get('alluxio.cluster.name'), 'home', 'alluxio.home defaults to the working directory');
  });

  it('ignores alluxio.conf.dir inside the site file, with a warning', () => {
    const dir = confDir('alluxio.conf.dir=/elsewhere\n');
    const warnings: string[] = [];
    const c = load({ confDir: dir }, warnings);
    assert.equal(c.get('alluxio.conf.dir'), dir);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /ignoring alluxio.conf.dir \(in .*alluxio-site.properties:1\)/);
  });
});

describe('loadConfiguration errors and warnings', () => {
  it('names the file and line of an unknown key or bad value in the site file', () => {
    const dir = confDir('# site\nalluxio.worker.page.store.sizez=1GB\nalluxio.worker.page.store.sizes=90XB\n');
    const site = join(dir, 'alluxio-site.properties');
    assert.throws(() => load({ confDir: dir }), (err: unknown) => {
      assert.ok(err instanceof InvalidConfError);
      const [first, second] = err.message.split('\n');
      assert.equal(first, `unknown property 'alluxio.worker.page.store.sizez' (did you mean 'alluxio.worker.page.store.sizes'?) (in ${site}:2)`);
      assert.match(second!, new RegExp(`^invalid value '90XB' for alluxio.worker.page.store.sizes: expected .* \\(in ${site}:3\\)$`));
      return true;
    });
  });

  it('reports a site file syntax error with file and line', () => {
    const dir = confDir('alluxio.cluster.name=ok\nalluxio.license=\\u00zz\n');
    assert.throws(() => load({ confDir: dir }), new RegExp(`alluxio-site.properties:2: malformed \\\\uXXXX escape in the value of alluxio.license`));
  });

  it('warns about ignored Alluxio keys from a site file copied from Alluxio\'s guides, and loads', () => {
    const dir = confDir([
      'alluxio.master.hostname=localhost',
      'alluxio.master.journal.type=UFS',
      'alluxio.worker.ramdisk.size=1GB',
      'alluxio.user.file.writetype.default=CACHE_THROUGH',
      'alluxio.worker.page.store.dirs=/mnt/cache',
    ].join('\n'));
    const warnings: string[] = [];
    const c = load({ confDir: dir }, warnings);
    assert.deepEqual(c.getList('alluxio.worker.page.store.dirs'), ['/mnt/cache']);
    assert.equal(warnings.length, 4);
    assert.ok(warnings.every((w) => w.startsWith('ignoring alluxio.')));
  });

  it('takes only our -D options from ALLUXIO_JAVA_OPTS, rejecting unknown alluxio.* ones', () => {
    const c = load({ javaOpts: '-Xmx4g -XX:+UseG1GC -Dlog4j.configuration=file:/x -Djava.net.preferIPv4Stack=true -Ds3a.accessKeyId=AK -Dalluxio.cluster.name=j' });
    assert.equal(c.get('alluxio.cluster.name'), 'j');
    assert.equal(c.get('s3a.accessKeyId'), 'AK');
    assert.throws(() => load({ javaOpts: '-Dalluxio.worker.hostnme=x' }),
      /unknown property 'alluxio.worker.hostnme' \(did you mean 'alluxio.worker.hostname'\?\) \(in javaOpts option -Dalluxio.worker.hostnme\)/);
  });

  it('rejects a --conf without key=value', () => {
    assert.throws(() => load({ cliConf: ['alluxio.cluster.name'] }), /bad --conf 'alluxio.cluster.name': expected key=value/);
    assert.throws(() => load({ cliConf: ['=x'] }), /expected key=value/);
  });

  it('rejects a non-string override value', () => {
    assert.throws(() => load({ overrides: { 'alluxio.worker.rpc.port': 1 as unknown as string } }), InvalidConfError);
  });
});

describe('ALLUXIO_JAVA_OPTS words', () => {
  it('splits like a shell, honouring quotes and escapes', () => {
    assert.deepEqual(splitJavaOpts(`  -Da=1   -Db="two words" -Dc='it''s' -Dd=x\\ y "-De=q"  `),
      ['-Da=1', '-Db=two words', '-Dc=its', '-Dd=x y', '-De=q']);
    assert.throws(() => splitJavaOpts('-Da="open'), /ALLUXIO_JAVA_OPTS: unterminated " quote/);
  });

  it('takes -Dkey=value and -Dkey, skipping other options', () => {
    assert.deepEqual(systemPropertiesOf('-Xss1m -Dk=v=w -Dflag -D -server'), [
      { key: 'k', value: 'v=w' },
      { key: 'flag', value: '' },
    ]);
  });
});

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '../../src/common/logging.js';
import { createEtcdClient, etcdClientOptionsFromProperties, toEtcd3Options } from '../../src/membership/etcd-client.js';
import { EtcdMembershipManager } from '../../src/membership/etcd-membership-manager.js';
import { startEtcdWithAuth, type EtcdAuthCluster } from '../support/etcd.js';
import { testWorker } from './fixtures.js';

describe('etcd client options', () => {
  it('reads the alluxio.etcd.* properties', () => {
    const o = etcdClientOptionsFromProperties({
      'alluxio.etcd.endpoints': 'http://e0:2379, e1:2379',
      'alluxio.etcd.username': 'alluxio',
      'alluxio.etcd.password': 's3cr3t',
    });
    assert.deepEqual(o, { endpoints: ['http://e0:2379', 'e1:2379'], username: 'alluxio', password: 's3cr3t' });
    assert.deepEqual(toEtcd3Options(o).hosts, ['http://e0:2379', 'http://e1:2379']);

    const tls = etcdClientOptionsFromProperties({ 'alluxio.etcd.endpoints': 'e0:2379', 'alluxio.etcd.tls.enabled': 'true', 'alluxio.etcd.tls.ca.cert': '/ca.pem' });
    assert.deepEqual(tls.tls, { ca: '/ca.pem', cert: undefined, key: undefined });
    assert.throws(() => toEtcd3Options(tls), /cannot read alluxio\.etcd\.tls\.ca\.cert file \/ca\.pem: ENOENT/);
    assert.deepEqual(toEtcd3Options({ endpoints: ['e0:2379'], tls: {} }).hosts, ['https://e0:2379']);
  });

  it('loads TLS files and checks that cert and key come together', () => {
    const dir = mkdtempSync(join(tmpdir(), 'alluxio-etcd-tls-'));
    try {
      for (const f of ['ca.pem', 'cert.pem', 'key.pem']) writeFileSync(join(dir, f), `-----BEGIN ${f}-----\n`);
      const o = toEtcd3Options({ endpoints: ['https://e0:2379'], tls: { ca: join(dir, 'ca.pem'), cert: join(dir, 'cert.pem'), key: join(dir, 'key.pem') } });
      assert.equal(o.credentials?.rootCertificate.toString(), '-----BEGIN ca.pem-----\n');
      assert.equal(o.credentials?.certChain?.toString(), '-----BEGIN cert.pem-----\n');
      assert.throws(() => toEtcd3Options({ endpoints: ['e0:2379'], tls: { cert: join(dir, 'cert.pem') } }), /client\.cert and alluxio\.etcd\.tls\.client\.key go together/);
      assert.throws(() => toEtcd3Options({ endpoints: ['http://e0:2379'], tls: {} }), /says http but alluxio\.etcd\.tls\.enabled=true/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects bad settings naming the property, never echoing the password', () => {
    assert.throws(() => etcdClientOptionsFromProperties({}), /alluxio\.etcd\.endpoints is not set/);
    assert.throws(() => toEtcd3Options({ endpoints: [] }), /alluxio\.etcd\.endpoints is empty/);
    assert.throws(() => toEtcd3Options({ endpoints: ['e0'] }), /bad etcd endpoint 'e0'.*host:port/);
    assert.throws(() => toEtcd3Options({ endpoints: ['e0:99999'] }), /bad etcd endpoint/);
    assert.throws(() => etcdClientOptionsFromProperties({ 'alluxio.etcd.endpoints': 'e:1', 'alluxio.etcd.tls.enabled': 'yes' }), /tls\.enabled: expected true or false/);
    assert.throws(() => toEtcd3Options({ endpoints: ['e:1'], username: 'u' }), /password is not/);
    assert.throws(() => toEtcd3Options({ endpoints: ['e:1'], password: 'hunter2-secret' }), (err: Error) => {
      assert.match(err.message, /username is not/);
      assert.equal(err.message.includes('hunter2-secret'), false);
      return true;
    });
  });
});

describe('etcd password auth against a real etcd', () => {
  let etcd: EtcdAuthCluster;
  before(async () => { etcd = await startEtcdWithAuth(); });
  after(async () => { await etcd?.cleanup(); });

  it('works with the right password; the wrong one fails without showing it', async () => {
    const log = createLogger('test', 'silent');
    const m = new EtcdMembershipManager({ etcd: { endpoints: etcd.endpoints, username: etcd.username, password: etcd.password }, clusterName: 'c-auth', logger: log, failureDetectionTimeoutMs: 2000 });
    try {
      await m.join(testWorker('10.9.0.1', 28080));
      assert.equal((await m.liveWorkers()).length, 1);
    } finally {
      await m.close();
    }

    const anon = createEtcdClient({ endpoints: etcd.endpoints, dialTimeoutMs: 2000 });
    try {
      await assert.rejects(anon.getAll().prefix('/ServiceDiscovery/').keys(), /user name is empty|permission denied|not authenticated|token/i);
    } finally {
      anon.close();
    }

    const wrongPassword = 'wrong-password-4711';
    const bad = new EtcdMembershipManager({ etcd: { endpoints: etcd.endpoints, username: etcd.username, password: wrongPassword, dialTimeoutMs: 2000 }, clusterName: 'c-auth', logger: log });
    try {
      await assert.rejects(bad.join(testWorker('10.9.0.2', 28080)), (err: Error) => {
        assert.match(err.message, /authentication failed/);
        assert.match(err.message, /as user root/);
        assert.equal(err.message.includes(wrongPassword), false);
        assert.equal(JSON.stringify(err).includes(wrongPassword), false);
        assert.equal(String(err.stack).includes(wrongPassword), false);
        return true;
      });
    } finally {
      await bad.close();
    }
  });
});

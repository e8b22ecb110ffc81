import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeWorkerEntity, encodeWorkerEntity, validateWorkerInfo } from '../../src/membership/etcd-worker-entity.js';
import { testWorker } from './fixtures.js';

describe('etcd worker entity', () => {
  it('round-trips, with and without our extra fields', () => {
    const w = testWorker('h1', 28080, 12345);
    assert.deepEqual(decodeWorkerEntity(encodeWorkerEntity(w)), w);
    const plain = testWorker('h2', 28081);
    delete plain.address.S3Port;
    const text = encodeWorkerEntity(plain);
    assert.equal(/S3Port|CapacityBytes/.test(text), false);
    assert.deepEqual(decodeWorkerEntity(text), plain);
  });

  it('reads a value as Alluxio writes it (unknown fields ignored, upper-case hex accepted)', () => {
    const alluxio = '{"Identity":{"version":1,"identifier":"0A1B2C3D4E5F60718293A4B5C6D7E8F9"},"WorkerNetAddress":{"Host":"10.0.0.7","ContainerHost":"","RpcPort":29999,"DataPort":29997,"SecureRpcPort":0,"NettyDataPort":29997,"WebPort":30000,"DomainSocketPath":"","HttpServerPort":28080},"State":"AUTHORIZED","GenerationNumber":-1,"ServiceEntityName":"worker-0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9","Extra":{"x":1}}';
    const w = decodeWorkerEntity(alluxio);
    assert.deepEqual(w.identity, { version: 1, identifier: '0a1b2c3d4e5f60718293a4b5c6d7e8f9' });
    assert.equal(w.address.Host, '10.0.0.7');
    assert.equal(w.address.HttpServerPort, 28080);
    assert.equal(w.address.S3Port, undefined);
    assert.equal(w.capacityBytes, undefined);
  });

  it('names the key and the problem for bad values', () => {
    assert.throws(() => decodeWorkerEntity('nope', '/ServiceDiscovery/c/worker-x'), /\/ServiceDiscovery\/c\/worker-x: value is not JSON/);
    assert.throws(() => decodeWorkerEntity('{"Identity":{"version":1,"identifier":"12"}}', 'k'), /k: Identity must be/);
    assert.throws(() => decodeWorkerEntity('{"Identity":{"version":1,"identifier":"0a1b2c3d4e5f60718293a4b5c6d7e8f9"},"WorkerNetAddress":{}}', 'k'), /Host is missing/);
  });

  it('validates a worker before it is written', () => {
    const w = testWorker('h', 1);
    assert.equal(validateWorkerInfo(w), w);
    assert.throws(() => validateWorkerInfo({ ...w, address: { ...w.address, Host: ' ' } }), /Host is empty/);
    assert.throws(() => validateWorkerInfo({ ...w, address: { ...w.address, S3Port: -1 } }), /S3Port=-1/);
    assert.throws(() => validateWorkerInfo({ ...w, capacityBytes: -5 }), /capacityBytes=-5/);
    assert.throws(() => validateWorkerInfo({ ...w, identity: { version: 1.5, identifier: w.identity.identifier } }), /version 1.5/);
  });
});

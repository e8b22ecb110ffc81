import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { AlluxioError } from '../../src/common/errors.js';
import {
  compareIdentities, identityBytes, identityFromUuid, identityFunnel, identityToUuid, randomIdentity, uuid3Identity,
} from '../../src/hashring/identity.js';
import { workerName, type WorkerIdentity } from '../../src/hashring/worker-info.js';
import { VECTORS_DIR } from './helpers.js';

const hosts: string[] = JSON.parse(readFileSync(new URL('workerHostnames.json', VECTORS_DIR), 'utf8'));
const list: WorkerIdentity[] = JSON.parse(readFileSync(new URL('workerList.json', VECTORS_DIR), 'utf8'));

test('uuid3Identity of the 50 vector host names gives exactly workerList.json', () => {
  const mine = hosts.map(uuid3Identity);
  const key = (i: WorkerIdentity): string => `${i.version}:${i.identifier}`;
  assert.equal(hosts.length, 50);
  assert.deepEqual(mine.map(key).sort(), list.map(key).sort());
});

test('uuid3Identity sets RFC 4122 version 3 and variant bits and is deterministic', () => {
  for (const host of ['localhost', 'worker-0.alluxio.svc', 'ホスト']) {
    const id = uuid3Identity(host);
    assert.equal(id.version, 1);
    assert.match(id.identifier, /^[0-9a-f]{12}3[0-9a-f]{3}[89ab][0-9a-f]{15}$/);
    assert.deepEqual(uuid3Identity(host), id);
  }
  assert.notEqual(uuid3Identity('a').identifier, uuid3Identity('b').identifier);
  assert.throws(() => uuid3Identity(''), AlluxioError);
});

test('identityFromUuid accepts dashed, bare and worker- prefixed forms, rejects others', () => {
  const dashed = 'B785D1F0-9886-3821-A4EB-6BEE226C35B7';
  const expected = { version: 1, identifier: 'b785d1f098863821a4eb6bee226c35b7' };
  assert.deepEqual(identityFromUuid(dashed), expected);
  assert.deepEqual(identityFromUuid('b785d1f098863821a4eb6bee226c35b7'), expected);
  assert.deepEqual(identityFromUuid('worker-b785d1f0-9886-3821-a4eb-6bee226c35b7'), expected);
  for (const bad of ['', 'xyz', 'b785d1f0-9886-3821-a4eb-6bee226c35b', 'b785d1f098863821a4eb6bee226c35b7ff']) {
    assert.throws(() => identityFromUuid(bad), (e: unknown) =>
      e instanceof AlluxioError && e.code === 'ALX_ERR_INVALID_ARGUMENT' && e.message.includes('expected'));
  }
});

test('identityBytes gives the 16 UUID bytes; funnel appends int32LE(version)', () => {
  const id = identityFromUuid('00112233-4455-6677-8899-aabbccddeeff');
  const bytes = identityBytes(id);
  assert.equal(bytes.length, 16);
  assert.equal(bytes.toString('hex'), '00112233445566778899aabbccddeeff');
  const funnel = identityFunnel(id, 4);
  assert.equal(funnel.length, 24);
  assert.equal(funnel.subarray(0, 16).toString('hex'), id.identifier);
  assert.equal(funnel.readInt32LE(16), 1);
  assert.throws(() => identityBytes({ version: 1, identifier: 'abc' }), AlluxioError);
  assert.throws(() => identityBytes({ version: 1.5, identifier: id.identifier }), AlluxioError);
});

test('randomIdentity is a fresh UUIDv4 each time', () => {
  const a = randomIdentity();
  const b = randomIdentity();
  assert.notEqual(a.identifier, b.identifier);
  assert.equal(a.version, 1);
  assert.match(a.identifier, /^[0-9a-f]{12}4[0-9a-f]{3}[89ab][0-9a-f]{15}$/);
});

test('identityToUuid agrees with workerName; compareIdentities orders by identifier then version', () => {
  const id = uuid3Identity('localhost');
  assert.equal(`worker-${identityToUuid(id)}`, workerName(id));
  assert.deepEqual(identityFromUuid(identityToUuid(id)), id);
  const lo = { version: 1, identifier: '0'.repeat(32) };
  const hi = { version: 1, identifier: 'F'.repeat(32) };
  assert.ok(compareIdentities(lo, hi) < 0);
  assert.ok(compareIdentities(hi, { ...hi, identifier: 'f'.repeat(32) }) === 0);
  assert.ok(compareIdentities({ ...lo, version: 0 }, lo) < 0);
});

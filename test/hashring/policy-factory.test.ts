import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AlluxioError } from '../../src/common/errors.js';
import {
  createSelectionPolicy, parseSelectionPolicyName, SELECTION_POLICY_DEFAULTS, SELECTION_POLICY_NAMES,
} from '../../src/hashring/worker-selection-policy.js';
import { ConsistentHashPolicy } from '../../src/hashring/consistent-hash-policy.js';
import { KetamaHashPolicy } from '../../src/hashring/ketama-hash-policy.js';
import { MaglevHashPolicy } from '../../src/hashring/maglev-hash-policy.js';
import { MultiProbeHashPolicy } from '../../src/hashring/multi-probe-hash-policy.js';
import { makeWorker, makeWorkers } from './helpers.js';

const isCode = (code: string) => (e: unknown): boolean => e instanceof AlluxioError && e.code === code;

test('every registered name builds its policy; names are case-insensitive', () => {
  for (const name of SELECTION_POLICY_NAMES) {
    assert.equal(createSelectionPolicy(name, makeWorkers(3)).name, name);
    assert.equal(createSelectionPolicy(name.toLowerCase(), makeWorkers(3)).name, name);
  }
  assert.equal(parseSelectionPolicyName(' multi_probe '), 'MULTI_PROBE');
});

test('an unknown policy name is a conf error naming the property and the accepted names', () => {
  assert.throws(() => createSelectionPolicy('ROUND_ROBIN', makeWorkers(3)), (e: unknown) =>
    isCode('ALX_ERR_INVALID_CONF')(e) && /alluxio\.user\.worker\.selection\.policy/.test((e as Error).message)
    && /CONSISTENT\|JUMP\|KETAMA\|MAGLEV\|MULTI_PROBE\|CAPACITY/.test((e as Error).message));
});

test('options default to the Alluxio property defaults and are validated with the property name', () => {
  const ws = makeWorkers(3);
  assert.equal(new ConsistentHashPolicy(ws).virtualNodes, SELECTION_POLICY_DEFAULTS.virtualNodes);
  assert.equal(new KetamaHashPolicy(ws).replicas, 200);
  assert.equal(new MaglevHashPolicy(ws).lookupSize, 65537);
  assert.equal(new MultiProbeHashPolicy(ws).probes, 21);
  assert.equal(new MultiProbeHashPolicy(ws, { multiProbeNum: 3 }).probes, 3);
  const bad: Array<[string, object, RegExp]> = [
    ['CONSISTENT', { virtualNodes: 0 }, /virtual\.node\.count\.per\.worker/],
    ['CONSISTENT', { virtualNodes: 2.5 }, /virtual\.node\.count\.per\.worker/],
    ['CONSISTENT', { virtualNodes: 1_000_000 }, /exceeds/],
    ['KETAMA', { ketamaReplicas: -1 }, /ketama\.hash\.replicas/],
    ['MAGLEV', { maglevLookupSize: 100 }, /maglev\.hash\.lookup\.size.*prime/],
    ['MULTI_PROBE', { multiProbeNum: 0 }, /multi\.probe\.hash\.probe\.num/],
  ];
  for (const [name, options, message] of bad) {
    assert.throws(() => createSelectionPolicy(name, ws, options), (e: unknown) =>
      isCode('ALX_ERR_INVALID_CONF')(e) && message.test((e as Error).message), `${name} ${JSON.stringify(options)}`);
  }
});

test('bad worker lists and lookups are refused with what was wrong', () => {
  const dup = makeWorker('same-host');
  assert.throws(() => createSelectionPolicy('CONSISTENT', [dup, { ...makeWorker('same-host') }]), /listed twice/);
  assert.throws(() => createSelectionPolicy('JUMP', [{ ...dup, identity: { version: 1, identifier: 'nothex' } }]),
    /workers\[0\]\.identity.*32 hex/);
  assert.throws(() => createSelectionPolicy('JUMP', 'not-a-list' as never), isCode('ALX_ERR_INVALID_ARGUMENT'));
  const policy = createSelectionPolicy('KETAMA', makeWorkers(3));
  assert.throws(() => policy.getMultiple(42 as never, 1), /key must be a string/);
  assert.throws(() => policy.getMultiple('s3://b/k', -1), /count/);
  assert.throws(() => policy.getMultiple('s3://b/k', 1.5), /count/);
});

test('a snapshot is immutable: its worker list is frozen and sorted by identity', () => {
  const input = makeWorkers(5);
  const policy = createSelectionPolicy('CONSISTENT', input);
  assert.ok(Object.isFrozen(policy.workers));
  const sorted = policy.workers.map((w) => w.identity.identifier);
  assert.deepEqual(sorted, [...sorted].sort());
  input.length = 0;
  assert.equal(policy.workers.length, 5);
  assert.equal(policy.getMultiple('s3://bucket/file-1', 5).length, 5);
});

test('identities compare case-insensitively: an upper-case copy is the same worker', () => {
  const w = makeWorker('host-a');
  const upper = { ...makeWorker('host-b'), identity: { ...w.identity, identifier: w.identity.identifier.toUpperCase() } };
  assert.throws(() => createSelectionPolicy('CAPACITY', [w, upper]), /listed twice/);
  const a = createSelectionPolicy('CONSISTENT', [w, makeWorker('host-c')]);
  const b = createSelectionPolicy('CONSISTENT', [upper, makeWorker('host-c')]);
  for (let i = 0; i < 200; i++) {
    const k = `s3://bucket/file-${i}`;
    assert.equal(a.getMultiple(k, 1)[0]!.address.Host === 'host-a', b.getMultiple(k, 1)[0]!.address.Host === 'host-b');
  }
});

test('when 100 rehash attempts cannot find `count` workers the list is completed, prefix unchanged', () => {
  const workers = makeWorkers(150, 'big');
  for (const name of ['CONSISTENT', 'JUMP', 'MAGLEV'] as const) {
    const policy = createSelectionPolicy(name, workers);
    for (const key of ['s3://bucket/a', 's3://bucket/b']) {
      const all = policy.getMultiple(key, 150).map((w) => w.identity.identifier);
      assert.equal(new Set(all).size, 150, `${name} ${key}`);
      assert.deepEqual(all.slice(0, 5), policy.getMultiple(key, 5).map((w) => w.identity.identifier));
      assert.deepEqual(policy.getMultiple(key, 150).map((w) => w.identity.identifier), all);
    }
  }
});

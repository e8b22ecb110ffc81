// CONSISTENT must be bit-exact with Alluxio: every vector in shared/testdata/alluxio-hash-ring.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { ConsistentHashPolicy } from '../../src/hashring/consistent-hash-policy.js';
import { uuid3Identity } from '../../src/hashring/identity.js';
import { createSelectionPolicy } from '../../src/hashring/worker-selection-policy.js';
import type { WorkerIdentity, WorkerInfo } from '../../src/hashring/worker-info.js';
import { makeWorker, shuffled, VECTORS_DIR } from './helpers.js';

const load = <T>(name: string): T => JSON.parse(readFileSync(new URL(name, VECTORS_DIR), 'utf8')) as T;
const hosts = load<string[]>('workerHostnames.json');
const workerList = load<WorkerIdentity[]>('workerList.json');
const activeNodes = load<Record<string, WorkerIdentity>>('activeNodesMap.json');
const fileUrlWorkers = load<Record<string, WorkerIdentity[]>>('fileUrlWorkers.json');

const fromIdentities = (list: WorkerIdentity[]): WorkerInfo[] =>
  list.map((identity, i) => ({ ...makeWorker(`host-${i}`), identity }));
const idKey = (i: WorkerIdentity): string => `${i.version}:${i.identifier}`;

test('the ring of workerList.json with 5 virtual nodes equals activeNodesMap.json exactly', () => {
  const policy = new ConsistentHashPolicy(fromIdentities(workerList), { virtualNodes: 5 });
  const ours = policy.entries();
  const expected = Object.entries(activeNodes)
    .map(([k, id]) => [Number(k), id] as [number, WorkerIdentity])
    .sort((a, b) => a[0] - b[0]);
  assert.equal(expected.length, 250);
  assert.deepEqual(ours.map(([k, id]) => [k, idKey(id)]), expected.map(([k, id]) => [k, idKey(id)]));
});

test('the ring built from the host names (uuid3 identities) is the same ring', () => {
  const policy = createSelectionPolicy('CONSISTENT', hosts.map((h) => makeWorker(h))) as ConsistentHashPolicy;
  const expected = Object.entries(activeNodes).map(([k, id]) => `${k}=${idKey(id)}`).sort();
  assert.deepEqual(policy.entries().map(([k, id]) => `${k}=${idKey(id)}`).sort(), expected);
});

test('getMultiple gives the fileUrlWorkers.json worker set for every URL, in any input order', () => {
  const urls = Object.entries(fileUrlWorkers);
  assert.ok(urls.length > 0);
  for (const seed of [1, 2, 3]) {
    const policy = new ConsistentHashPolicy(shuffled(fromIdentities(workerList), seed));
    for (const [url, expected] of urls) {
      const got = policy.getMultiple(url, expected.length);
      assert.equal(got.length, expected.length, url);
      assert.deepEqual(got.map((w) => idKey(w.identity)).sort(), expected.map(idKey).sort(), url);
    }
  }
});

test('the first worker of getMultiple is the owner of attempt 1 and a longer list extends a shorter one', () => {
  const policy = new ConsistentHashPolicy(fromIdentities(workerList));
  for (const url of Object.keys(fileUrlWorkers)) {
    const five = policy.getMultiple(url, 5).map((w) => idKey(w.identity));
    const two = policy.getMultiple(url, 2).map((w) => idKey(w.identity));
    assert.deepEqual(two, five.slice(0, 2));
  }
});

test('virtual node count changes the ring; host identity is uuid3 of the host', () => {
  const ws = hosts.slice(0, 10).map((h) => makeWorker(h));
  assert.equal(new ConsistentHashPolicy(ws, { virtualNodes: 1 }).entries().length, 10);
  assert.equal(new ConsistentHashPolicy(ws, { virtualNodes: 200 }).entries().length, 2000);
  assert.deepEqual(ws[0]!.identity, uuid3Identity(hosts[0]!));
});

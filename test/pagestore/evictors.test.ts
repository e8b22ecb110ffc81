import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidArgumentError } from '../../src/common/errors.js';
import { createEvictor, type Evictor, type EvictorType } from '../../src/pagestore/evictor.js';
import { FifoEvictor } from '../../src/pagestore/fifo-evictor.js';
import { LfuEvictor } from '../../src/pagestore/lfu-evictor.js';
import { LruEvictor } from '../../src/pagestore/lru-evictor.js';

/** Naive O(n) models of each policy, to check the O(1) evictors against under random operations. */
class Reference {
  private clock = 0;
  private readonly entries = new Map<string, { inserted: number; lastUse: number; count: number; promoted: number }>();
  constructor(private readonly type: EvictorType) {}
  put(k: string): void {
    const e = this.entries.get(k);
    if (e) return this.access(k, true);
    const t = ++this.clock;
    this.entries.set(k, { inserted: t, lastUse: t, count: 1, promoted: t });
  }
  access(k: string, isPut = false): void {
    const e = this.entries.get(k);
    if (!e) return;
    const t = ++this.clock;
    if (this.type === 'LRU') e.lastUse = t;
    if (this.type === 'LFU') { e.count++; e.promoted = t; }
    if (this.type === 'FIFO' && isPut) return;
  }
  remove(k: string): void {
    this.entries.delete(k);
  }
  victim(): string | undefined {
    let best: string | undefined;
    let bestKey: [number, number] = [Infinity, Infinity];
    for (const [k, e] of this.entries) {
      const key: [number, number] = this.type === 'LRU' ? [e.lastUse, 0] : this.type === 'FIFO' ? [e.inserted, 0] : [e.count, e.promoted];
      if (key[0] < bestKey[0] || (key[0] === bestKey[0] && key[1] < bestKey[1])) { best = k; bestKey = key; }
    }
    return best;
  }
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 0x1_0000_0000;
  };
}

describe('evictors', () => {
  for (const type of ['LRU', 'LFU', 'FIFO'] as const) {
    it(`${type} agrees with a naive model under random operations`, () => {
      const ev: Evictor = createEvictor(type);
      const ref = new Reference(type);
      const rand = rng(42 + type.length);
      const live = new Set<string>();
      for (let i = 0; i < 5000; i++) {
        const r = rand();
        const k = `p${Math.floor(rand() * 60)}`;
        if (r < 0.4) { ev.onPut(k); ref.put(k); live.add(k); }
        else if (r < 0.8) { ev.onAccess(k); ref.access(k); }
        else if (r < 0.9) { ev.onRemove(k); ref.remove(k); live.delete(k); }
        else {
          const v = ev.pickVictim();
          assert.equal(v, ref.victim(), `step ${i}`);
          if (v !== undefined) { ev.onRemove(v); ref.remove(v); live.delete(v); }
        }
        assert.equal(ev.size, live.size);
      }
      assert.deepEqual(new Set(ev.keys()), live);
    });
  }

  it('LRU evicts the least recently used', () => {
    const ev = new LruEvictor();
    ['a', 'b', 'c'].forEach((k) => ev.onPut(k));
    ev.onAccess('a');
    assert.equal(ev.pickVictim(), 'b');
    ev.onRemove('b');
    assert.equal(ev.pickVictim(), 'c');
    assert.deepEqual([...ev.keys()], ['c', 'a']);
    ev.onAccess('zzz'); // unknown keys are ignored
    assert.equal(ev.size, 2);
  });

  it('LFU evicts the least frequently used, oldest first among equals', () => {
    const ev = new LfuEvictor();
    ['a', 'b', 'c', 'd'].forEach((k) => ev.onPut(k));
    ev.onAccess('a'); ev.onAccess('a'); ev.onAccess('c');
    assert.equal(ev.countOf('a'), 3);
    assert.equal(ev.pickVictim(), 'b');
    ev.onRemove('b');
    assert.equal(ev.pickVictim(), 'd');
    ev.onRemove('d');
    assert.equal(ev.pickVictim(), 'c');
    assert.deepEqual([...ev.keys()], ['c', 'a']);
    ev.onRemove('c'); ev.onRemove('a');
    assert.equal(ev.pickVictim(), undefined);
  });

  it('FIFO ignores reads', () => {
    const ev = new FifoEvictor();
    ['a', 'b'].forEach((k) => ev.onPut(k));
    for (let i = 0; i < 10; i++) ev.onAccess('a');
    ev.onPut('a'); // a re-put keeps the original place
    assert.equal(ev.pickVictim(), 'a');
  });

  it('createEvictor refuses an unknown type', () => {
    assert.throws(() => createEvictor('MRU' as EvictorType), InvalidArgumentError);
  });

  // No clock here (a loaded machine makes any time bound flaky): an O(n) operation would make this
  // run for minutes and trip the runner's per-test timeout; O(1) ones finish in well under a second.
  it('LRU, LFU and FIFO keep their order with many keys', () => {
    const n = 200_000;
    for (const type of ['LRU', 'LFU', 'FIFO'] as const) {
      const ev = createEvictor<number>(type);
      for (let i = 0; i < n; i++) ev.onPut(i);
      // Touch the upper half once: LRU and LFU then evict the untouched lower half first, FIFO ignores reads.
      for (let i = n / 2; i < n; i++) ev.onAccess(i);
      const victims = new Set<number>();
      for (let i = 0; i < n / 2; i++) { const v = ev.pickVictim()!; victims.add(v); ev.onRemove(v); }
      assert.equal(ev.size, n / 2, type);
      assert.equal(victims.size, n / 2, type);
      for (let i = 0; i < n / 2; i++) assert.ok(victims.has(i), `${type} evicted the untouched key ${i}`);
    }
  });
});

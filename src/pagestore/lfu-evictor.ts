import type { Evictor, PageKey } from './evictor.js';
import { LinkedList, ListNode } from './linked-list.js';

/** One node per access count in use, linked in ascending count order, holding its keys in arrival order. */
class FrequencyNode<K> {
  readonly keys = new LinkedList<K>();
  prev: FrequencyNode<K> | null = null;
  next: FrequencyNode<K> | null = null;
  constructor(readonly count: number) {}
}

class KeyNode<K> extends ListNode<K> {
  constructor(key: K, public freq: FrequencyNode<K>) {
    super(key);
  }
}

/**
 * Least frequently used first, least recently promoted first among equal counts. Constant-time
 * LFU (Shah, Mitra, Matani 2010): a list of frequency nodes, each with the keys at that count; an
 * access moves a key to the next node, creating it when missing.
 */
export class LfuEvictor<K = PageKey> implements Evictor<K> {
  private head: FrequencyNode<K> | null = null;
  private readonly nodes = new Map<K, KeyNode<K>>();

  get size(): number {
    return this.nodes.size;
  }

  onPut(key: K): void {
    if (this.nodes.has(key)) return this.onAccess(key);
    let freq = this.head;
    if (freq === null || freq.count !== 1) {
      freq = new FrequencyNode<K>(1);
      freq.next = this.head;
      if (this.head !== null) this.head.prev = freq;
      this.head = freq;
    }
    const node = new KeyNode(key, freq);
    freq.keys.pushBack(node);
    this.nodes.set(key, node);
  }

  onAccess(key: K): void {
    const node = this.nodes.get(key);
    if (node === undefined) return;
    const cur = node.freq;
    let next = cur.next;
    if (next === null || next.count !== cur.count + 1) {
      next = new FrequencyNode<K>(cur.count + 1);
      next.prev = cur;
      next.next = cur.next;
      if (cur.next !== null) cur.next.prev = next;
      cur.next = next;
    }
    cur.keys.remove(node);
    next.keys.pushBack(node);
    node.freq = next;
    if (cur.keys.size === 0) this.unlink(cur);
  }

  onRemove(key: K): void {
    const node = this.nodes.get(key);
    if (node === undefined) return;
    this.nodes.delete(key);
    node.freq.keys.remove(node);
    if (node.freq.keys.size === 0) this.unlink(node.freq);
  }

  pickVictim(): K | undefined {
    return this.head?.keys.head?.key;
  }

  *keys(): IterableIterator<K> {
    for (let f = this.head; f !== null; f = f.next) yield* f.keys.keys();
  }

  /** The access count of a key (for tests and diagnostics). */
  countOf(key: K): number {
    return this.nodes.get(key)?.freq.count ?? 0;
  }

  private unlink(freq: FrequencyNode<K>): void {
    if (freq.prev !== null) freq.prev.next = freq.next;
    else this.head = freq.next;
    if (freq.next !== null) freq.next.prev = freq.prev;
    freq.prev = freq.next = null;
  }
}

import type { Evictor, PageKey } from './evictor.js';
import { LinkedList, ListNode } from './linked-list.js';

/**
 * Keys in one order, victim at the head: a key-to-node Map over a linked list, O(1) throughout.
 * LRU and FIFO differ only in whether a put of a known key or a read moves it to the tail.
 */
export abstract class OrderedEvictor<K = PageKey> implements Evictor<K> {
  protected readonly nodes = new Map<K, ListNode<K>>();
  protected readonly list = new LinkedList<K>();

  get size(): number {
    return this.list.size;
  }
  abstract onPut(key: K): void;
  abstract onAccess(key: K): void;
  onRemove(key: K): void {
    const node = this.nodes.get(key);
    if (node === undefined) return;
    this.nodes.delete(key);
    this.list.remove(node);
  }
  pickVictim(): K | undefined {
    return this.list.head?.key;
  }
  keys(): IterableIterator<K> {
    return this.list.keys();
  }
  /** Appends a key not yet present at the tail (the end evicted last). */
  protected append(key: K): void {
    const node = new ListNode(key);
    this.nodes.set(key, node);
    this.list.pushBack(node);
  }
}

import type { Evictor, PageKey } from './evictor.js';
import { LinkedList, ListNode } from './linked-list.js';

/** First in, first out: the oldest inserted page goes first, however often it is read. O(1). */
export class FifoEvictor<K = PageKey> implements Evictor<K> {
  private readonly nodes = new Map<K, ListNode<K>>();
  private readonly list = new LinkedList<K>();

  get size(): number {
    return this.list.size;
  }
  onPut(key: K): void {
    if (this.nodes.has(key)) return; // a key already present keeps its place
    const node = new ListNode(key);
    this.nodes.set(key, node);
    this.list.pushBack(node);
  }
  onAccess(_key: K): void {
    // reads do not change FIFO order
  }
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
}

import type { Evictor, PageKey } from './evictor.js';
import { LinkedList, ListNode } from './linked-list.js';

/** Least recently used first: a key-to-node Map over a linked list, young end at the tail. O(1). */
export class LruEvictor<K = PageKey> implements Evictor<K> {
  private readonly nodes = new Map<K, ListNode<K>>();
  private readonly list = new LinkedList<K>();

  get size(): number {
    return this.list.size;
  }
  onPut(key: K): void {
    const node = this.nodes.get(key);
    if (node !== undefined) return this.list.moveToBack(node);
    const fresh = new ListNode(key);
    this.nodes.set(key, fresh);
    this.list.pushBack(fresh);
  }
  onAccess(key: K): void {
    const node = this.nodes.get(key);
    if (node !== undefined) this.list.moveToBack(node);
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

/** A node of an intrusive doubly linked list. */
export class ListNode<K> {
  prev: ListNode<K> | null = null;
  next: ListNode<K> | null = null;
  constructor(readonly key: K) {}
}

/**
 * A doubly linked list of nodes the caller keeps (in a Map from key to node). Unlike taking the
 * first key of a Set or Map, reading the head stays O(1) after many deletions: V8's ordered hash
 * tables leave deleted slots in place, so `set.values().next()` walks over them.
 */
export class LinkedList<K> {
  head: ListNode<K> | null = null;
  tail: ListNode<K> | null = null;
  size = 0;

  pushBack(node: ListNode<K>): void {
    node.prev = this.tail;
    node.next = null;
    if (this.tail !== null) this.tail.next = node;
    else this.head = node;
    this.tail = node;
    this.size++;
  }

  remove(node: ListNode<K>): void {
    if (node.prev !== null) node.prev.next = node.next;
    else this.head = node.next;
    if (node.next !== null) node.next.prev = node.prev;
    else this.tail = node.prev;
    node.prev = node.next = null;
    this.size--;
  }

  moveToBack(node: ListNode<K>): void {
    if (this.tail === node) return;
    this.remove(node);
    this.pushBack(node);
  }

  *keys(): IterableIterator<K> {
    for (let n = this.head; n !== null; n = n.next) yield n.key;
  }
}

import type { PageKey } from './evictor.js';
import { OrderedEvictor } from './ordered-evictor.js';

/** Least recently used first: young end at the tail. O(1). */
export class LruEvictor<K = PageKey> extends OrderedEvictor<K> {
  onPut(key: K): void {
    const node = this.nodes.get(key);
    if (node !== undefined) this.list.moveToBack(node);
    else this.append(key);
  }
  onAccess(key: K): void {
    const node = this.nodes.get(key);
    if (node !== undefined) this.list.moveToBack(node);
  }
}

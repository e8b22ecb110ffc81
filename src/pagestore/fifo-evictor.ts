import type { PageKey } from './evictor.js';
import { OrderedEvictor } from './ordered-evictor.js';

/** First in, first out: the oldest inserted page goes first, however often it is read. O(1). */
export class FifoEvictor<K = PageKey> extends OrderedEvictor<K> {
  onPut(key: K): void {
    if (!this.nodes.has(key)) this.append(key); // a key already present keeps its place
  }
  onAccess(_key: K): void {
    // reads do not change FIFO order
  }
}

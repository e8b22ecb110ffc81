import { InvalidArgumentError } from '../common/errors.js';
import { FifoEvictor } from './fifo-evictor.js';
import { LfuEvictor } from './lfu-evictor.js';
import { LruEvictor } from './lru-evictor.js';

/** Identifies a page to an evictor. Stores may use any value with identity (e.g. an index entry). */
export type PageKey = string;

export const EVICTOR_TYPES = ['LRU', 'LFU', 'FIFO'] as const;
export type EvictorType = (typeof EVICTOR_TYPES)[number];

/**
 * Chooses which page to drop when a store is full (`alluxio.worker.page.store.evictor.type`).
 * Every operation is O(1). The store tells the evictor about every page it adds, reads and
 * removes; `pickVictim` only names a page, the store removes it (and then calls `onRemove`).
 */
export interface Evictor<K = PageKey> {
  onPut(key: K): void;
  onAccess(key: K): void;
  onRemove(key: K): void;
  pickVictim(): K | undefined;
  /** Keys in eviction order, next victim first. */
  keys(): IterableIterator<K>;
  readonly size: number;
}

export function createEvictor<K = PageKey>(type: EvictorType): Evictor<K> {
  switch (type) {
    case 'LRU': return new LruEvictor<K>();
    case 'LFU': return new LfuEvictor<K>();
    case 'FIFO': return new FifoEvictor<K>();
    default:
      throw new InvalidArgumentError(`unknown evictor type ${JSON.stringify(type)}: expected one of ${EVICTOR_TYPES.join(', ')}`);
  }
}

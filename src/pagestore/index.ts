import { InvalidArgumentError } from '../common/errors.js';
import { LocalPageStore, type LocalPageStoreOptions } from './local-page-store.js';
import { MemPageStore } from './mem-page-store.js';
import { PAGE_STORE_TYPES, type PageStoreType } from './page-store-options.js';
import type { PageStore } from './page-store.js';

export type CreatePageStoreOptions = LocalPageStoreOptions & { type: PageStoreType };

/** Builds the store named by `alluxio.worker.page.store.type` (LOCAL or MEM). Call open() next. */
export function createPageStore(options: CreatePageStoreOptions): PageStore {
  switch (options?.type) {
    case 'LOCAL': return new LocalPageStore(options);
    case 'MEM': return new MemPageStore(options);
    default:
      throw new InvalidArgumentError(`page store type must be one of ${PAGE_STORE_TYPES.join(', ')}, got ${JSON.stringify(options?.type)}`);
  }
}

export type { CachedFileInfo, FileId, PageStore, PageStoreStats } from './page-store.js';
export { LocalPageStore, type LocalPageStoreOptions } from './local-page-store.js';
export { MemPageStore } from './mem-page-store.js';
export { PAGE_STORE_TYPES, resolvePageStoreOptions, type PageStoreOptions, type PageStoreType } from './page-store-options.js';
export { EVICTOR_TYPES, createEvictor, type Evictor, type EvictorType, type PageKey } from './evictor.js';
export { LruEvictor } from './lru-evictor.js';
export { LfuEvictor } from './lfu-evictor.js';
export { FifoEvictor } from './fifo-evictor.js';
export { DEFAULT_FILE_BUCKETS, PageLayout, bucketOf, fileIdOf, isFileId, javaStringHashCode, parsePageIndex } from './page-layout.js';
export type { PageStoreFs } from './page-store-fs.js';

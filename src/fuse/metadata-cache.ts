import type { ClientFileEntry } from '../common/protocol/index.js';
import { parentPath } from '../common/paths.js';
import { TtlCache } from '../common/ttl-cache.js';

/**
 * What the mount knows of paths (alluxio.user.metadata.cache.max.size entries, each trusted for
 * alluxio.user.metadata.cache.expiration.time): an entry, or null for "does not exist". A listing
 * fills it, so `ls -l` after `readdir` asks the workers nothing more. Changes made through the
 * mount drop the path and its parent.
 */
export class MetadataCache {
  private readonly cache: TtlCache<string, ClientFileEntry | null>;

  constructor(maxSize: number, ttlMs: number) {
    this.cache = new TtlCache(maxSize, ttlMs);
  }

  /** The entry, null when known missing, undefined when not cached. */
  get(path: string): ClientFileEntry | null | undefined {
    return this.cache.get(path);
  }

  set(path: string, entry: ClientFileEntry | null): void {
    this.cache.set(path, entry);
  }

  /** Forgets a path and its parent (its listing changed); with `subtree`, everything below it too (a directory removed or renamed). */
  invalidate(path: string, subtree = false): void {
    this.cache.delete(path);
    this.cache.delete(parentPath(path));
    if (!subtree) return;
    const prefix = path.endsWith('/') ? path : path + '/';
    this.cache.deleteWhere((k) => k.startsWith(prefix));
  }
}

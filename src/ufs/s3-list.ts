/** An object as ListObjectsV2 returns it. */
export interface S3Object {
  key: string;
  size: number;
  lastModifiedMs: number;
  etag?: string | undefined;
}

/** A listing entry by key; directories end with '/'. */
export interface S3Entry {
  key: string;
  isDirectory: boolean;
  size: number;
  lastModifiedMs: number;
  etag?: string | undefined;
}

/**
 * Turns one page of a recursive listing (keys in order, below `prefix`) into entries:
 * each object, plus its directories, which are either `dir/` marker objects or implied by
 * deeper keys. An implied directory is emitted before its first key; it was already emitted
 * exactly when the previous key (`prevKey`, from the last page too) lies below it, because
 * the keys below a directory are contiguous in key order. Stops at `limit` entries.
 * Returns the entries and whether it stopped before the end of `objects`.
 */
export function recursiveEntries(prefix: string, objects: S3Object[], prevKey: string | undefined, limit: number): { entries: S3Entry[]; cut: boolean } {
  const entries: S3Entry[] = [];
  let prev = prevKey;
  for (let n = 0; n < objects.length; n++) {
    const o = objects[n]!;
    if (o.key === prefix || !o.key.startsWith(prefix)) continue;
    const rel = o.key.slice(prefix.length);
    for (let i = rel.indexOf('/'); i !== -1; i = rel.indexOf('/', i + 1)) {
      const dir = prefix + rel.slice(0, i + 1);
      if (prev !== undefined && prev.startsWith(dir)) continue;
      if (entries.length === limit) return { entries, cut: true };
      const marker = dir === o.key;
      entries.push({ key: dir, isDirectory: true, size: 0, lastModifiedMs: marker ? o.lastModifiedMs : 0 });
      prev = dir;
    }
    if (o.key.endsWith('/')) continue; // a marker: emitted above as its directory
    if (entries.length === limit) return { entries, cut: true };
    entries.push({ key: o.key, isDirectory: false, size: o.size, lastModifiedMs: o.lastModifiedMs, etag: o.etag });
    prev = o.key;
  }
  return { entries, cut: false };
}

/**
 * One page of a delimited listing as entries: common prefixes are directories, objects are
 * files; the directory's own marker (`prefix` itself) is left out. In key order.
 */
export function delimitedEntries(prefix: string, objects: S3Object[], commonPrefixes: string[]): S3Entry[] {
  const entries: S3Entry[] = [];
  for (const o of objects) {
    if (o.key === prefix) continue;
    entries.push({ key: o.key, isDirectory: o.key.endsWith('/'), size: o.size, lastModifiedMs: o.lastModifiedMs, etag: o.etag });
  }
  for (const p of commonPrefixes) entries.push({ key: p, isDirectory: true, size: 0, lastModifiedMs: 0 });
  return entries.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** An ETag without its quotes. */
export function unquoteEtag(etag: string | undefined): string | undefined {
  if (etag === undefined) return undefined;
  return etag.replace(/^W\//, '').replace(/^"(.*)"$/, '$1');
}

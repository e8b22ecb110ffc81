// [peer-lookup] Which files a worker has cached, in 4 bytes per file, so the new owner of a key asks
// a previous owner for pages only when that owner holds some of the file. Without it every miss on
// a key that moved costs a round trip to the previous owner first; on a fresh cluster, whose
// workers join one after the other, that is half of all keys, for files no worker ever cached.
// The digest is a cache digest (as Squid's): a set of the first 32 bits of each cached file id
// (the SHA-256 of its UFS URI), sorted. A false "has it" costs one round trip (the page request
// answers 0 pages); there are no false "has not" for the files cached when it was taken.
import type { ServerResponse } from 'node:http';
import { InvalidArgumentError } from '../common/errors.js';
import type { FileId, PageStore } from '../pagestore/page-store.js';

/** The digest entry of a file: the first 32 bits of its id. */
export function digestKey(fileId: FileId): number {
  return Number.parseInt(fileId.slice(0, 8), 16) >>> 0;
}

/** The digest of a store's cached files: sorted, distinct keys. */
export function cacheDigest(store: PageStore): Uint32Array {
  const keys: number[] = [];
  for (const f of store.files()) keys.push(digestKey(f.fileId));
  const sorted = Uint32Array.from(keys).sort();
  let n = 0;
  for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[n - 1]) sorted[n++] = sorted[i]!;
  return sorted.subarray(0, n);
}

/** Serves WORKER_REST.cacheDigest: the digest as big-endian 32-bit keys, ascending. Cache index only. */
export function serveCacheDigest(store: PageStore, res: ServerResponse): void {
  const keys = cacheDigest(store);
  const body = Buffer.allocUnsafe(keys.length * 4);
  for (let i = 0; i < keys.length; i++) body.writeUInt32BE(keys[i]!, i * 4);
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length });
  res.end(body);
}

/** A digest from its wire form (serveCacheDigest); refuses a body that is not one. */
export function parseCacheDigest(body: Buffer): Uint32Array {
  if (body.length % 4 !== 0) throw new InvalidArgumentError(`a cache digest is a multiple of 4 bytes long, got ${body.length}`);
  const keys = new Uint32Array(body.length / 4);
  for (let i = 0; i < keys.length; i++) {
    keys[i] = body.readUInt32BE(i * 4);
    if (i > 0 && keys[i]! <= keys[i - 1]!) throw new InvalidArgumentError('a cache digest must list its keys in ascending order');
  }
  return keys;
}

/** Whether the digest lists this file (binary search). */
export function digestHas(keys: Uint32Array, fileId: FileId): boolean {
  const k = digestKey(fileId);
  let lo = 0;
  let hi = keys.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = keys[mid]!;
    if (v === k) return true;
    if (v < k) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

import { Readable } from 'node:stream';
import { AlluxioError } from '../common/errors.js';
import { ufsVersion, type UfsStatus, type UnderFileSystem } from '../ufs/under-file-system.js';
import type { CachedReader } from './cached-reader.js';

/** Bytes one segment covers at least, and how many segments are read at once. */
const SEGMENT_BYTES = 2 << 20;
const WINDOW = 4;

/**
 * A large GET as consecutive segments read WINDOW at a time through the cached reader, sent in
 * order. One reader stream fetches one page after another; overlapping a few segments keeps the
 * thread pool busy and the socket fed. Every segment must come from the version the first one saw:
 * a change midway fails the stream (ALX_ERR_STALE) instead of mixing versions. Pages are passed on
 * as they are, without copying.
 */
export function parallelRead(reader: CachedReader, ufs: UnderFileSystem, ufsUri: string, status: UfsStatus, start: number, length: number): Readable {
  const ps = reader.pageSize;
  const seg = Math.max(ps, Math.ceil(SEGMENT_BYTES / ps) * ps);
  const version = ufsVersion(status);
  const end = start + length;
  return Readable.from((async function* () {
    const queue: Array<Promise<Buffer[]>> = [];
    let next = start;
    const launch = () => {
      // Segment boundaries on page boundaries, so no page is read by two segments.
      const s = next;
      const e = Math.min(end, (Math.floor(s / seg) + 1) * seg);
      next = e;
      const p = collect(reader, ufs, ufsUri, version, s, e - s);
      p.catch(() => {}); // awaited in order below; this only silences a rejection seen later
      queue.push(p);
    };
    try {
      while (queue.length < WINDOW && next < end) launch();
      while (queue.length > 0) {
        const bufs = await queue.shift()!;
        if (next < end) launch();
        for (const b of bufs) yield b;
      }
    } finally {
      queue.length = 0;
    }
  })(), { objectMode: false, highWaterMark: 0 });
}

async function collect(reader: CachedReader, ufs: UnderFileSystem, ufsUri: string, version: string, start: number, length: number): Promise<Buffer[]> {
  const r = await reader.read(ufs, ufsUri, start, length);
  if (ufsVersion(r.status) !== version) {
    r.stream.destroy();
    throw new AlluxioError('ALX_ERR_STALE', `${ufsUri} changed during the read`);
  }
  const out: Buffer[] = [];
  let n = 0;
  for await (const b of r.stream) {
    out.push(b as Buffer);
    n += (b as Buffer).length;
  }
  if (n !== length) throw new AlluxioError('ALX_ERR_STALE', `${ufsUri}: read ${n} of ${length} bytes; it changed during the read`);
  return out;
}

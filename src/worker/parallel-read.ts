import { Readable } from 'node:stream';
import { AlluxioError } from '../common/errors.js';
import type { CachedReader, ReadTarget } from './cached-reader.js';

/** Bytes one segment covers at least, and how many segments are read at once. */
const SEGMENT_BYTES = 16 << 20;
const WINDOW = 2;

/**
 * A large GET as consecutive segments read WINDOW at a time through the cached reader, sent in
 * order: missing pages come from several UFS reads at once, cached pages from several page reads.
 * The first segment streams as its bytes arrive; the ones behind it fill in memory (at most
 * WINDOW segments per read). Every segment reads the one version `t` names: a change midway
 * fails the stream (ALX_ERR_STALE) instead of mixing versions. Chunks are passed on as the
 * reader yields them, without copying (page buffers go back to the store once sent).
 */
export function parallelRead(reader: CachedReader, t: ReadTarget, start: number, length: number): Readable {
  const ps = reader.pageSize;
  const seg = Math.max(ps, Math.ceil(SEGMENT_BYTES / ps) * ps);
  const end = start + length;
  return Readable.from((async function* () {
    const window: Segment[] = [];
    let next = start;
    const launch = () => {
      // Segment boundaries on page boundaries, so no page is read by two segments.
      const s = next;
      const e = Math.min(end, (Math.floor(s / seg) + 1) * seg);
      next = e;
      // Only the last segment prefetches past the range: the ones before it are followed by the next segment.
      window.push(new Segment(reader, t, s, e - s, e === end));
    };
    try {
      while (window.length < WINDOW && next < end) launch();
      while (window.length > 0) {
        const head = window[0]!;
        for (;;) {
          const chunk = head.take();
          if (chunk !== undefined) yield chunk;
          else if (head.finished) break;
          else await head.changed();
        }
        head.throwIfFailed();
        window.shift();
        if (next < end) launch();
      }
    } finally {
      for (const s of window) s.abort();
    }
  })(), { objectMode: false, highWaterMark: 0 });
}

/** One segment's read, running ahead of the consumer into a queue of chunks. */
class Segment {
  finished = false;
  private readonly chunks: Buffer[] = [];
  private head = 0;
  private failure: unknown;
  private stream: Readable | undefined;
  private aborted = false;
  private wake: (() => void) | undefined;

  constructor(reader: CachedReader, t: ReadTarget, start: number, length: number, readAhead: boolean) {
    void this.run(reader, t, start, length, readAhead);
  }

  take(): Buffer | undefined {
    if (this.head === this.chunks.length) return undefined;
    const c = this.chunks[this.head]!;
    this.chunks[this.head++] = undefined as unknown as Buffer;
    return c;
  }

  changed(): Promise<void> {
    return new Promise((resolve) => { this.wake = resolve; });
  }

  throwIfFailed(): void {
    if (this.failure !== undefined) throw this.failure;
  }

  abort(): void {
    this.aborted = true;
    this.stream?.destroy();
  }

  private async run(reader: CachedReader, t: ReadTarget, start: number, length: number, readAhead: boolean): Promise<void> {
    try {
      if (this.aborted) return;
      const stream = reader.openRange(t, start, start + length, readAhead);
      this.stream = stream;
      let n = 0;
      for await (const b of stream) {
        this.chunks.push(b as Buffer);
        n += (b as Buffer).length;
        this.notify();
      }
      if (n !== length) throw new AlluxioError('ALX_ERR_STALE', `${t.ufsUri}: read ${n} of ${length} bytes; it changed during the read`);
    } catch (err) {
      this.failure = err;
    } finally {
      this.finished = true;
      this.notify();
    }
  }

  private notify(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }
}

/**
 * Fixed-size buffers handed out and given back, so the read paths do not allocate (and the garbage
 * collector does not chase) a fresh page-sized external buffer per page: at 1 GB/s that was most
 * of a core of V8 GC threads on a 2-core machine. A buffer may have several holders at once (a
 * socket write, a page write, a reader waiting on the same page): each holds one reference
 * (`acquire` gives the first, `retain` adds one) and gives it back with `release`; the buffer is
 * reused when the last is given back. A holder that never releases only costs the reuse: the
 * buffer is then garbage-collected as usual. Every buffer owns its whole ArrayBuffer, which is
 * how the pool recognises its own, also through a subarray view; other buffers are ignored.
 */
export class BufferPool {
  private readonly free: Buffer[] = [];
  private readonly refs = new WeakMap<ArrayBufferLike, number>();

  constructor(readonly bufferSize: number, readonly maxFree: number) {}

  /** A buffer of `bufferSize` bytes with undefined contents, and the caller's reference to it. */
  acquire(): Buffer {
    const b = this.free.pop() ?? Buffer.allocUnsafeSlow(this.bufferSize);
    this.refs.set(b.buffer, 1);
    return b;
  }

  /** One more holder of the buffer under `view` (nothing if it is not this pool's). */
  retain(view: Uint8Array): void {
    const n = this.refs.get(view.buffer);
    if (n !== undefined) this.refs.set(view.buffer, n + 1);
  }

  /**
   * Gives back one reference to the buffer under `view` (nothing if it is not this pool's). The
   * caller must not touch the bytes afterwards.
   */
  release(view: Uint8Array): void {
    const ab = view.buffer;
    const n = this.refs.get(ab);
    if (n === undefined) return;
    if (n > 1) {
      this.refs.set(ab, n - 1);
      return;
    }
    this.refs.delete(ab);
    if (this.free.length < this.maxFree) this.free.push(Buffer.from(ab, 0, this.bufferSize));
  }

  get freeCount(): number {
    return this.free.length;
  }
}

/**
 * BufferPools of a few sizes (the largest, a quarter of it, a sixteenth), for buffers of any length
 * up to the largest: a request gets a view of the smallest pooled buffer that holds it, so a file
 * shorter than a page (a preload of many small files) does not allocate and fault in a fresh
 * external buffer per file either. Lengths under a quarter of the smallest class are not pooled
 * (a plain allocation is cheap there, and a pooled buffer would hold 4x the memory or more).
 * A view holds at most 4x its length; retain and release take any view, as BufferPool's do.
 */
export class SizedBufferPools {
  private readonly pools: BufferPool[];

  constructor(largest: number, maxFreeBytes: number) {
    const sizes = [largest >> 4, largest >> 2, largest].filter((s, i, all) => s > 0 && all.indexOf(s) === i);
    this.pools = sizes.map((s) => new BufferPool(s, Math.max(1, Math.floor(maxFreeBytes / sizes.length / s))));
  }

  /** A buffer of exactly `length` bytes (undefined contents) and the caller's reference to it. */
  acquire(length: number): Buffer {
    for (const p of this.pools) {
      if (length > p.bufferSize) continue;
      if (length === p.bufferSize) return p.acquire();
      if (length * 4 < this.pools[0]!.bufferSize) break;
      return p.acquire().subarray(0, length);
    }
    return Buffer.allocUnsafe(length);
  }

  /** How much memory a buffer from acquire(length) holds. */
  footprint(length: number): number {
    if (length * 4 >= this.pools[0]!.bufferSize) for (const p of this.pools) if (length <= p.bufferSize) return p.bufferSize;
    return length;
  }

  retain(view: Uint8Array): void {
    this.poolOf(view)?.retain(view);
  }

  release(view: Uint8Array): void {
    this.poolOf(view)?.release(view);
  }

  private poolOf(view: Uint8Array): BufferPool | undefined {
    const n = view.buffer.byteLength;
    for (const p of this.pools) if (p.bufferSize === n) return p;
    return undefined;
  }
}

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

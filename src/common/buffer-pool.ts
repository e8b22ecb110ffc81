/**
 * Fixed-size buffers handed out and given back, so the cached-read path does not allocate (and the
 * garbage collector does not chase) a fresh page-sized external buffer per page: at 1 GB/s that
 * was most of a core of V8 GC threads on a 2-core machine. Every buffer owns its whole
 * ArrayBuffer, which is how `release` recognises its own, also through a subarray view.
 */
export class BufferPool {
  private readonly free: Buffer[] = [];
  private readonly lent = new WeakSet<ArrayBufferLike>();

  constructor(readonly bufferSize: number, readonly maxFree: number) {}

  /** A buffer of `bufferSize` bytes with undefined contents. */
  acquire(): Buffer {
    const b = this.free.pop() ?? Buffer.allocUnsafeSlow(this.bufferSize);
    this.lent.add(b.buffer);
    return b;
  }

  /**
   * Gives back the buffer under `view` if it came from this pool (otherwise does nothing). The
   * caller must hold the only use of it: nothing may read it afterwards.
   */
  release(view: Uint8Array): void {
    const ab = view.buffer;
    if (!this.lent.has(ab)) return;
    this.lent.delete(ab);
    if (this.free.length < this.maxFree) this.free.push(Buffer.from(ab, 0, this.bufferSize));
  }

  get freeCount(): number {
    return this.free.length;
  }
}

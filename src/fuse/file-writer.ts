import { Readable } from 'node:stream';
import { AlluxioError } from '../common/errors.js';
import type { AlluxioClient } from '../client/alluxio-client.js';
import type { ClientFileEntry } from '../common/protocol/index.js';
import type { ByteBudget } from './byte-budget.js';

/**
 * A file written through the mount: bytes in order from offset 0, streamed to the owning worker
 * as they come (one PUT, written through to the UFS) and committed when the file is closed. The
 * UFS has no in-place update, so a write at any other offset is ENOTSUP and the upload is
 * aborted (nothing replaces the file). Buffered bytes count against the mount-wide write budget:
 * a writer faster than the worker waits.
 */
export class FileWriter {
  private written = 0;
  private readonly queue: Buffer[] = [];
  private wake: (() => void) | undefined;
  private ended = false;
  private failure: AlluxioError | undefined;
  private upload: Promise<ClientFileEntry> | undefined;
  private committed: Promise<ClientFileEntry> | undefined;
  private readonly drainWaiters: Array<() => void> = [];

  constructor(private readonly client: AlluxioClient, readonly path: string, private readonly budget: ByteBudget) {}

  get bytes(): number {
    return this.written;
  }

  get isCommitted(): boolean {
    return this.committed !== undefined;
  }

  async write(buf: Buffer, len: number, offset: number): Promise<number> {
    if (this.failure) throw this.failure;
    if (this.committed) throw new AlluxioError('ALX_ERR_UNSUPPORTED', `${this.path} was committed when a descriptor of it was closed: writing more through another descriptor is not supported (the under-storage cannot append)`);
    if (offset !== this.written) {
      this.abort(new AlluxioError('ALX_ERR_UNSUPPORTED', `${this.path}: write at offset ${offset}, but ${this.written} bytes were written so far; files are written sequentially from the start (the under-storage has no in-place update), the file is left as it was`));
      throw this.failure!;
    }
    if (len === 0) return 0;
    const copy = Buffer.allocUnsafe(len);
    buf.copy(copy, 0, 0, len);
    this.written += len;
    await this.budget.acquire(len);
    if (this.failure) {
      this.budget.release(len);
      throw this.failure;
    }
    this.queue.push(copy);
    this.start();
    this.wakeUp();
    return len;
  }

  /** Waits until the worker has taken every buffered byte (not a commit: the file appears at close). */
  async drain(): Promise<void> {
    if (this.queue.length > 0 && !this.failure) await new Promise<void>((r) => this.drainWaiters.push(r));
    if (this.failure) throw this.failure;
  }

  /** Ends the upload and waits for the worker's answer: the file is in the UFS once this resolves. Idempotent. */
  commit(): Promise<ClientFileEntry> {
    if (this.failure) return Promise.reject(this.failure);
    if (!this.committed) {
      this.start();
      this.ended = true;
      this.wakeUp();
      this.committed = this.upload!;
    }
    return this.committed;
  }

  /** Drops the upload: the worker sees the body fail and writes nothing. */
  abort(reason: AlluxioError): void {
    if (this.failure) return;
    this.failure = reason;
    for (const b of this.queue.splice(0)) this.budget.release(b.length);
    this.wakeUp();
    for (const w of this.drainWaiters.splice(0)) w();
  }

  private start(): void {
    if (this.upload) return;
    const body = Readable.from(this.chunks(), { objectMode: false, highWaterMark: 1 });
    this.upload = this.client.write(this.path, body);
    this.upload.catch((err) => {
      if (!this.failure) this.abort(err instanceof AlluxioError ? err : new AlluxioError('ALX_ERR_UFS', `${this.path}: upload failed: ${(err as Error).message}`));
    });
  }

  private async *chunks(): AsyncGenerator<Buffer> {
    let held = 0;
    try {
      for (;;) {
        if (this.failure) throw this.failure;
        const next = this.queue.shift();
        if (next) {
          held = next.length;
          yield next;
          // The consumer asked for more: this chunk has been handed to the connection.
          this.budget.release(held);
          held = 0;
          this.drained();
          continue;
        }
        if (this.ended) return;
        await new Promise<void>((resolve) => { this.wake = resolve; });
      }
    } finally {
      if (held > 0) this.budget.release(held);
    }
  }

  private drained(): void {
    if (this.queue.length > 0) return;
    for (const w of this.drainWaiters.splice(0)) w();
  }

  private wakeUp(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }
}

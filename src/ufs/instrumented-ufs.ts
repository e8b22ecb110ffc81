import type { Readable } from 'node:stream';
import { lazyMetrics } from '../common/metrics-lazy.js';
import type {
  DeleteOptions, ListOptions, ListPage, MkdirOptions, ObjectMeta, ReadOptions, UfsStatus, UnderFileSystem, WriteOptions,
} from './under-file-system.js';

/**
 * Wraps any back end and counts `alluxio_ufs_data_access_bytes_total` for the bytes that
 * openRead streams take in from the UFS, chunk by chunk as they flow (a read abandoned halfway
 * counts what was read, plus at most the stream's buffer). Every other call passes straight through.
 */
export class InstrumentedUfs implements UnderFileSystem {
  readonly scheme: string;

  constructor(readonly inner: UnderFileSystem) {
    this.scheme = inner.scheme;
  }

  getStatus(uri: string): Promise<UfsStatus> {
    return this.inner.getStatus(uri);
  }

  list(uri: string, options?: ListOptions): Promise<ListPage> {
    return this.inner.list(uri, options);
  }

  async openRead(uri: string, offset: number, length: number, options?: ReadOptions): Promise<Readable> {
    const counter = (await lazyMetrics()).ufsDataAccessBytes.labels({ ufs: this.scheme });
    const source = await this.inner.openRead(uri, offset, length, options);
    // A back end may push its first bytes before openRead's promise resumes us (s3-fast-get
    // delivers the bytes that came with the headers at once: all of a small object): count them.
    if (source.readableLength > 0) counter.inc(source.readableLength);
    // Counted as the source takes in each chunk (at most its highWaterMark ahead of the reader)
    // rather than through a Transform: a stream stage costs every chunk a hop, and a shaped or
    // busy network delivers S3 bodies in many small chunks.
    const push = source.push;
    source.push = function countedPush(this: Readable, chunk: unknown, encoding?: BufferEncoding): boolean {
      if (chunk !== null && chunk !== undefined) counter.inc((chunk as { length: number }).length);
      return push.call(this, chunk, encoding);
    };
    return source;
  }

  write(uri: string, body: Readable | Buffer, options?: WriteOptions): Promise<UfsStatus> {
    return this.inner.write(uri, body, options);
  }

  delete(uri: string, options?: DeleteOptions): Promise<void> {
    return this.inner.delete(uri, options);
  }

  mkdir(uri: string, options?: MkdirOptions): Promise<void> {
    return this.inner.mkdir(uri, options);
  }

  rename(src: string, dst: string): Promise<void> {
    return this.inner.rename(src, dst);
  }

  async readObjectMeta(uri: string, version: string): Promise<ObjectMeta | undefined> {
    return this.inner.readObjectMeta?.(uri, version);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

import { Transform, pipeline, type Readable, type TransformCallback } from 'node:stream';
import { metrics } from '../common/metrics.js';
import type {
  DeleteOptions, ListOptions, ListPage, MkdirOptions, ReadOptions, UfsStatus, UnderFileSystem, WriteOptions,
} from './under-file-system.js';

/**
 * Wraps any back end and counts `alluxio_ufs_data_access_bytes_total` for the bytes that
 * openRead streams actually deliver, chunk by chunk as they flow (a read abandoned halfway
 * counts only what was read). Every other call passes straight through.
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
    const source = await this.inner.openRead(uri, offset, length, options);
    const counter = metrics.ufsDataAccessBytes.labels({ ufs: this.scheme });
    const counted = new Transform({
      transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
        counter.inc(chunk.length);
        cb(null, chunk);
      },
    });
    // pipeline destroys the source when the reader destroys `counted`, and hands the source's
    // errors on to the reader.
    pipeline(source, counted, () => undefined);
    return counted;
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

  close(): Promise<void> {
    return this.inner.close();
  }
}

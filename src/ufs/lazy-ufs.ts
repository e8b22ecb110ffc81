import type { Readable } from 'node:stream';
import type {
  DeleteOptions, ListOptions, ListPage, MkdirOptions, ObjectMeta, ReadOptions, UfsStatus, UnderFileSystem, WriteOptions,
} from './under-file-system.js';

/**
 * A back end whose module is loaded on first use. The S3 SDK takes about half a second to load;
 * a CLI call or a worker that only serves local mounts should not pay for it.
 */
export class LazyUfs implements UnderFileSystem {
  private inner: Promise<UnderFileSystem> | undefined;

  constructor(readonly scheme: string, private readonly load: () => Promise<UnderFileSystem>) {}

  private get ufs(): Promise<UnderFileSystem> {
    this.inner ??= this.load();
    return this.inner;
  }

  /** The loaded back end (loading it now if needed). */
  resolve(): Promise<UnderFileSystem> {
    return this.ufs;
  }

  async getStatus(uri: string): Promise<UfsStatus> { return (await this.ufs).getStatus(uri); }
  async list(uri: string, options?: ListOptions): Promise<ListPage> { return (await this.ufs).list(uri, options); }
  async openRead(uri: string, offset: number, length: number, options?: ReadOptions): Promise<Readable> { return (await this.ufs).openRead(uri, offset, length, options); }
  async write(uri: string, body: Readable | Buffer, options?: WriteOptions): Promise<UfsStatus> { return (await this.ufs).write(uri, body, options); }
  async delete(uri: string, options?: DeleteOptions): Promise<void> { return (await this.ufs).delete(uri, options); }
  async mkdir(uri: string, options?: MkdirOptions): Promise<void> { return (await this.ufs).mkdir(uri, options); }
  async rename(src: string, dst: string): Promise<void> { return (await this.ufs).rename(src, dst); }
  async readObjectMeta(uri: string, version: string): Promise<ObjectMeta | undefined> { return (await this.ufs).readObjectMeta?.(uri, version); }
  async close(): Promise<void> {
    if (this.inner) await (await this.inner).close();
  }
}

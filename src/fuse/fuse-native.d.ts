// Types for the parts of fuse-native 2.2.6 (CommonJS, no bundled types) that src/fuse uses.
declare module 'fuse-native' {
  type Cb = (code: number, ...values: unknown[]) => void;

  export interface FuseStat {
    mode: number; uid: number; gid: number; size: number; nlink: number;
    mtime: Date; atime: Date; ctime: Date; blocks?: number; blksize?: number; ino?: number;
  }

  export interface FuseStatfs {
    bsize: number; frsize: number; blocks: number; bfree: number; bavail: number;
    files: number; ffree: number; favail: number; fsid: number; flag: number; namemax: number;
  }

  /** Callbacks take a 0 or negative errno first (read/write: the byte count or a negative errno). */
  export interface FuseOperations {
    init?(cb: Cb): void;
    getattr?(path: string, cb: Cb): void;
    readdir?(path: string, cb: Cb): void;
    open?(path: string, flags: number, cb: Cb): void;
    create?(path: string, mode: number, cb: Cb): void;
    read?(path: string, fd: number, buf: Buffer, len: number, pos: number, cb: (n: number) => void): void;
    write?(path: string, fd: number, buf: Buffer, len: number, pos: number, cb: (n: number) => void): void;
    flush?(path: string, fd: number, cb: Cb): void;
    fsync?(path: string, datasync: boolean, fd: number, cb: Cb): void;
    release?(path: string, fd: number, cb: Cb): void;
    truncate?(path: string, size: number, cb: Cb): void;
    ftruncate?(path: string, fd: number, size: number, cb: Cb): void;
    mkdir?(path: string, mode: number, cb: Cb): void;
    rmdir?(path: string, cb: Cb): void;
    unlink?(path: string, cb: Cb): void;
    rename?(src: string, dest: string, cb: Cb): void;
    statfs?(path: string, cb: Cb): void;
    utimens?(path: string, atime: number, mtime: number, cb: Cb): void;
    chmod?(path: string, mode: number, cb: Cb): void;
    chown?(path: string, uid: number, gid: number, cb: Cb): void;
  }

  export interface FuseOptions {
    /** Per-call timeout of the binding in ms (a call unanswered by then gets ETIMEDOUT), or false. */
    timeout?: number | false | Record<string, number>;
    mkdir?: boolean;
    force?: boolean;
    [option: string]: unknown;
  }

  class Fuse {
    constructor(mnt: string, ops: FuseOperations, opts?: FuseOptions);
    readonly mnt: string;
    mount(cb: (err: Error | null) => void): void;
    unmount(cb: (err: Error | null) => void): void;
    /** The `-o...` argument handed to libfuse (overridable). */
    _fuseOptions(): string;
    static unmount(mnt: string, cb: (err: Error | null) => void): void;
  }
  export default Fuse;
}

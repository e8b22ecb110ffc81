import fs, { readFileSync } from 'node:fs';
import { InvalidArgumentError } from '../common/errors.js';
import { READ_FLAGS } from './page-store-fs.js';

/** One page file's descriptor and the reads using it. */
interface Slot {
  readonly fd: Promise<number>;
  users: number;
  dropped: boolean;
  /** A whole-file read through this descriptor passed the owner's check (see readChecked). */
  checked: boolean;
}

/**
 * Open descriptors of recently read page files, least recently used first out, so that a cached
 * read is one pread in the thread pool instead of open, pread and close: on a shared VM each
 * thread-pool round trip costs a thread wake-up, and three per page were a quarter of a cached
 * read's cost. Keyed by the store's page entry, which is replaced (never mutated) whenever the page
 * file changes: the owner drops the key when it removes or replaces the entry, and the descriptor
 * is closed once no read uses it, so a descriptor never serves a file the index no longer has.
 * (A page file deleted behind the store's back stays readable through an open descriptor until it
 * is dropped or pushed out; its bytes are still checksummed.)
 */
export class PageFdCache<K extends object> {
  private readonly slots = new Map<K, Slot>();

  constructor(readonly maxOpen: number) {
    if (!Number.isSafeInteger(maxOpen) || maxOpen < 0) throw new InvalidArgumentError(`maxOpenPageFiles must be an integer >= 0, got ${String(maxOpen)}`);
  }

  /**
   * Reads up to `size` bytes at `position` of the page file into `buf`; returns the bytes read.
   * With `check`, called on the bytes read: when it returns true the descriptor is marked checked,
   * so readChecked may serve ranges through it (page files are replaced by rename, never
   * rewritten in place, so the bytes under a descriptor stay the ones checked).
   */
  async read(key: K, path: string, buf: Buffer, size: number, position = 0, check?: (n: number) => boolean): Promise<number> {
    let s = this.slots.get(key);
    if (s !== undefined) {
      // Most recently used goes to the back of the Map's insertion order.
      this.slots.delete(key);
      this.slots.set(key, s);
    } else if (this.maxOpen > 0) {
      s = { fd: openFile(path), users: 0, dropped: false, checked: false };
      s.fd.catch(() => undefined);
      this.slots.set(key, s);
      if (this.slots.size > this.maxOpen) this.drop(this.slots.keys().next().value!);
    } else {
      const n = await readOnce(path, buf, size, position);
      check?.(n);
      return n;
    }
    s.users++;
    try {
      const n = await readFull(await s.fd, buf, size, position);
      if (check?.(n) === true) s.checked = true;
      return n;
    } catch (err) {
      if (this.slots.get(key) === s) this.drop(key); // a failed open or read is not kept
      throw err;
    } finally {
      if (--s.users === 0 && s.dropped) closeSlot(s);
    }
  }

  /**
   * Reads `size` bytes at `position` through `key`'s descriptor if one is open and was checked;
   * undefined when there is none (the caller reads and checks the whole file instead).
   */
  readChecked(key: K, buf: Buffer, size: number, position: number): Promise<number> | undefined {
    const s = this.slots.get(key);
    if (s === undefined || !s.checked) return undefined;
    this.slots.delete(key);
    this.slots.set(key, s);
    s.users++;
    return s.fd.then((fd) => readFull(fd, buf, size, position)).catch((err: unknown) => {
      if (this.slots.get(key) === s) this.drop(key);
      throw err;
    }).finally(() => {
      if (--s.users === 0 && s.dropped) closeSlot(s);
    });
  }

  /** Forgets `key`'s descriptor: closed now, or when the last read using it ends. */
  drop(key: K): void {
    const s = this.slots.get(key);
    if (s === undefined) return;
    this.slots.delete(key);
    s.dropped = true;
    if (s.users === 0) closeSlot(s);
  }

  /** Drops every descriptor (the store is closing). */
  dropAll(): void {
    for (const key of [...this.slots.keys()]) this.drop(key);
  }

  get size(): number {
    return this.slots.size;
  }
}

/**
 * How many page files to keep open: a quarter of the soft limit on open files, at most 4096, so
 * sockets and the UFS keep most of the limit.
 */
export function defaultMaxOpenPageFiles(): number {
  let limit = 1024;
  try {
    const m = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    if (m) limit = m[1] === 'unlimited' ? Infinity : Number(m[1]);
  } catch { /* not Linux: keep the common default */ }
  return Math.min(4096, Math.floor(limit / 4));
}

function closeSlot(s: Slot): void {
  s.fd.then((fd) => fs.close(fd, () => undefined), () => undefined);
}

/** Error code of an open that found something other than a regular file where a page belongs. */
export const NOT_A_REGULAR_FILE = 'ENOTREG';

/**
 * Opens a page file for reading. Non-blocking, and only a regular file is kept: a FIFO put where
 * a page belongs would otherwise hold a thread-pool thread until someone writes to it.
 */
function openFile(path: string): Promise<number> {
  return new Promise((resolve, reject) => fs.open(path, READ_FLAGS, (err, fd) => {
    if (err) return reject(err);
    fs.fstat(fd, (statErr, st) => {
      if (!statErr && st.isFile()) return resolve(fd);
      fs.close(fd, () => undefined);
      reject(statErr ?? Object.assign(new Error(`${path} is not a regular file`), { code: NOT_A_REGULAR_FILE }));
    });
  }));
}

/** Reads from `position` until `size` bytes or the end of the file. */
function readFull(fd: number, buf: Buffer, size: number, position: number): Promise<number> {
  return new Promise((resolve, reject) => {
    let n = 0;
    const next = () => fs.read(fd, buf, n, size - n, position + n, (err, bytesRead) => {
      if (err) return reject(err);
      n += bytesRead;
      if (bytesRead === 0 || n === size) resolve(n);
      else next();
    });
    next();
  });
}

/** Without a cache: open, read, close (the close is not waited for). */
async function readOnce(path: string, buf: Buffer, size: number, position: number): Promise<number> {
  const fd = await openFile(path);
  try {
    return await readFull(fd, buf, size, position);
  } finally {
    fs.close(fd, () => undefined);
  }
}

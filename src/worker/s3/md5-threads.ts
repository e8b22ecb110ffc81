import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

// MD5 of PUT bodies off the event loop. MD5 is serial (one stream, one core: about 700 MiB/s
// here), so hashing on the request thread capped a PUT at that minus everything else the thread
// does (HTTP parsing, the writes). Here the request thread copies each chunk into a slot of a
// SharedArrayBuffer (a memcpy, ~10x faster than the hash) and a hashing thread digests full slots
// while the request thread parses and writes the next ones. SLOTS slots per body bound what
// waits (8 MiB): when all are taken the copy waits for one, which holds the body back
// (back-pressure). Slots of 2 MiB: one message each way per 2 MiB.
// Threads start on first use, keep the process alive only while they hash a body, and each hashes
// any number of bodies; a body goes to the thread with the fewest. A thread idle for
// THREAD_IDLE_MS exits, so a burst of concurrent uploads does not hold threads (and their
// descriptors and memory) for the life of the process.

const SLOT_BYTES = 2 << 20;
const SLOTS = 4;
/** Buffers kept for reuse once their body is hashed (beyond that they are dropped). */
const IDLE_BUFFERS = 4;
/** How long a hashing thread with no body waits before it exits. */
const THREAD_IDLE_MS = 10_000;

/** The hashing thread: CommonJS, no loader hooks (eval). */
const THREAD_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const SLOT = ${SLOT_BYTES};
const jobs = new Map();
parentPort.on('message', (m) => {
  if (m.sab !== undefined) { jobs.set(m.id, { hash: createHash('md5'), bytes: new Uint8Array(m.sab) }); return; }
  const j = jobs.get(m.id);
  if (j === undefined) return;
  if (m.slot !== undefined) {
    j.hash.update(j.bytes.subarray(m.slot * SLOT, m.slot * SLOT + m.len));
    parentPort.postMessage({ id: m.id, slot: m.slot });
    return;
  }
  jobs.delete(m.id);
  parentPort.postMessage({ id: m.id, digest: m.end ? j.hash.digest('hex') : '' });
});`;

interface HashThread {
  worker: Worker;
  jobs: Map<number, ThreadedMd5>;
  idleTimer: NodeJS.Timeout | undefined;
}

const threads: HashThread[] = [];
const maxThreads = Math.max(1, Math.min(4, availableParallelism() - 1));
const idle: SharedArrayBuffer[] = [];
let nextId = 0;

function startThread(): HashThread {
  const t: HashThread = { worker: new Worker(THREAD_SOURCE, { eval: true, execArgv: [] }), jobs: new Map(), idleTimer: undefined };
  t.worker.on('message', (m: { id: number; slot?: number; digest?: string }) => {
    const job = t.jobs.get(m.id);
    if (job === undefined) return;
    if (m.slot !== undefined) job.slotFreed(m.slot);
    else {
      t.jobs.delete(m.id);
      if (t.jobs.size === 0) becameIdle(t);
      job.finished(m.digest!);
    }
  });
  const die = (err: Error) => {
    clearTimeout(t.idleTimer);
    const i = threads.indexOf(t);
    if (i >= 0) threads.splice(i, 1);
    for (const job of t.jobs.values()) job.failed(err);
    t.jobs.clear();
  };
  t.worker.on('error', die);
  t.worker.on('exit', (code) => die(new Error(`the MD5 hashing thread exited (code ${code})`)));
  t.worker.unref(); // ref'd while it hashes a body (after the listeners: adding one refs it again)
  threads.push(t);
  return t;
}

/** The thread has no body left: it lets the process exit, and exits itself unless used again soon. */
function becameIdle(t: HashThread): void {
  t.worker.unref();
  clearTimeout(t.idleTimer);
  t.idleTimer = setTimeout(() => {
    if (t.jobs.size > 0) return;
    const i = threads.indexOf(t);
    if (i >= 0) threads.splice(i, 1);
    void t.worker.terminate();
  }, THREAD_IDLE_MS).unref();
}

/** The thread takes a body: it keeps the process alive and stays. */
function becameBusy(t: HashThread): void {
  clearTimeout(t.idleTimer);
  t.idleTimer = undefined;
  t.worker.ref();
}

/** How many hashing threads run now (for tests and diagnostics). */
export function hashThreadCount(): number {
  return threads.length;
}

function pickThread(): HashThread {
  let best: HashThread | undefined;
  for (const t of threads) if (best === undefined || t.jobs.size < best.jobs.size) best = t;
  if (best !== undefined && (best.jobs.size === 0 || threads.length >= maxThreads)) return best;
  return startThread();
}

/**
 * The MD5 of one body, hashed on a hashing thread: `update` copies bytes in (calling back at once,
 * or once a slot is free), `digest` ends the body and gives the hex digest, `abort` drops it.
 */
export class ThreadedMd5 {
  private readonly thread: HashThread;
  private readonly id = nextId++;
  private readonly sab: SharedArrayBuffer;
  private readonly bytes: Uint8Array;
  private readonly free: number[] = [];
  /** The slot being filled (-1: none) and how full it is. */
  private slot = -1;
  private fill = 0;
  /** A chunk waiting for a free slot, from `offset` on. */
  private pending: Buffer | undefined;
  private offset = 0;
  private onCopied: ((err?: Error) => void) | undefined;
  private onDigest: ((err: Error | null, hex?: string) => void) | undefined;
  private error: Error | undefined;
  private done = false;

  constructor() {
    this.sab = idle.pop() ?? new SharedArrayBuffer(SLOT_BYTES * SLOTS);
    this.bytes = new Uint8Array(this.sab);
    for (let i = SLOTS - 1; i >= 0; i--) this.free.push(i);
    this.thread = pickThread();
    if (this.thread.jobs.size === 0) becameBusy(this.thread);
    this.thread.jobs.set(this.id, this);
    this.thread.worker.postMessage({ id: this.id, sab: this.sab });
  }

  /** Copies `chunk` in; `cb` runs once it is all copied (the chunk may then be reused). */
  update(chunk: Buffer, cb: (err?: Error) => void): void {
    if (this.error) return cb(this.error);
    this.pending = chunk;
    this.offset = 0;
    this.onCopied = cb;
    this.copy();
  }

  /** Ends the body; `cb` gets the hex digest once every byte is hashed. */
  digest(cb: (err: Error | null, hex?: string) => void): void {
    if (this.error) return cb(this.error);
    this.onDigest = cb;
    if (this.slot >= 0 && this.fill > 0) this.thread.worker.postMessage({ id: this.id, slot: this.slot, len: this.fill });
    this.slot = -1;
    this.thread.worker.postMessage({ id: this.id, end: true });
  }

  /** Drops the body (the stream failed): the thread forgets it, the buffer is reused. */
  abort(): void {
    if (this.done || this.onDigest) return;
    this.onDigest = () => {};
    // A copy waiting for a slot stops here: nothing is posted for this body after its end.
    this.pending = undefined;
    this.onCopied = undefined;
    this.error = new Error('the MD5 of this body was aborted');
    this.thread.worker.postMessage({ id: this.id, end: false });
  }

  private copy(): void {
    const chunk = this.pending!;
    while (this.offset < chunk.length) {
      if (this.slot < 0) {
        const s = this.free.pop();
        if (s === undefined) return; // slotFreed resumes
        this.slot = s;
        this.fill = 0;
      }
      const n = Math.min(chunk.length - this.offset, SLOT_BYTES - this.fill);
      chunk.copy(this.bytes, this.slot * SLOT_BYTES + this.fill, this.offset, this.offset + n);
      this.offset += n;
      this.fill += n;
      if (this.fill === SLOT_BYTES) {
        this.thread.worker.postMessage({ id: this.id, slot: this.slot, len: SLOT_BYTES });
        this.slot = -1;
      }
    }
    this.pending = undefined;
    const cb = this.onCopied!;
    this.onCopied = undefined;
    cb();
  }

  /** @internal the thread hashed a slot */
  slotFreed(slot: number): void {
    this.free.push(slot);
    if (this.pending !== undefined) this.copy();
  }

  /** @internal the thread ended the body (digest '' when aborted) */
  finished(hex: string): void {
    this.done = true;
    if (idle.length < IDLE_BUFFERS) idle.push(this.sab);
    const cb = this.onDigest;
    this.onDigest = undefined;
    cb?.(null, hex);
  }

  /** @internal the thread died */
  failed(err: Error): void {
    this.done = true;
    this.error = err;
    const copied = this.onCopied;
    this.onCopied = undefined;
    this.pending = undefined;
    copied?.(err);
    const cb = this.onDigest;
    this.onDigest = undefined;
    cb?.(err);
  }
}

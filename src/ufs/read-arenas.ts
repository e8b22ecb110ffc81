import { BufferPool } from '../common/buffer-pool.js';

/**
 * The memory that UFS bodies are read into (s3-fast-get.ts reads the socket straight into these
 * arenas and hands out slices of them). Allocating a fresh 256 KiB external buffer per arena made
 * V8 run a major GC about every 16 MiB of a cold read (30 in a 512 MiB read), about a sixth of
 * the worker's CPU on the cold path. A reader of an openRead stream that copies each chunk and keeps
 * no reference to it gives the chunk back with releaseReadChunk, and its arena is reused once no
 * slice of it is held. A reader that keeps chunks simply does not release them: the arena is then
 * garbage-collected as usual, so not releasing is always safe.
 */
export const READ_ARENA_BYTES = 256 * 1024;
export const readArenas = new BufferPool(READ_ARENA_BYTES, 64);

/**
 * Gives back a chunk read from an openRead stream; the caller must not touch its bytes again.
 * Chunks that are not slices of a read arena (local files, the SDK's bodies, chunks a stream
 * concatenated) are ignored.
 */
export function releaseReadChunk(chunk: Uint8Array): void {
  readArenas.release(chunk);
}

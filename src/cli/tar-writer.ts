import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';

export interface TarEntry {
  /** Path inside the archive, '/'-separated; at most 100 bytes (ustar without the prefix field). */
  name: string;
  data: Buffer;
}

const BLOCK = 512;

/** A ustar header block for a regular file (POSIX.1-1988: what `tar xzf` of any tar reads). */
function header(name: string, size: number, mtimeSec: number): Buffer {
  const h = Buffer.alloc(BLOCK);
  if (Buffer.byteLength(name) > 100) throw new Error(`tar entry name longer than 100 bytes: ${name}`);
  const octal = (n: number, width: number) => n.toString(8).padStart(width - 1, '0') + '\0';
  h.write(name, 0, 100, 'utf8');
  h.write(octal(0o644, 8), 100, 'ascii');
  h.write(octal(0, 8), 108, 'ascii');
  h.write(octal(0, 8), 116, 'ascii');
  h.write(octal(size, 12), 124, 'ascii');
  h.write(octal(mtimeSec, 12), 136, 'ascii');
  h.write('        ', 148, 'ascii'); // checksum is computed with this field as spaces
  h.write('0', 156, 'ascii');
  h.write('ustar\u000000', 257, 'ascii');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'ascii');
  return h;
}

function* blocks(entries: TarEntry[]): Generator<Buffer> {
  const now = Math.floor(Date.now() / 1000);
  for (const e of entries) {
    yield header(e.name, e.data.length, now);
    yield e.data;
    const pad = (BLOCK - (e.data.length % BLOCK)) % BLOCK;
    if (pad) yield Buffer.alloc(pad);
  }
  yield Buffer.alloc(BLOCK * 2); // end of archive
}

/** Writes `entries` as a gzip-compressed tar file at `path`. */
export async function writeTarGz(path: string, entries: TarEntry[]): Promise<void> {
  await pipeline(Readable.from(blocks(entries)), createGzip(), createWriteStream(path, { mode: 0o600 }));
}

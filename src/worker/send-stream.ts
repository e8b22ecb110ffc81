import type { ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';

/**
 * Writes `src` to `res` chunk by chunk, without copying and without the AbortController that
 * stream.pipeline makes per call. When `release` is given, each chunk is handed to it once the
 * socket has taken it, so page buffers can be reused (PageStore.release): `src` must then yield
 * chunks nothing else holds. A failing source destroys the response (the client sees a cut
 * connection, never a short body passed off as whole) and rejects; a client that goes away
 * stops the source and resolves.
 */
export function sendStream(src: Readable, res: ServerResponse, release?: (chunk: Buffer) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    let failed = false;
    const fail = (err: Error) => {
      if (failed) return;
      failed = true;
      src.destroy();
      res.destroy(err);
      reject(err);
    };
    src.on('data', (chunk: Buffer) => {
      const ok = release ? res.write(chunk, () => release(chunk)) : res.write(chunk);
      if (!ok) src.pause();
    });
    res.on('drain', () => src.resume());
    src.once('end', () => res.end());
    src.once('error', fail);
    res.once('close', () => {
      if (!res.writableFinished) src.destroy();
      if (!failed) resolve();
    });
  });
}

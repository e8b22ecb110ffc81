import { Readable } from 'node:stream';
import { AlluxioError } from '../common/errors.js';
import type { Logger } from '../common/logging.js';
import { lazyMetrics } from '../common/metrics-lazy.js';
import type { WorkerInfo } from '../hashring/worker-info.js';
import { workerOrigin, WorkerUnavailableError } from '../common/protocol/index.js';

export interface FailoverReadOptions {
  candidates: WorkerInfo[];
  offset: number;
  length: number;
  /** The UFS version the whole read must be of (a caller that pinned one earlier, e.g. an open FUSE file). */
  version?: string;
  /**
   * Opens a range on a worker; `version` (when set) pins the UFS version the answer must be of.
   * The answer's `version` is the one it serves.
   */
  openWorker: (w: WorkerInfo, offset: number, length: number, version?: string) => Promise<{ length: number; body: Readable; version?: string }>;
  /**
   * Reads the UFS directly; `version` (when set) is the version the bytes must be of (else
   * ALX_ERR_STALE). The answer's `version` is the one it serves, when known.
   */
  openUfs?: (offset: number, length: number, version?: string) => Promise<{ body: Readable; version?: string }>;
  log?: Logger;
}

/**
 * A read that survives worker failures: it starts on the first owner and, when a worker cannot be
 * reached or dies mid-stream, resumes at the next byte on the next owner, then on the UFS directly.
 * Errors that are about the request itself (4xx: not found, bad range) end the read at once.
 * A read returns one version of the file: the version of the first answer is pinned, and every
 * later worker and the UFS fallback must serve that version or refuse with ALX_ERR_STALE ("changed
 * during the read"), which ends the read; resuming on whatever version is there now would splice
 * two versions together.
 */
export async function readWithFailover(o: FailoverReadOptions): Promise<{ length: number; stream: Readable; version?: string }> {
  let idx = 0;
  let first: { length: number; body: Readable; version?: string } | undefined;
  let lastErr: unknown;
  // Open the first stream before returning, so that not-found and range errors surface as rejections.
  for (; idx < o.candidates.length && !first; idx++) {
    try {
      first = await o.openWorker(o.candidates[idx]!, o.offset, o.length, o.version);
    } catch (err) {
      if (!(err instanceof WorkerUnavailableError)) throw err;
      lastErr = err;
      if (idx + 1 < o.candidates.length) (await lazyMetrics()).clientReadFailover.inc();
      o.log?.warn({ worker: workerOrigin(o.candidates[idx]!), err: err.message }, 'read failing over');
    }
  }
  const total = first?.length ?? o.length;
  const version = first?.version ?? o.version;
  if (!first) {
    if (!o.openUfs) throw lastErr ?? new AlluxioError('ALX_ERR_NO_WORKER', 'no worker to read from');
    const direct = await o.openUfs(o.offset, o.length, o.version);
    const served = direct.version ?? o.version;
    return { length: o.length, stream: direct.body, ...(served !== undefined ? { version: served } : {}) };
  }
  async function* gen(): AsyncGenerator<Buffer> {
    let pos = o.offset;
    let body: Readable | undefined = first!.body;
    for (;;) {
      try {
        if (!body) {
          const remaining = total - (pos - o.offset);
          if (idx < o.candidates.length) {
            const w = o.candidates[idx++]!;
            (await lazyMetrics()).clientReadFailover.inc();
            body = (await o.openWorker(w, pos, remaining, version)).body;
          } else if (o.openUfs) {
            body = (await o.openUfs(pos, remaining, version)).body;
          } else {
            throw lastErr ?? new AlluxioError('ALX_ERR_NO_WORKER', 'no worker left to read from');
          }
        }
        for await (const chunk of body as AsyncIterable<Buffer>) {
          pos += chunk.length;
          yield chunk;
        }
        if (pos - o.offset >= total || total < 0) return;
        throw new WorkerUnavailableError('', `stream ended early at byte ${pos}`);
      } catch (err) {
        body?.destroy();
        body = undefined;
        if (err instanceof AlluxioError && !(err instanceof WorkerUnavailableError)) throw err;
        if (!(err instanceof WorkerUnavailableError) && !isNetworkError(err)) throw err;
        lastErr = err;
        o.log?.warn({ err: (err as Error).message, pos }, 'read failing over mid-stream');
        if (idx >= o.candidates.length && !o.openUfs) throw err;
      }
    }
  }
  return { length: total, stream: Readable.from(gen(), { objectMode: false }), ...(version !== undefined ? { version } : {}) };
}

function isNetworkError(err: unknown): boolean {
  const code = (err as { code?: string })?.code ?? '';
  return /^(ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT|UND_ERR_)/.test(code) || (err as Error)?.name === 'SocketError';
}

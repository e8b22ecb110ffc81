import { setTimeout as sleep } from 'node:timers/promises';
import {
  AlluxioError, InvalidRangeError, NotFoundError, UfsError,
} from '../common/errors.js';
import { S3_KEYS, type S3UfsConfig, type S3UfsTuning } from './s3-config.js';

/** What a failed S3 call was, for the retry decision and the final error. */
export type S3FailureKind = 'timeout' | 'retryable' | 'not-found' | 'denied' | 'bad-range' | 'precondition' | 'fatal';

const THROTTLE_NAMES = new Set([
  'SlowDown', 'Throttling', 'ThrottlingException', 'ThrottledException', 'RequestThrottled', 'RequestLimitExceeded',
  'TooManyRequestsException', 'ProvisionedThroughputExceededException', 'InternalError', 'ServiceUnavailable',
  'BandwidthLimitExceeded', 'EC2ThrottledException',
]);
const TIMEOUT_NAMES = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException']);
const NETWORK_CODES = new Set([
  'ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNABORTED',
  'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN', 'UND_ERR_SOCKET', 'ERR_STREAM_PREMATURE_CLOSE',
]);

interface SdkErrorShape {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  $retryable?: unknown;
}

export function classifyS3Error(err: unknown): S3FailureKind {
  const e = (err ?? {}) as SdkErrorShape;
  const status = e.$metadata?.httpStatusCode;
  const name = e.name ?? '';
  if (TIMEOUT_NAMES.has(name) || e.code === 'ETIMEDOUT') return 'timeout';
  if (name === 'NotFound' || name === 'NoSuchKey' || name === 'NoSuchBucket' || status === 404) return 'not-found';
  if (name === 'AccessDenied' || status === 403) return 'denied';
  if (name === 'InvalidRange' || status === 416) return 'bad-range';
  if (name === 'PreconditionFailed' || status === 412) return 'precondition';
  if (THROTTLE_NAMES.has(name) || status === 429 || status === 500 || status === 502 || status === 503 || status === 504) return 'retryable';
  if ((e.code && NETWORK_CODES.has(e.code)) || e.$retryable || /socket hang up|ECONNRESET|ECONNREFUSED/.test(e.message ?? '')) return 'retryable';
  return 'fatal';
}

/** One line about an S3 failure: the error name, HTTP status and message (no credentials: the SDK puts none there). */
export function describeS3Error(err: unknown): string {
  const e = (err ?? {}) as SdkErrorShape;
  const status = e.$metadata?.httpStatusCode;
  const name = e.name && e.name !== 'Error' ? e.name : e.code ?? 'Error';
  const msg = e.message && e.message !== name ? `: ${e.message}` : '';
  return `${name}${status ? ` (HTTP ${status})` : ''}${msg}`;
}

export interface S3CallContext {
  /** The UFS operation (getStatus, openRead, ...). */
  op: string;
  /** The S3 API call (HeadObject, GetObject, ...). */
  s3Op: string;
  uri: string;
  signal?: AbortSignal | undefined;
}

/**
 * Runs S3 calls with a per-attempt deadline and retries: transient failures (throttling,
 * 5xx, network errors, timeouts) are retried up to max.error.retry times with exponential
 * backoff and full jitter; other failures are mapped to AlluxioErrors at once.
 */
export class S3Caller {
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;

  constructor(private readonly config: Pick<S3UfsConfig, 'maxErrorRetry' | 'requestTimeoutMs'>, tuning: S3UfsTuning = {}) {
    this.baseDelayMs = tuning.retryBaseDelayMs ?? 100;
    this.maxDelayMs = tuning.retryMaxDelayMs ?? 20_000;
  }

  async call<T>(ctx: S3CallContext, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const maxAttempts = this.config.maxErrorRetry + 1;
    for (let attempt = 1; ; attempt++) {
      ctx.signal?.throwIfAborted();
      const ac = new AbortController();
      let timedOut = false;
      const timer = setTimeout(() => { timedOut = true; ac.abort(); }, this.config.requestTimeoutMs);
      const onCallerAbort = (): void => ac.abort(ctx.signal?.reason);
      ctx.signal?.addEventListener('abort', onCallerAbort, { once: true });
      try {
        return await fn(ac.signal);
      } catch (err) {
        if (ctx.signal?.aborted) throw ctx.signal.reason ?? err;
        const kind = timedOut ? 'timeout' : classifyS3Error(err);
        if (kind !== 'timeout' && kind !== 'retryable') throw this.finalError(kind, err, ctx);
        if (attempt >= maxAttempts) throw this.exhaustedError(kind, err, ctx, attempt, timedOut);
        await sleep(this.backoffMs(attempt), undefined, ctx.signal ? { signal: ctx.signal } : undefined);
      } finally {
        clearTimeout(timer);
        ctx.signal?.removeEventListener('abort', onCallerAbort);
      }
    }
  }

  /** Full jitter: uniform in [0, min(max, base * 2^(attempt-1))]. */
  backoffMs(attempt: number): number {
    const cap = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** Math.min(attempt - 1, 30));
    return Math.floor(Math.random() * (cap + 1));
  }

  private exhaustedError(kind: 'timeout' | 'retryable', err: unknown, ctx: S3CallContext, attempts: number, ourTimeout: boolean): UfsError {
    const last = ourTimeout
      ? `no answer within ${this.config.requestTimeoutMs} ms (${S3_KEYS.requestTimeout})`
      : describeS3Error(err);
    return new UfsError(
      kind === 'timeout' ? 'ALX_ERR_UFS_TIMEOUT' : 'ALX_ERR_UFS_UNAVAILABLE',
      `S3 ${ctx.op} of ${ctx.uri} failed after ${attempts} attempt${attempts === 1 ? '' : 's'} ` +
      `(${ctx.s3Op}; ${S3_KEYS.maxErrorRetry}=${this.config.maxErrorRetry}); last error: ${last}`,
      { cause: err },
    );
  }

  private finalError(kind: S3FailureKind, err: unknown, ctx: S3CallContext): AlluxioError {
    const what = `S3 ${ctx.op} of ${ctx.uri} (${ctx.s3Op})`;
    switch (kind) {
      case 'not-found': return new NotFoundError(`${ctx.op} ${ctx.uri}: no such file or directory (${describeS3Error(err)})`);
      case 'denied': return new AlluxioError('ALX_ERR_PERMISSION_DENIED', `${what}: access denied (${describeS3Error(err)}); check the credentials and the bucket policy`);
      case 'bad-range': return new InvalidRangeError(`${what}: range not satisfiable (${describeS3Error(err)})`);
      case 'precondition': return new AlluxioError('ALX_ERR_STALE', `${what}: the object changed (${describeS3Error(err)})`);
      default: return new UfsError('ALX_ERR_UFS', `${what} failed: ${describeS3Error(err)}`, { cause: err });
    }
  }
}

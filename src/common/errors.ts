// Every error the system raises is an AlluxioError with a stable public code (ALX_ERR_*).
// One table maps each code to its HTTP status, S3 error code and errno, so each front end
// (REST, S3, FUSE, CLI) reports the same failure the same way. Codes are public: never reuse one.

export interface ErrorSpec {
  readonly http: number;
  readonly s3: string;
  readonly errno: string;
}

export const ERROR_TABLE = {
  ALX_ERR_INVALID_ARGUMENT: { http: 400, s3: 'InvalidArgument', errno: 'EINVAL' },
  ALX_ERR_INVALID_PATH: { http: 400, s3: 'InvalidArgument', errno: 'EINVAL' },
  ALX_ERR_INVALID_RANGE: { http: 416, s3: 'InvalidRange', errno: 'EINVAL' },
  ALX_ERR_INVALID_CONF: { http: 400, s3: 'InvalidArgument', errno: 'EINVAL' },
  ALX_ERR_NOT_FOUND: { http: 404, s3: 'NoSuchKey', errno: 'ENOENT' },
  ALX_ERR_ALREADY_EXISTS: { http: 409, s3: 'BucketAlreadyExists', errno: 'EEXIST' },
  ALX_ERR_NOT_A_DIRECTORY: { http: 400, s3: 'InvalidArgument', errno: 'ENOTDIR' },
  ALX_ERR_IS_A_DIRECTORY: { http: 400, s3: 'InvalidArgument', errno: 'EISDIR' },
  ALX_ERR_DIRECTORY_NOT_EMPTY: { http: 409, s3: 'BucketNotEmpty', errno: 'ENOTEMPTY' },
  ALX_ERR_MOUNT: { http: 400, s3: 'InvalidArgument', errno: 'EINVAL' },
  ALX_ERR_NO_MOUNT: { http: 404, s3: 'NoSuchBucket', errno: 'ENOENT' },
  ALX_ERR_PERMISSION_DENIED: { http: 403, s3: 'AccessDenied', errno: 'EACCES' },
  ALX_ERR_REQUEST_TIMEOUT: { http: 408, s3: 'RequestTimeout', errno: 'ETIMEDOUT' },
  ALX_ERR_UNAUTHENTICATED: { http: 401, s3: 'AccessDenied', errno: 'EACCES' },
  ALX_ERR_UFS_TIMEOUT: { http: 504, s3: 'RequestTimeout', errno: 'ETIMEDOUT' },
  ALX_ERR_UFS_UNAVAILABLE: { http: 503, s3: 'ServiceUnavailable', errno: 'EIO' },
  ALX_ERR_UFS: { http: 502, s3: 'InternalError', errno: 'EIO' },
  ALX_ERR_NO_SPACE: { http: 507, s3: 'InternalError', errno: 'ENOSPC' },
  ALX_ERR_NO_WORKER: { http: 503, s3: 'ServiceUnavailable', errno: 'EIO' },
  ALX_ERR_WORKER_UNAVAILABLE: { http: 503, s3: 'ServiceUnavailable', errno: 'EIO' },
  ALX_ERR_STALE: { http: 409, s3: 'PreconditionFailed', errno: 'ESTALE' },
  ALX_ERR_CORRUPT_PAGE: { http: 500, s3: 'InternalError', errno: 'EIO' },
  ALX_ERR_ETCD_UNAVAILABLE: { http: 503, s3: 'ServiceUnavailable', errno: 'EIO' },
  ALX_ERR_NOT_IMPLEMENTED: { http: 501, s3: 'NotImplemented', errno: 'ENOSYS' },
  /** An operation the storage cannot do in this form (a non-sequential write, an append, a large truncate). */
  ALX_ERR_UNSUPPORTED: { http: 501, s3: 'NotImplemented', errno: 'ENOTSUP' },
  /** A change to a part of the namespace that cannot change (the virtual root above the mounts, a read-only FUSE mount). */
  ALX_ERR_READ_ONLY: { http: 403, s3: 'AccessDenied', errno: 'EROFS' },
  ALX_ERR_INTERNAL: { http: 500, s3: 'InternalError', errno: 'EIO' },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERROR_TABLE;

export class AlluxioError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AlluxioError';
    this.code = code;
  }
  get spec(): ErrorSpec {
    return ERROR_TABLE[this.code];
  }
  toJSON(): { code: ErrorCode; message: string } {
    return { code: this.code, message: this.message };
  }
}

export class InvalidArgumentError extends AlluxioError {
  constructor(message: string) { super('ALX_ERR_INVALID_ARGUMENT', message); this.name = 'InvalidArgumentError'; }
}
export class InvalidPathError extends AlluxioError {
  constructor(message: string) { super('ALX_ERR_INVALID_PATH', message); this.name = 'InvalidPathError'; }
}
export class InvalidRangeError extends AlluxioError {
  constructor(message: string) { super('ALX_ERR_INVALID_RANGE', message); this.name = 'InvalidRangeError'; }
}
export class InvalidConfError extends AlluxioError {
  constructor(message: string) { super('ALX_ERR_INVALID_CONF', message); this.name = 'InvalidConfError'; }
}
export class NotFoundError extends AlluxioError {
  constructor(message: string) { super('ALX_ERR_NOT_FOUND', message); this.name = 'NotFoundError'; }
}
export class AlreadyExistsError extends AlluxioError {
  constructor(message: string) { super('ALX_ERR_ALREADY_EXISTS', message); this.name = 'AlreadyExistsError'; }
}
export class MountError extends AlluxioError {
  constructor(message: string) { super('ALX_ERR_MOUNT', message); this.name = 'MountError'; }
}
export class UfsError extends AlluxioError {
  constructor(code: 'ALX_ERR_UFS' | 'ALX_ERR_UFS_TIMEOUT' | 'ALX_ERR_UFS_UNAVAILABLE', message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'UfsError';
  }
}
export class NoSpaceError extends AlluxioError {
  constructor(message: string) { super('ALX_ERR_NO_SPACE', message); this.name = 'NoSpaceError'; }
}

/** Wraps any thrown value as an AlluxioError, keeping AlluxioErrors as they are. */
export function toAlluxioError(err: unknown): AlluxioError {
  if (err instanceof AlluxioError) return err;
  const e = err as NodeJS.ErrnoException;
  switch (e?.code) {
    case 'ENOENT': return new NotFoundError(e.message);
    case 'EEXIST': return new AlreadyExistsError(e.message);
    case 'ENOTDIR': return new AlluxioError('ALX_ERR_NOT_A_DIRECTORY', e.message);
    case 'EISDIR': return new AlluxioError('ALX_ERR_IS_A_DIRECTORY', e.message);
    case 'ENOTEMPTY': return new AlluxioError('ALX_ERR_DIRECTORY_NOT_EMPTY', e.message);
    case 'EACCES': case 'EPERM': return new AlluxioError('ALX_ERR_PERMISSION_DENIED', e.message);
    case 'ENAMETOOLONG': return new InvalidPathError('a file name or path is too long for the under-storage');
    case 'ENOSPC': case 'EDQUOT': return new NoSpaceError(e.message);
    default: return new AlluxioError('ALX_ERR_INTERNAL', e?.message ?? String(err), { cause: err });
  }
}

/** Longest message an error response carries; longer ones (e.g. echoing a huge path) are clipped. */
export const MAX_ERROR_MESSAGE = 1000;

/** A path or other client-given text as it may appear in a message: at most `max` chars, then '…'. */
export function clipText(s: string, max = 200): string {
  return s.length <= max ? s : s.slice(0, max) + '…';
}

/** A short cause for messages: the error's class and message, nothing from a client's options. */
export function causeText(err: unknown): string {
  if (err instanceof Error) return `${err.constructor?.name ?? err.name}: ${err.message}`;
  return String(err);
}

import { InvalidArgumentError } from '../common/errors.js';
import { isFileId } from './page-layout.js';

// Argument checks shared by the page stores' public methods (public methods validate; internals trust).

export function checkFileId(fileId: unknown): void {
  if (typeof fileId !== 'string' || !isFileId(fileId)) {
    throw new InvalidArgumentError(`fileId must be 64 lowercase hex characters (SHA-256 of the UFS URI), got ${JSON.stringify(fileId)}`);
  }
}

export function checkPageIndex(pageIndex: unknown): void {
  if (typeof pageIndex !== 'number' || !Number.isSafeInteger(pageIndex) || pageIndex < 0) {
    throw new InvalidArgumentError(`pageIndex must be a non-negative integer, got ${String(pageIndex)}`);
  }
}

export function checkVersion(version: unknown): void {
  if (typeof version !== 'string') throw new InvalidArgumentError(`version must be a string (ETag, or mtime+length), got ${typeof version}`);
}

export function checkPageRange(range: unknown, pageSize: number): void {
  if (range === undefined) return;
  const r = range as { offset?: unknown; length?: unknown } | null;
  const ok = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
  if (r === null || typeof r !== 'object' || !ok(r.offset) || !ok(r.length) || r.length === 0 || r.offset + r.length > pageSize) {
    throw new InvalidArgumentError(`page range must be { offset, length } with length >= 1 inside the page size ${pageSize}, got ${JSON.stringify(range)}`);
  }
}

export function checkPageData(data: unknown, pageSize: number): void {
  if (!Buffer.isBuffer(data)) throw new InvalidArgumentError('page data must be a Buffer');
  if (data.length === 0 || data.length > pageSize) {
    throw new InvalidArgumentError(`page data must be 1..${pageSize} bytes (the page size), got ${data.length}`);
  }
}

export function checkFileRef(file: unknown): void {
  const f = file as { ufsUri?: unknown; version?: unknown } | null;
  if (f === null || typeof f !== 'object' || typeof f.ufsUri !== 'string' || f.ufsUri.length === 0) {
    throw new InvalidArgumentError('file must be { ufsUri: non-empty string, version: string }');
  }
  checkVersion(f.version);
}

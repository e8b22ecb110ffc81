import { InvalidRangeError } from '../common/errors.js';

/** Checks the numbers of an openRead call before any I/O: integers, offset >= 0, length >= -1. */
export function checkRangeArgs(uri: string, offset: number, length: number): void {
  if (!Number.isSafeInteger(offset) || offset < 0) {
    throw new InvalidRangeError(`bad read range for ${uri}: offset ${offset} must be an integer >= 0 (length ${length})`);
  }
  if (!Number.isSafeInteger(length) || length < -1) {
    throw new InvalidRangeError(`bad read range for ${uri}: length ${length} must be an integer >= 0, or -1 for 'to the end' (offset ${offset})`);
  }
}

/**
 * Resolves a range against the file's size: the number of bytes to read. A range that starts or
 * ends past the end of the file is refused rather than cut short, so a caller that computed a
 * page range from a stale length learns it.
 */
export function resolveRange(uri: string, offset: number, length: number, size: number): number {
  if (offset > size || (length !== -1 && offset + length > size)) {
    throw new InvalidRangeError(`read range past the end of ${uri}: offset ${offset}, length ${length}, file length ${size}`);
  }
  return length === -1 ? size - offset : length;
}

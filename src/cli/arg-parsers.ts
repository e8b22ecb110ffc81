import { InvalidArgumentError } from '../common/errors.js';

/**
 * Commander argument parsers for numeric options, so `--workers abc` says what is wrong instead of
 * passing NaN on: `--workers: expected a positive integer, got 'abc'`.
 */
export function positiveInt(name: string): (v: string) => number {
  return (v: string) => {
    if (!/^\d+$/.test(v.trim()) || Number(v) < 1) throw new InvalidArgumentError(`${name}: expected a positive integer, got '${v}'`);
    return Number(v);
  };
}

export function nonNegativeInt(name: string): (v: string) => number {
  return (v: string) => {
    if (!/^\d+$/.test(v.trim())) throw new InvalidArgumentError(`${name}: expected a non-negative integer, got '${v}'`);
    return Number(v);
  };
}

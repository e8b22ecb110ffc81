import { DURATION_FORM, parseDuration, parseSize, SIZE_FORM } from '../common/sizes.js';
import type { PropertySpec } from './property-spec.js';

// Parsing a property's string value into its typed form, and describing the accepted form
// for error messages.

export type PropertyValue = string | number | boolean | readonly string[] | readonly number[];

export type ParseResult = { ok: true; value: PropertyValue } | { ok: false };

const INT_PATTERN = /^[+-]?\d+$/;

/** Splits a comma-separated list, trimming entries and dropping empty ones (as Alluxio does). */
export function splitList(text: string): string[] {
  return text.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
}

/** Parses `text` as the type of `spec`; `{ok: false}` when it is not of the accepted form. */
export function parsePropertyValue(spec: PropertySpec, text: string): ParseResult {
  switch (spec.type) {
    case 'string':
      return { ok: true, value: text };
    case 'list':
      return { ok: true, value: Object.freeze(splitList(text)) };
    case 'bool': {
      const t = text.toLowerCase();
      if (t === 'true') return { ok: true, value: true };
      if (t === 'false') return { ok: true, value: false };
      return { ok: false };
    }
    case 'enum': {
      const upper = text.toUpperCase();
      return spec.values!.includes(upper) ? { ok: true, value: upper } : { ok: false };
    }
    case 'int': {
      if (!INT_PATTERN.test(text)) return { ok: false };
      const n = Number(text);
      return Number.isSafeInteger(n) && inRange(spec, n) ? { ok: true, value: n } : { ok: false };
    }
    case 'size': {
      const n = tryParse(parseSize, text);
      return n !== undefined && inRange(spec, n) ? { ok: true, value: n } : { ok: false };
    }
    case 'duration': {
      const n = tryParse(parseDuration, text);
      return n !== undefined && inRange(spec, n) ? { ok: true, value: n } : { ok: false };
    }
    case 'sizeList': {
      const sizes: number[] = [];
      for (const item of splitList(text)) {
        const n = tryParse(parseSize, item);
        if (n === undefined || !inRange(spec, n)) return { ok: false };
        sizes.push(n);
      }
      return { ok: true, value: Object.freeze(sizes) };
    }
  }
}

/** What `spec` accepts, for `invalid value 'x' for key: expected <form>`. */
export function expectedForm(spec: PropertySpec): string {
  switch (spec.type) {
    case 'string': return 'a string';
    case 'list': return 'a comma-separated list';
    case 'bool': return 'true or false';
    case 'enum': return `one of ${spec.values!.join(', ')}`;
    case 'int': return 'an integer' + rangeText(spec, String, true);
    case 'size': return SIZE_FORM + rangeText(spec, bytesText);
    case 'duration': return DURATION_FORM + rangeText(spec, (ms) => `${ms}ms`);
    case 'sizeList': return `a comma-separated list of sizes, each ${SIZE_FORM}` + rangeText(spec, bytesText);
  }
}

function inRange(spec: PropertySpec, n: number): boolean {
  return (spec.min === undefined || n >= spec.min) && (spec.max === undefined || n <= spec.max);
}

// A size or duration cannot be negative, so their lower bound is worth naming only above 0.
function rangeText(spec: PropertySpec, show: (n: number) => string, signed = false): string {
  if (spec.min !== undefined && spec.max !== undefined) return `, from ${show(spec.min)} to ${show(spec.max)}`;
  if (spec.min !== undefined && (signed || spec.min > 0)) return `, at least ${show(spec.min)}`;
  if (spec.max !== undefined) return `, at most ${show(spec.max)}`;
  return '';
}

function bytesText(n: number): string {
  return n === 1 ? '1 byte' : `${n} bytes`;
}

function tryParse(parse: (text: string) => number, text: string): number | undefined {
  try {
    return parse(text);
  } catch {
    return undefined;
  }
}

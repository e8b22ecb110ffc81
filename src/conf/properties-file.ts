import { readFileSync } from 'node:fs';
import { InvalidConfError } from '../common/errors.js';

// Java .properties syntax, following java.util.Properties.load:
// - comment lines start (after leading whitespace) with '#' or '!'; a comment never continues;
// - key and value are separated by the first unescaped '=', ':' or whitespace, with whitespace
//   around it skipped ("k=v", "k: v", "k v");
// - a line ending in an odd number of backslashes continues on the next line, whose leading
//   whitespace is dropped;
// - escapes \t \n \r \f \uXXXX, and a backslash before any other character stands for that character;
// - trailing whitespace of a value is kept (the configuration trims values later).
// Unlike Java, files are read as UTF-8 (Java's Properties.load uses ISO-8859-1); \uXXXX works in both.

export interface PropertiesEntry {
  readonly key: string;
  readonly value: string;
  /** 1-based line where the entry starts. */
  readonly line: number;
}

const WHITESPACE = new Set([' ', '\t', '\f']);

/** One logical line (continuations joined) and the natural line it starts on. */
interface LogicalLine {
  text: string;
  line: number;
}

function* logicalLines(text: string): Generator<LogicalLine> {
  const lines = text.split(/\r\n|\r|\n/);
  let i = 0;
  while (i < lines.length) {
    const start = i;
    let natural = stripLeadingWhitespace(lines[i]!);
    i++;
    if (natural === '' || natural[0] === '#' || natural[0] === '!') continue;
    let logical = '';
    for (;;) {
      if (!endsWithOddBackslashes(natural)) { logical += natural; break; }
      logical += natural.slice(0, -1);
      if (i >= lines.length) break; // a continuation at end of file just ends the line
      natural = stripLeadingWhitespace(lines[i]!);
      i++;
    }
    yield { text: logical, line: start + 1 };
  }
}

function stripLeadingWhitespace(s: string): string {
  let i = 0;
  while (i < s.length && WHITESPACE.has(s[i]!)) i++;
  return s.slice(i);
}

function endsWithOddBackslashes(s: string): boolean {
  let n = 0;
  for (let i = s.length - 1; i >= 0 && s[i] === '\\'; i--) n++;
  return n % 2 === 1;
}

/** Splits a logical line into its raw (still escaped) key and value, as Properties.load0 does. */
function splitKeyValue(line: string): { rawKey: string; rawValue: string } {
  let keyEnd = 0;
  let valueStart = line.length;
  let hasSeparator = false;
  let precedingBackslash = false;
  while (keyEnd < line.length) {
    const c = line[keyEnd]!;
    if ((c === '=' || c === ':') && !precedingBackslash) { valueStart = keyEnd + 1; hasSeparator = true; break; }
    if (WHITESPACE.has(c) && !precedingBackslash) { valueStart = keyEnd + 1; break; }
    precedingBackslash = c === '\\' ? !precedingBackslash : false;
    keyEnd++;
  }
  while (valueStart < line.length) {
    const c = line[valueStart]!;
    if (!WHITESPACE.has(c)) {
      if (!hasSeparator && (c === '=' || c === ':')) hasSeparator = true;
      else break;
    }
    valueStart++;
  }
  return { rawKey: line.slice(0, keyEnd), rawValue: line.slice(valueStart) };
}

const ESCAPES: Record<string, string> = { t: '\t', n: '\n', r: '\r', f: '\f' };

/** Resolves escapes; returns undefined on a malformed \uXXXX. */
function unescape(raw: string): string | undefined {
  if (!raw.includes('\\')) return raw;
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c !== '\\') { out += c; continue; }
    i++;
    if (i >= raw.length) break;
    const e = raw[i]!;
    if (e === 'u') {
      const hex = raw.slice(i + 1, i + 5);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) return undefined;
      out += String.fromCharCode(parseInt(hex, 16));
      i += 4;
    } else {
      out += ESCAPES[e] ?? e;
    }
  }
  return out;
}

/**
 * Parses .properties text. A later entry for the same key is kept after an earlier one (the
 * caller lets the later win). Problems are reported together as one InvalidConfError whose
 * lines read `<file>:<line>: <problem>`. Values never appear in messages (they may be secrets).
 */
export function parseProperties(text: string, fileName = '<properties>'): PropertiesEntry[] {
  if (typeof text !== 'string') throw new InvalidConfError(`${fileName}: properties text must be a string`);
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const entries: PropertiesEntry[] = [];
  const problems: string[] = [];
  for (const { text: line, line: lineNo } of logicalLines(body)) {
    const { rawKey, rawValue } = splitKeyValue(line);
    const key = unescape(rawKey);
    const value = unescape(rawValue);
    if (key === undefined) {
      problems.push(`${fileName}:${lineNo}: malformed \\uXXXX escape in a key (expected \\u and 4 hex digits)`);
      continue;
    }
    if (key === '') {
      // Java would accept an empty key; here it can only be a mistake.
      problems.push(`${fileName}:${lineNo}: missing key before '${line[0]}'`);
      continue;
    }
    if (value === undefined) {
      problems.push(`${fileName}:${lineNo}: malformed \\uXXXX escape in the value of ${key} (expected \\u and 4 hex digits)`);
      continue;
    }
    entries.push({ key, value, line: lineNo });
  }
  if (problems.length > 0) throw new InvalidConfError(problems.join('\n'));
  return entries;
}

/** Reads and parses a .properties file; undefined when the file does not exist. */
export function readPropertiesFile(path: string): PropertiesEntry[] | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    throw new InvalidConfError(`cannot read ${path}: ${code ?? (err as Error).message}`);
  }
  return parseProperties(text, path);
}

/**
 * Writes entries in .properties syntax that both this parser and Java's read back unchanged
 * (as Properties.store escapes: separators, comment characters, leading spaces, control and
 * non-ASCII characters).
 */
export function stringifyProperties(entries: Iterable<readonly [string, string]> | Record<string, string>): string {
  const list = Symbol.iterator in entries
    ? [...(entries as Iterable<readonly [string, string]>)]
    : Object.entries(entries as Record<string, string>);
  return list.map(([k, v]) => `${escapeText(k, true)}=${escapeText(v, false)}\n`).join('');
}

function escapeText(s: string, isKey: boolean): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    const code = s.charCodeAt(i);
    if (c === ' ') out += isKey || i === 0 ? '\\ ' : ' ';
    else if (c === '\\') out += '\\\\';
    else if (c === '\t') out += '\\t';
    else if (c === '\n') out += '\\n';
    else if (c === '\r') out += '\\r';
    else if (c === '\f') out += '\\f';
    else if (c === '=' || c === ':' || c === '#' || c === '!') out += '\\' + c;
    else if (code < 0x20 || code > 0x7e) out += '\\u' + code.toString(16).padStart(4, '0');
    else out += c;
  }
  return out;
}

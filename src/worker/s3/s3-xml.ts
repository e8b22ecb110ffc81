import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { S3Error } from './s3-errors.js';

// S3 XML: responses are built as strings (every text value escaped), request bodies parsed with
// fast-xml-parser after a strict well-formedness check.

const XML_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n';
export const S3_NS = 'http://s3.amazonaws.com/doc/2006-03-01/';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** Escapes text for an XML element; characters XML 1.0 cannot carry are dropped. */
export function xmlEscape(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[&<>"']/g, (c) => ESCAPES[c]!).replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '');
}

export function el(name: string, value: string | number | boolean): string {
  return `<${name}>${typeof value === 'string' ? xmlEscape(value) : String(value)}</${name}>`;
}

/** A whole document: `<Root xmlns="...">inner</Root>`. */
export function doc(root: string, inner: string): string {
  return `${XML_HEAD}<${root} xmlns="${S3_NS}">${inner}</${root}>`;
}

export function isoDate(ms: number): string {
  return new Date(ms).toISOString();
}

const parser = new XMLParser({
  ignoreAttributes: true,
  removeNSPrefix: true,
  parseTagValue: false,
  trimValues: false,
  processEntities: true,
  isArray: (name) => name === 'Part' || name === 'Object',
});

const NAMED: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

/**
 * Character references (`&#34;`, `&#x22;`) as the parser cannot read them: it decodes only the five
 * named entities, and Go's encoder (aws-sdk-go, so rclone) writes `"` in an ETag or key as `&#34;`.
 * Each becomes its character, or the named entity for a character that is markup (so the parser
 * decodes it exactly once). CDATA sections are left as they are.
 */
function characterReferences(text: string): string {
  if (!text.includes('&#')) return text;
  return text.replace(/<!\[CDATA\[[\s\S]*?\]\]>|&#(?:x([0-9a-fA-F]{1,6})|([0-9]{1,7}));/g, (m, hex: string | undefined, dec: string | undefined) => {
    if (hex === undefined && dec === undefined) return m;
    const cp = hex !== undefined ? parseInt(hex, 16) : Number(dec);
    const legal = cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
    if (!legal) throw new S3Error('MalformedXML', `the XML you provided was not well-formed: ${m} is not a character XML allows`);
    const ch = String.fromCodePoint(cp);
    return NAMED[ch] ?? ch;
  });
}

/** Parses a request body; anything not well-formed, or without the expected root, is MalformedXML. */
export function parseXmlBody(body: Buffer, root: string): Record<string, unknown> {
  const text = body.toString('utf8');
  if (text.trim() === '') throw new S3Error('MalformedXML', `the request body is empty; expected a <${root}> document`);
  // S3 takes no DTDs; refusing them also rules out entity-expansion bombs.
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) throw new S3Error('MalformedXML', 'document type declarations are not allowed in S3 request bodies');
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw new S3Error('MalformedXML', `the XML you provided was not well-formed: ${valid.err.msg} (line ${valid.err.line})`);
  let parsed: Record<string, unknown>;
  try {
    parsed = parser.parse(characterReferences(text)) as Record<string, unknown>;
  } catch (err) {
    throw new S3Error('MalformedXML', `the XML you provided was not well-formed: ${(err as Error).message}`);
  }
  const node = parsed[root];
  if (node === undefined || node === null || typeof node !== 'object') {
    throw new S3Error('MalformedXML', `the XML you provided did not have <${root}> as its root element`);
  }
  return node as Record<string, unknown>;
}

/** A child element's text, or undefined. */
export function text(node: Record<string, unknown>, name: string): string | undefined {
  const v = node[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (typeof v === 'object' && Object.keys(v as object).length === 0) return '';
  throw new S3Error('MalformedXML', `<${name}> must hold text`);
}

export function list(node: Record<string, unknown>, name: string): Array<Record<string, unknown>> {
  const v = node[name];
  if (v === undefined) return [];
  const arr = Array.isArray(v) ? v : [v];
  for (const x of arr) if (x === null || typeof x !== 'object') throw new S3Error('MalformedXML', `<${name}> must hold elements`);
  return arr as Array<Record<string, unknown>>;
}

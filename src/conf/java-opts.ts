import { InvalidConfError } from '../common/errors.js';

/**
 * Splits a JAVA_OPTS-style string into words as a shell would: whitespace separates words,
 * '...' and "..." quote (quotes removed), a backslash escapes the next character outside single
 * quotes. So `-Dk="a b"` is one word `-Dk=a b` whether or not a shell already removed the quotes.
 */
export function splitJavaOpts(text: string, name = 'ALLUXIO_JAVA_OPTS'): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote === "'") {
      if (c === "'") quote = undefined; else word += c;
    } else if (quote === '"') {
      if (c === '"') quote = undefined;
      else if (c === '\\' && i + 1 < text.length && '"\\$`'.includes(text[i + 1]!)) word += text[++i];
      else word += c;
    } else if (c === "'" || c === '"') {
      quote = c; inWord = true;
    } else if (c === '\\' && i + 1 < text.length) {
      word += text[++i]; inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) { words.push(word); word = ''; inWord = false; }
    } else {
      word += c; inWord = true;
    }
  }
  if (quote !== undefined) throw new InvalidConfError(`${name}: unterminated ${quote} quote`);
  if (inWord) words.push(word);
  return words;
}

/** The `-Dkey=value` words of a JAVA_OPTS string as key/value pairs (`-Dkey` alone = empty value, as in Java). */
export function systemPropertiesOf(text: string, name = 'ALLUXIO_JAVA_OPTS'): Array<{ key: string; value: string }> {
  const out: Array<{ key: string; value: string }> = [];
  for (const word of splitJavaOpts(text, name)) {
    if (!word.startsWith('-D') || word.length === 2) continue;
    const eq = word.indexOf('=');
    out.push(eq < 0 ? { key: word.slice(2), value: '' } : { key: word.slice(2, eq), value: word.slice(eq + 1) });
  }
  return out;
}

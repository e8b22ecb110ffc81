import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { InvalidConfError } from '../../src/common/errors.js';
import { parseProperties, readPropertiesFile, stringifyProperties } from '../../src/conf/properties-file.js';

const tmp = mkdtempSync(join(tmpdir(), 'alluxio-conf-props-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** Later entries win, as Properties.load does. */
function asMap(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of parseProperties(text)) out[e.key] = e.value;
  return out;
}

// Edge cases of the .properties syntax. String.raw keeps backslashes as the file has them (a
// String.raw cannot end in a backslash, so those lines are plain strings).
const TRICKY = [
  '# a comment',
  '! a bang comment',
  '   # an indented comment \\',
  'after.comment=comments never continue',
  '',
  '   \t ',
  'k.equals=v1',
  'k.spaced = v2   ',
  'k.colon:v3',
  'k.colon.spaced : v4',
  'k.space v5',
  'k.tab\tv6',
  'k.formfeed\fv7',
  'k.only',
  'k.empty=',
  'k.blank   =   ',
  'k.multi=first \\',
  '      second \\',
  '   third',
  String.raw`escaped\ key=v8`,
  String.raw`colon\:key=v9`,
  String.raw`eq\=key=v10`,
  String.raw`k.escapes=a\tb\nc\rd\fe`,
  String.raw`k.unicode=\u00e9\u4e2D!`,
  String.raw`\u0041key=v11`,
  String.raw`k.trailing.bs=abc\\`,
  String.raw`k.two.bs=abc\\\\`,
  'k.three.bs=abc\\\\\\',
  'continued.here',
  'continued\\',
  '  .key=joined key',
  'k.hash=a#b!c',
  'k.hash.continued=#not a comment \\',
  '# this line is value, not a comment',
  String.raw`k.url=http\://host:2379/p`,
  'k.double.sep==v12',
  'k.sep.then.colon = : v13',
  String.raw`k.leading.escaped=\   three spaces`,
  String.raw`k.unknown.escapes=\q\z\#`,
  'k.dup=first',
  'k.dup=second',
  'k.cont.blank=x\\',
  '',
  'k.after.blank=y',
  'k.non.ascii=日本語 é',
  'k.last=end\\',
].join('\n');

describe('parseProperties', () => {
  it('reads the separators, comments, continuations and escapes as Java does', () => {
    const m = asMap(TRICKY);
    assert.equal(m['after.comment'], 'comments never continue');
    assert.equal(m['k.equals'], 'v1');
    assert.equal(m['k.spaced'], 'v2   ', 'trailing whitespace of a value is kept');
    assert.equal(m['k.colon'], 'v3');
    assert.equal(m['k.colon.spaced'], 'v4');
    assert.equal(m['k.space'], 'v5');
    assert.equal(m['k.tab'], 'v6');
    assert.equal(m['k.formfeed'], 'v7');
    assert.equal(m['k.only'], '');
    assert.equal(m['k.empty'], '');
    assert.equal(m['k.blank'], '');
    assert.equal(m['k.multi'], 'first second third');
    assert.equal(m['escaped key'], 'v8');
    assert.equal(m['colon:key'], 'v9');
    assert.equal(m['eq=key'], 'v10');
    assert.equal(m['k.escapes'], 'a\tb\nc\rd\fe');
    assert.equal(m['k.unicode'], 'é中!');
    assert.equal(m['Akey'], 'v11');
    assert.equal(m['k.trailing.bs'], 'abc\\');
    assert.equal(m['k.two.bs'], 'abc\\\\');
    assert.equal(m['k.three.bs'], 'abc\\continued.here', 'an odd backslash count continues the line');
    assert.equal(m['continued.key'], 'joined key');
    assert.equal(m['k.hash'], 'a#b!c');
    assert.equal(m['k.hash.continued'], '#not a comment # this line is value, not a comment');
    assert.equal(m['k.url'], 'http://host:2379/p');
    assert.equal(m['k.double.sep'], '=v12');
    assert.equal(m['k.sep.then.colon'], ': v13');
    assert.equal(m['k.leading.escaped'], '   three spaces');
    assert.equal(m['k.unknown.escapes'], 'qz#');
    assert.equal(m['k.dup'], 'second');
    assert.equal(m['k.cont.blank'], 'x', 'a blank line ends a continued line');
    assert.equal(m['k.after.blank'], 'y');
    assert.equal(m['k.non.ascii'], '日本語 é');
    assert.equal(m['k.last'], 'end', 'a continuation at end of file ends the line');
    assert.equal(Object.keys(m).some((k) => k.startsWith('#') || k.startsWith('!')), false);
  });

  it('matches java.util.Properties on the same text (skipped without java)', (t) => {
    if (spawnSync('java', ['-version']).status !== 0) { t.skip('java not installed'); return; }
    const dir = join(tmp, 'java');
    mkdirSync(dir, { recursive: true });
    // Prints each entry as hex of its UTF-16 code units, so any character survives the trip.
    writeFileSync(join(dir, 'Dump.java'), `
      import java.io.*; import java.nio.charset.StandardCharsets; import java.util.*;
      public class Dump {
        static String hex(String s) { StringBuilder b = new StringBuilder(); for (char c : s.toCharArray()) b.append(String.format("%04x", (int) c)); return b.toString(); }
        public static void main(String[] a) throws Exception {
          for (String f : a) {
            Properties p = new Properties();
            try (Reader r = new InputStreamReader(new FileInputStream(f), StandardCharsets.UTF_8)) { p.load(r); }
            System.out.println("FILE");
            for (String k : p.stringPropertyNames()) System.out.println(hex(k) + " " + hex(p.getProperty(k)));
          }
        }
      }`);
    const corpora = [
      TRICKY, TRICKY.replace(/\n/g, '\r\n'), TRICKY.replace(/\n/g, '\r'),
      'a=1\n  \\\n  b=2\nc\\\n\nd=3',
      // What we write, Java reads back the same.
      stringifyProperties({ ' k:=#!': ' v=:\\\t\n#!é中 ', 's3a.secretKey': 'a/b+c==' }),
    ];
    const files = corpora.map((text, i) => {
      const f = join(dir, `c${i}.properties`);
      writeFileSync(f, text);
      return f;
    });
    const out = execFileSync('java', [join(dir, 'Dump.java'), ...files], { encoding: 'utf8' });
    const decode = (h: string): string => (h.match(/.{4}/g) ?? []).map((x) => String.fromCharCode(parseInt(x, 16))).join('');
    const javaMaps = out.split('FILE\n').slice(1).map((block) => Object.fromEntries(
      block.split('\n').filter(Boolean).map((line) => line.split(' ').map(decode) as [string, string])));
    assert.equal(javaMaps.length, corpora.length);
    corpora.forEach((text, i) => assert.deepEqual(asMap(text), javaMaps[i], `corpus ${i}`));
  });

  it('reports a malformed \\u escape and an empty key with file and line, never the value', () => {
    const text = 'good=1\nbad=sec\\u12G4ret\n\n=orphan\n\\uZZZZkey=x';
    assert.throws(() => parseProperties(text, '/etc/alluxio/alluxio-site.properties'), (err: unknown) => {
      assert.ok(err instanceof InvalidConfError);
      assert.match(err.message, /^\/etc\/alluxio\/alluxio-site\.properties:2: malformed \\uXXXX escape in the value of bad/m);
      assert.match(err.message, /alluxio-site\.properties:4: missing key before '='/);
      assert.match(err.message, /alluxio-site\.properties:5: malformed \\uXXXX escape in a key/);
      assert.doesNotMatch(err.message, /sec|ret/);
      return true;
    });
  });

  it('numbers each entry by the line it starts on, across continuations and CRLF', () => {
    const entries = parseProperties('# c\r\na=1\r\nb=2 \\\r\n  3\r\n\r\nc=4');
    assert.deepEqual(entries.map((e) => [e.key, e.line]), [['a', 2], ['b', 3], ['c', 6]]);
    assert.equal(entries[1]!.value, '2 3');
  });

  it('ignores a UTF-8 byte order mark', () => {
    assert.deepEqual(asMap('\ufeffalluxio.home=/opt'), { 'alluxio.home': '/opt' });
  });
});

describe('readPropertiesFile', () => {
  it('returns undefined for a missing file and parses an existing one', () => {
    assert.equal(readPropertiesFile(join(tmp, 'nope.properties')), undefined);
    const f = join(tmp, 'site.properties');
    writeFileSync(f, 'x=1\ny = 2\n');
    assert.deepEqual(readPropertiesFile(f), [{ key: 'x', value: '1', line: 1 }, { key: 'y', value: '2', line: 2 }]);
  });

  it('fails naming the path when the file cannot be read', () => {
    const d = join(tmp, 'a-directory.properties');
    mkdirSync(d, { recursive: true });
    assert.throws(() => readPropertiesFile(d), (err: unknown) =>
      err instanceof InvalidConfError && err.message.includes(d) && /EISDIR/.test(err.message));
  });
});

describe('stringifyProperties', () => {
  it('writes text that parses back to the same entries', () => {
    const original: Array<[string, string]> = [
      ['plain', 'value'],
      ['key with spaces', '  leading and trailing  '],
      ['sep=and:colon', 'a=b:c'],
      ['#hash', '!bang # inside'],
      ['controls', 'tab\tnl\ncr\rff\f'],
      ['backslash', 'C:\\dir\\'],
      ['unicode', 'é中🙂'],
      ['empty', ''],
    ];
    const text = stringifyProperties(original);
    assert.match(text, /^[\x20-\x7e\n]*$/, 'output is printable ASCII');
    assert.deepEqual(parseProperties(text).map((e) => [e.key, e.value]), original);
    assert.deepEqual(asMap(stringifyProperties({ a: '1', b: '2' })), { a: '1', b: '2' });
  });
});

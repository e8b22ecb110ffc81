// Request bodies as S3 clients write them: Go's XML encoder (aws-sdk-go, inside rclone) writes a
// quote as `&#34;`, so the ETags of a CompleteMultipartUpload arrive as `&#34;<md5>&#34;`, and keys
// in a Delete may carry character references too. S3 reads them as the characters they stand for.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { list, parseXmlBody, text } from '../../../src/worker/s3/s3-xml.js';
import { S3Error } from '../../../src/worker/s3/s3-errors.js';

const parse = (body: string, root: string) => parseXmlBody(Buffer.from(body), root);

test('character references decode to their characters, exactly once', () => {
  const root = parse('<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>&#34;c7be000a&#34;</ETag></Part>'
    + '<Part><PartNumber>2</PartNumber><ETag>&#x22;d41d8cd9&#x22;</ETag></Part></CompleteMultipartUpload>', 'CompleteMultipartUpload');
  assert.deepEqual(list(root, 'Part').map((p) => text(p, 'ETag')), ['"c7be000a"', '"d41d8cd9"']);
  const del = parse('<Delete><Object><Key>a&#38;b &#60;c&#62; &#233;&#x1F600; &#38;lt; &amp;#34; &#10;</Key></Object></Delete>', 'Delete');
  // &#38;lt; is the text "&lt;" and &amp;#34; the text "&#34;": neither is decoded a second time.
  assert.equal(text(list(del, 'Object')[0]!, 'Key'), 'a&b <c> é😀 &lt; &#34; \n');
});

test('CDATA is left as it is; a reference to a character XML forbids is MalformedXML', () => {
  const root = parse('<Delete><Object><Key><![CDATA[k&#34;]]></Key></Object></Delete>', 'Delete');
  assert.equal(text(list(root, 'Object')[0]!, 'Key'), 'k&#34;');
  for (const bad of ['&#0;', '&#x1;', '&#xD800;', '&#1114112;']) {
    assert.throws(() => parse(`<Delete><Object><Key>k${bad}</Key></Object></Delete>`, 'Delete'),
      (e: unknown) => e instanceof S3Error && e.s3Code === 'MalformedXML' && e.message.includes(bad), bad);
  }
});

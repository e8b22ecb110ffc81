import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createCredentialKeyFile, isSealed, loadCredentialCipher } from '../../src/common/credential-cipher.js';
import { makeTempDir, type TempDir } from '../support/tmp.js';

describe('mount credential encryption', () => {
  let tmp: TempDir;
  const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
  before(async () => { tmp = await makeTempDir('alluxio-cipher-'); });
  after(async () => { await tmp.cleanup(); });

  it('reads a key as 32 raw bytes, 64 hex characters or base64, each the same key', () => {
    const key = randomBytes(32);
    const files = { raw: key, hex: key.toString('hex') + '\n', b64: `  ${key.toString('base64')}\n` };
    const ids = Object.entries(files).map(([name, content]) => {
      const f = join(tmp.path, `key.${name}`);
      writeFileSync(f, content);
      return loadCredentialCipher(f).keyId;
    });
    assert.equal(new Set(ids).size, 1);
  });

  it('refuses a key of the wrong length or form, naming the property and never the content', () => {
    for (const [name, content] of [['short', randomBytes(31)], ['hex62', 'ab'.repeat(31)], ['b64-16', randomBytes(16).toString('base64')], ['empty', '']] as const) {
      const f = join(tmp.path, `bad.${name}`);
      writeFileSync(f, content);
      assert.throws(() => loadCredentialCipher(f), (err: Error & { code?: string }) => {
        assert.equal(err.code, 'ALX_ERR_INVALID_CONF');
        assert.match(err.message, /alluxio\.mount\.credentials\.encryption\.key\.file/);
        assert.match(err.message, /32/);
        if (typeof content === 'string' && content) assert.ok(!err.message.includes(content), 'the key content leaked');
        return true;
      });
    }
    assert.throws(() => loadCredentialCipher(join(tmp.path, 'missing')), /alluxio\.mount\.credentials\.encryption\.key\.file: cannot read the key file .*ENOENT/);
  });

  it('seals with the option name bound: round trip, no swapping, no tampering, another key is named', () => {
    const f = join(tmp.path, 'k1');
    writeFileSync(f, randomBytes(32).toString('base64'));
    const c = loadCredentialCipher(f);
    const sealed = c.seal('s3a.secretKey', SECRET);
    assert.ok(isSealed(sealed));
    assert.match(sealed, /^enc:v1:[0-9a-f]{8}:[A-Za-z0-9+/=]+$/);
    assert.ok(!sealed.includes(SECRET));
    assert.notEqual(c.seal('s3a.secretKey', SECRET), sealed, 'a fresh IV each time');
    assert.equal(c.open('s3a.secretKey', sealed, 'mount /s3'), SECRET);

    const clean = (err: Error) => !err.message.includes(SECRET) && !err.message.includes(sealed.slice(16));
    assert.throws(() => c.open('aws.sessionToken', sealed, 'mount /s3'), (err: Error) => /mount \/s3: option aws\.sessionToken does not decrypt/.test(err.message) && clean(err));
    const raw = Buffer.from(sealed.split(':')[3]!, 'base64');
    raw[raw.length - 1]! ^= 1;
    assert.throws(() => c.open('s3a.secretKey', `${sealed.split(':').slice(0, 3).join(':')}:${raw.toString('base64')}`, 'mount /s3'), /altered/);

    const f2 = join(tmp.path, 'k2');
    writeFileSync(f2, randomBytes(32));
    const other = loadCredentialCipher(f2);
    assert.throws(() => other.open('s3a.secretKey', sealed, 'mount /s3'), (err: Error) => {
      assert.match(err.message, new RegExp(`encrypted with key ${c.keyId}, but alluxio\\.mount\\.credentials\\.encryption\\.key\\.file \\(${f2}\\) holds key ${other.keyId}`));
      return clean(err);
    });
  });

  it('creates a key file once, mode 0600, and never overwrites it', () => {
    const f = join(tmp.path, 'generated.key');
    assert.equal(createCredentialKeyFile(f), true);
    assert.equal(statSync(f).mode & 0o777, 0o600);
    const id = loadCredentialCipher(f).keyId;
    assert.equal(createCredentialKeyFile(f), false);
    assert.equal(loadCredentialCipher(f).keyId, id);
  });
});

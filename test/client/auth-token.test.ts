// Credential files: the server's (key pairs and `token <name> <value>` lines) and a client's token
// file. Bad lines are refused with the file and line, and no message quotes a secret.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bearerFromTokenFile } from '../../src/client/auth-token.js';
import { readCredentialsFile, tokenDigest } from '../../src/worker/credentials-file.js';
import { loadCredentials } from '../../src/worker/s3/sigv4.js';
import { makeTempDir, type TempDir } from '../support/tmp.js';

const TOKEN = 'abcdef0123456789abcdef';
const SECRET = 'very-secret-value-42';

describe('credential files', () => {
  let tmp: TempDir;
  let n = 0;
  const file = (text: string) => {
    const f = join(tmp.path, `f${n++}`);
    writeFileSync(f, text);
    return f;
  };
  const refused = (fn: () => unknown, re: RegExp) => {
    assert.throws(fn, (e: Error) => {
      assert.match(e.message, re);
      for (const s of [TOKEN, SECRET, 'short-tok']) assert.ok(!e.message.includes(s), `message quotes a secret: ${e.message}`);
      return true;
    });
  };

  before(async () => { tmp = await makeTempDir('alluxio-creds-'); });
  after(async () => { await tmp.cleanup(); });

  test('a server file holds key pairs and tokens; only token digests are kept', () => {
    const c = readCredentialsFile(file(`# c\nAK1:${SECRET}\n\ntoken ops ${TOKEN}\ntoken ci ${TOKEN}zz\n`));
    assert.deepEqual([...c.keys], [['AK1', SECRET]]);
    assert.equal(c.tokens.get(tokenDigest(TOKEN)), 'ops');
    assert.equal(c.tokens.get(tokenDigest(TOKEN + 'zz')), 'ci');
    assert.ok(![...c.tokens.keys()].includes(TOKEN));
    assert.equal(c.firstToken, TOKEN);
    // The S3 API sees the key pairs only; a file of key pairs only reads as before.
    assert.deepEqual([...loadCredentials(file(`AK1:${SECRET}\n`))], [['AK1', SECRET]]);
  });

  test('bad server lines are refused with the file and line, never the secret', () => {
    refused(() => readCredentialsFile(file(`AK1:${SECRET}\ntoken ops short-tok\n`)), /line 2: the token is shorter than 16/);
    refused(() => readCredentialsFile(file(`token ops ${TOKEN} extra\n`)), /line 1: expected token <name> <value>/);
    refused(() => readCredentialsFile(file(`${SECRET}\n`)), /line 1: expected accessKey:secretKey or token/);
    refused(() => readCredentialsFile(file('# nothing\n')), /holds no accessKey:secretKey or token/);
    refused(() => readCredentialsFile(join(tmp.path, 'missing')), /alluxio\.worker\.s3\.auth\.credentials\.file: cannot read/);
  });

  test('a client token file: a bare token, or the first token line of a credentials file', () => {
    assert.equal(bearerFromTokenFile(file(`# mine\n${TOKEN}\n`)), `Bearer ${TOKEN}`);
    assert.equal(bearerFromTokenFile(file(`AK1:${SECRET}\ntoken ops ${TOKEN}\n`)), `Bearer ${TOKEN}`);
  });

  test('a client token file never sends a key pair, and refuses short or spaced tokens', () => {
    refused(() => bearerFromTokenFile(file(`AK1:${SECRET}\n`)), /holds no token/);
    refused(() => bearerFromTokenFile(file('short-tok\n')), /shorter than 16/);
    refused(() => bearerFromTokenFile(file(`${TOKEN} ${SECRET}\n`)), /expected a bare token/);
    refused(() => bearerFromTokenFile(join(tmp.path, 'missing')), /alluxio\.user\.auth\.token\.file: cannot read .*ENOENT/);
  });
});

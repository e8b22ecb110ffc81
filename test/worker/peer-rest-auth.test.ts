// peerRestAuth (src/worker/rest-auth.ts): how a server (the coordinator sending job tasks) signs its
// calls to workers with the credentials it already has. Checked against the worker REST guard on a
// real HTTP server: a credentials file of key pairs only (SigV4), one with a token (bearer), and
// authentication off (nothing to send).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { loadConfiguration } from '../../src/conf/load.js';
import { readCredentialsFile } from '../../src/worker/credentials-file.js';
import { createRestGuard, peerRestAuth } from '../../src/worker/rest-auth.js';
import { makeTempDir, type TempDir } from '../support/tmp.js';

describe('peerRestAuth: a server calls workers with the cluster credentials it has', () => {
  let tmp: TempDir;
  let server: Server;
  let url: string;
  let keysOnly: string;
  let withToken: string;

  before(async () => {
    tmp = await makeTempDir('alluxio-peer-auth-');
    keysOnly = join(tmp.path, 'keys');
    writeFileSync(keysOnly, 'peer-user:peer-secret-0123456789abcdef\n', { mode: 0o600 });
    withToken = join(tmp.path, 'tokens');
    writeFileSync(withToken, 'peer-user:peer-secret-0123456789abcdef\ntoken ops peer-token-0123456789abcdef\n', { mode: 0o600 });
    // The worker side: the REST guard over the key-pair file, which the token file extends.
    const guard = createRestGuard({ credentials: readCredentialsFile(withToken), authReads: false })!;
    server = createServer((req, res) => {
      const refused = guard(req, new URL(req.url!, 'http://x'));
      req.resume();
      res.writeHead(refused ? 401 : 200).end(refused?.message ?? 'ok');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/job/load`;
  });

  after(async () => {
    await new Promise((r) => server.close(r));
    await tmp.cleanup();
  });

  const conf = (file: string | undefined) => loadConfiguration({
    env: {}, overrides: file === undefined ? {} : { 'alluxio.worker.s3.auth.enabled': 'true', 'alluxio.worker.s3.auth.credentials.file': file },
  });
  const post = (headers: Record<string, string>) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: '{"files":[]}' });

  test('key pairs only: a SigV4 signature the worker accepts', async () => {
    const auth = peerRestAuth(conf(keysOnly));
    assert.ok(auth);
    const h = auth('POST', new URL(url));
    assert.match(h.authorization ?? '', /^AWS4-HMAC-SHA256 Credential=peer-user\//);
    assert.equal((await post(h)).status, 200);
    assert.equal((await post({})).status, 401, 'the guard does refuse a call without credentials');
  });

  test('a token line: the bearer token', async () => {
    const auth = peerRestAuth(conf(withToken));
    assert.deepEqual(auth?.('POST', new URL(url)), { authorization: 'Bearer peer-token-0123456789abcdef' });
    assert.equal((await post(auth!('POST', new URL(url)))).status, 200);
  });

  test('authentication off: nothing to send', () => {
    assert.equal(peerRestAuth(conf(undefined)), undefined);
  });
});
